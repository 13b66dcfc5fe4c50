import type { CoreRequest, Engine, Fault, Outcome, Rule } from '@mockstack/core';
import { type GraphQLField, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema, isObjectType } from 'graphql';
import { graphqlCodeOf } from './codes.js';
import type { MockedSchema } from './mocks.js';

// The field bridge: a field the scenario has rules for asks the engine before the auto-mock answers it.

/** Shared by every request: GraphQL requests have no path params (nor, over POST, a query string). */
export const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** What every resolver of one request sees as its GraphQL context. */
export interface RequestContext {
  core: CoreRequest;
  operationId: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
  /** The root value came from an operation rule: its fields win over field rules. */
  rootFromRule: boolean;
  /** The first rule that answered (operation or field), for the journal. */
  rule: Rule | undefined;
  /** A field fault that fails the whole HTTP response (fault.http, fault.drop). */
  escalated: Fault | undefined;
  /** The subscription transport's state of an operation sent over graphql-ws or graphql-sse (see streamed.ts). */
  streamed: object | undefined;
}

/** A fault thrown from a field resolver: a GraphQL error at the field, or the whole response when it is HTTP-level. */
export class FieldFault extends Error {
  readonly extensions: Record<string, unknown>;
  readonly fault: Fault;

  constructor(fault: Fault) {
    super(fault.message);
    this.fault = fault;
    this.extensions = extensionsOf(fault);
  }
}

/** A fault's GraphQL error `extensions`: its code, details and retry hint. */
export function extensionsOf(fault: Fault): Record<string, unknown> {
  const details = fault.details;
  return {
    code: graphqlCodeOf[fault.code],
    ...(details !== undefined && (typeof details === 'object' && details !== null && !Array.isArray(details) ? details : { details })),
    ...(fault.retryAfter !== undefined && { retryAfter: fault.retryAfter }),
  };
}

/** Wires a Subscription field (`subscribe` and `resolve`): the server that streams events does it; without one, subscription fields resolve through the auto-mock. */
export type SubscriptionWiring = (field: GraphQLField<unknown, unknown>, operation: string, mock: GraphQLFieldResolver<unknown, unknown>) => void;

/**
 * Every object field resolves through the auto-mock; a field the scenario has rules for asks
 * the engine first (so `times`, sequences, matching, variants and faults apply) and falls back
 * to the auto-mock when no rule answers. Subscription fields go to `subscriptionField`, if any.
 */
export function wireFieldRules(
  schema: GraphQLSchema,
  { service, engine, ruled }: { service: string; engine: Engine; ruled: ReadonlySet<string> },
  mockResolver: MockedSchema['mockResolver'],
  subscriptionField: SubscriptionWiring | undefined,
): void {
  const rootTypes = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name]);
  const subscriptionType = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const isRoot = rootTypes.has(type.name);
    for (const field of Object.values(type.getFields())) {
      const mock = mockResolver(type, field);
      const operation = `${type.name}.${field.name}`;
      if (type === subscriptionType && subscriptionField) {
        subscriptionField(field, operation, mock);
        continue;
      }
      field.resolve = ruled.has(operation) ? ruledField(service, engine, operation, field.name, isRoot, mock) : mock;
    }
  }
}

/**
 * Wires the field `Type.field` to the engine once a rule is added to it while serving (it resolved
 * through the auto-mock alone until then: see wireFieldRules). False: no such object field of the schema, or a Subscription field.
 */
export function wireAddedField(
  schema: GraphQLSchema,
  { service, engine, operation }: { service: string; engine: Engine; operation: string },
  mockResolver: MockedSchema['mockResolver'],
): boolean {
  const [typeName = '', fieldName = ''] = operation.split('.');
  const type = schema.getType(typeName);
  if (!isObjectType(type) || type === schema.getSubscriptionType()) return false;
  const field = type.getFields()[fieldName];
  if (!field) return false;
  const isRoot = type === schema.getQueryType() || type === schema.getMutationType();
  field.resolve = ruledField(service, engine, operation, field.name, isRoot, mockResolver(type, field));
  return true;
}

/** The resolver of a field with rules: the engine's answer, or the auto-mock's when no rule answers. */
function ruledField(
  service: string,
  engine: Engine,
  operation: string,
  fieldName: string,
  isRoot: boolean,
  mock: GraphQLFieldResolver<unknown, unknown>,
): GraphQLFieldResolver<unknown, unknown> {
  const answer = (outcome: Outcome, source: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo): unknown => {
    const ctx = context as RequestContext;
    switch (outcome.kind) {
      case 'body':
        ctx.rule ??= outcome.rule;
        return outcome.body === undefined ? mock(source, args, context, info) : outcome.body;
      case 'reply':
        ctx.rule ??= outcome.rule;
        return outcome.reply.body;
      case 'fault':
        ctx.rule ??= outcome.rule;
        if (outcome.fault.httpStatus !== undefined || outcome.fault.transport) ctx.escalated ??= outcome.fault;
        throw new FieldFault(outcome.fault);
      case 'fallback':
      case 'unmatched':
        return mock(source, args, context, info);
      case 'aborted':
        throw new Error('the client went away');
    }
  };
  return (source, args, context, info) => {
    const ctx = context as RequestContext;
    if (isRoot && ctx.rootFromRule) {
      const given = (source as Record<string, unknown> | undefined)?.[fieldName];
      if (given !== undefined) return given;
    }
    const request = new FieldRequest(service, operation, ctx.core, args, ctx.operationId, {
      parent: source,
      args,
      variables: ctx.variables,
      operationName: ctx.operationName,
      info,
    });
    const decided = engine.handle(request, 'unmatched');
    // Synchronous when the engine is (no delay, no async handler): graphql-js then stays off its promise path.
    return decided instanceof Promise ? decided.then((outcome) => answer(outcome, source, args, context, info)) : answer(decided, source, args, context, info);
  };
}

/** The CoreRequest of a field that has rules: part of the operation's request, sharing its headers and signal. */
export class FieldRequest implements CoreRequest {
  readonly protocol = 'graphql';
  readonly params = NONE;
  readonly query = NONE;
  readonly headers: CoreRequest['headers'];
  readonly target: string;
  /** Set by the engine before a handler runs (this request is the handler's context). */
  state: unknown = undefined;
  call = 0;
  /** Set by the engine before a handler runs: declared here so that every request keeps one shape. */
  publish: ((topic: string, payload: unknown) => number) | undefined = undefined;
  readonly #outer: CoreRequest;

  constructor(
    readonly service: string,
    readonly operation: string,
    outer: CoreRequest,
    readonly body: unknown,
    readonly partOf: string,
    readonly graphql: { parent: unknown; args: unknown; variables: unknown; operationName: string | undefined; info: unknown },
  ) {
    this.headers = outer.headers;
    this.target = `${operation} in ${partOf}`;
    this.#outer = outer;
  }

  get signal(): AbortSignal | undefined {
    return this.#outer.signal;
  }
}
