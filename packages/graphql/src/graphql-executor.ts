import {
  type CoreRequest,
  codeOfHttpStatus,
  type Engine,
  ErrorCode,
  type Fault,
  faultStatusAndHeaders,
  hashString,
  type Logger,
  MockstackError,
  type Model,
  makeFault,
  type Outcome,
  type Problem,
  type Rule,
  type Service,
} from '@mockstack/core';
import { unsendable, unsendableFault } from '@mockstack/http/answer-check';
import {
  type ExecutionResult,
  execute,
  type GraphQLError,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';
import { graphqlCodeOf } from './codes.js';
import { DocumentCache } from './documents.js';
import { DEFAULT_LIMITS, type QueryLimits } from './limits.js';
import { createMockedSchema, type MockedSchema, type MockOverrides } from './mocks.js';
import { claimSchema, type LoadedSchema, loadSchema } from './schema.js';

// The transport-neutral half of a GraphQL service: schema, auto-mock, rules and execution. mockstack/msw
// (in Node and the browser) runs `GraphqlExecutor`; the fastify server (graphql-adapter.ts) shares the
// checks, field requests, faults and answers here, and executes with subscriptions of its own.

export const INVALID = '(invalid)';
/** Shared by every request: GraphQL requests have no path params (nor, over POST, a query string). */
export const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Compile-time checks: the SDL parses and builds, and every resolver names a type and field that exist. */
export function validateGraphqlService(service: Service, model: Model): Problem[] {
  const loaded = loadSchema(service, model);
  if (!loaded.schema) return loaded.problems;
  const schema = loaded.schema;
  const problems: Problem[] = [];
  const objectTypes = Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
    .map((t) => t.name);
  for (const operation of service.operations.values()) {
    if (operation.meta.kind !== 'field') continue;
    const typeName = String(operation.meta.type);
    const fieldName = String(operation.meta.field);
    const source = operation.rules[0]?.source ?? service.source;
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) {
      problems.push({
        message: `GraphQL service "${service.name}" resolves ${operation.id}, but the schema has no object type "${typeName}"${type ? ` (it is ${type.constructor.name.replace('GraphQL', '').replace('Type', '').toLowerCase()})` : ''}; object types: ${list(objectTypes)}`,
        source,
      });
      continue;
    }
    if (!type.getFields()[fieldName]) {
      problems.push({
        message: `GraphQL service "${service.name}" resolves ${operation.id}, but type ${typeName} has no field "${fieldName}"; its fields: ${list(Object.keys(type.getFields()))}`,
        source,
      });
    }
  }
  const proxy = service.config.proxy;
  if (proxy !== undefined && !/^https?:$/.test(URL.parse(String(proxy))?.protocol ?? '')) {
    problems.push({
      message: `GraphQL service "${service.name}" has proxy ${JSON.stringify(proxy)}, which is not an http(s) URL; give the real endpoint, e.g. 'http://localhost:4000/graphql'`,
      source: service.source,
    });
  }
  const mocks = service.config.mocks;
  if (mocks && typeof mocks === 'object') {
    for (const name of Object.keys(mocks)) {
      if (!schema.getType(name)) {
        problems.push({
          message: `GraphQL service "${service.name}" has mocks for "${name}", which the schema does not define; types: ${list(Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__')))}`,
          source: service.source,
        });
      }
    }
  }
  return problems;
}

function list(names: readonly string[]): string {
  return names.length > 40 ? `${names.slice(0, 40).join(', ')} … (${names.length} in all)` : names.join(', ');
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
}

export interface GraphqlParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

/** What a GraphQL HTTP request gets: a status, headers and body, or no answer at all. */
export type Answer = { status: number; body: unknown; headers?: Record<string, string> | undefined } | { transport: 'reset' | 'empty' | 'aborted' };

/** Wires a Subscription field (`subscribe` and `resolve`): the server that streams events does it; without one, subscription fields resolve through the auto-mock. */
export type SubscriptionWiring = (field: GraphQLField<unknown, unknown>, operation: string, mock: GraphQLFieldResolver<unknown, unknown>) => void;

/** A request's answer with what the journal needs: the fault, the rule that answered, the execution's errors. */
export interface Executed {
  answer: Answer;
  fault?: Fault | undefined;
  rule?: Rule | undefined;
  errors?: readonly GraphQLError[] | undefined;
}

function answered(answer: Answer, fault: Fault | undefined, rule?: Rule | undefined, errors?: readonly GraphQLError[] | undefined): Executed {
  return { answer, fault, rule, errors };
}

/**
 * A GraphQL service's schema, auto-mocked, with the scenario's field rules wired into its resolvers.
 * Built once per service; `run` answers one request.
 */
export class GraphqlExecutor {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #schema: GraphQLSchema;
  /** Parsed and validated documents, by query text. */
  readonly documents: DocumentCache;
  readonly #operationIds: ReadonlySet<string>;
  /** What the schema was loaded from, to tell whether a reloaded service needs a new executor. */
  readonly loaded: LoadedSchema;
  /** Where the service answers: `/graphql` unless its `path` says otherwise. */
  readonly path: string;

  constructor(service: Service, engine: Engine, logger: Logger, options: { subscriptionField?: SubscriptionWiring } = {}) {
    this.#service = service;
    this.#engine = engine;
    const loaded = loadSchema(service, engine.model);
    this.loaded = loaded;
    for (const warning of loaded.warnings ?? []) logger.warn(`service "${service.name}": ${warning}`);
    const schema = claimSchema(loaded);
    if (!schema) {
      const detail = loaded.problems.map((p) => `${p.source ? `${p.source.file}:${p.source.line}:${p.source.column}: ` : ''}${p.message}`).join('\n');
      throw new MockstackError(ErrorCode.ContractLoad, `GraphQL service "${service.name}" cannot load its schema:\n${detail}`, { source: service.source });
    }
    const config = service.config;
    const mocked = createMockedSchema(schema, {
      seed: hashString(service.name, engine.seed),
      mocks: config.mocks as MockOverrides | undefined,
      listLength: config.listLength as number | [number, number] | undefined,
    });
    this.#schema = mocked.schema;
    this.#operationIds = new Set(service.operations.keys());
    this.#wrapResolvers(mocked.mockResolver, options.subscriptionField);
    const limits: QueryLimits = {
      maxDepth: typeof config.maxDepth === 'number' ? config.maxDepth : DEFAULT_LIMITS.maxDepth,
      maxFields: typeof config.maxFields === 'number' ? config.maxFields : DEFAULT_LIMITS.maxFields,
    };
    this.documents = new DocumentCache(this.#schema, limits);
    this.path = typeof config.path === 'string' ? config.path : '/graphql';
  }

  /** The auto-mocked schema, its resolvers wired to the scenario's rules. */
  get schema(): GraphQLSchema {
    return this.#schema;
  }

  /**
   * Whether a reloaded service can keep this executor (and its auto-mocked values): the operations
   * with rules and the settings are the same (rules and handlers are read from the engine per request).
   */
  accepts(service: Service): boolean {
    const settings = (s: Service) => JSON.stringify({ ...s.config, mocks: undefined });
    return (
      loadSchema(service, this.#engine.model) === this.loaded &&
      service.config.mocks === undefined &&
      this.#service.config.mocks === undefined &&
      settings(service) === settings(this.#service) &&
      service.operations.size === this.#operationIds.size &&
      [...service.operations.keys()].every((id) => this.#operationIds.has(id))
    );
  }

  /**
   * Every object field resolves through the auto-mock; a field the scenario has rules for asks
   * the engine first (so `times`, sequences, matching, variants and faults apply) and falls back
   * to the auto-mock when no rule answers. Subscription fields go to `subscriptionField`, if any.
   */
  #wrapResolvers(mockResolver: MockedSchema['mockResolver'], subscriptionField: SubscriptionWiring | undefined): void {
    const rootTypes = new Set([this.#schema.getQueryType()?.name, this.#schema.getMutationType()?.name]);
    const subscriptionType = this.#schema.getSubscriptionType();
    for (const type of Object.values(this.#schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const isRoot = rootTypes.has(type.name);
      for (const field of Object.values(type.getFields())) {
        const mock = mockResolver(type, field);
        const operation = `${type.name}.${field.name}`;
        if (type === subscriptionType && subscriptionField) {
          subscriptionField(field, operation, mock);
          continue;
        }
        if (!this.#operationIds.has(operation)) {
          field.resolve = mock;
          continue;
        }
        const fieldName = field.name;
        field.resolve = (source, args, context, info) => {
          const ctx = context as RequestContext;
          if (isRoot && ctx.rootFromRule) {
            const given = (source as Record<string, unknown> | undefined)?.[fieldName];
            if (given !== undefined) return given;
          }
          const request = new FieldRequest(this.#service.name, operation, ctx.core, args, ctx.operationId, {
            parent: source,
            args,
            variables: ctx.variables,
            operationName: ctx.operationName,
            info,
          });
          const decided = this.#engine.handle(request, 'unmatched');
          // Synchronous when the engine is (no delay, no async handler): graphql-js then stays off its promise path.
          return decided instanceof Promise
            ? decided.then((outcome) => answer(outcome, source, args, context, info))
            : answer(decided, source, args, context, info);
        };
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
      }
    }
  }

  /**
   * Answers one GraphQL request: its operation's rules first (the engine applies the service's
   * fault, delay, limit and chaos), then the schema executes with field rules and the auto-mock.
   * The caller writes the answer in its transport and journals it with `recordAnswer`.
   */
  async run(core: GraphqlRequest, params: GraphqlParams, method: 'GET' | 'POST', batched: boolean): Promise<Executed> {
    const query = params.query;
    if (typeof query !== 'string' || query.trim() === '') {
      const message = batched
        ? 'batched requests (a JSON array) are not supported; send one operation per request'
        : `the request has no query; send { "query": "…", "variables": {…} } as JSON with POST, or ?query=… with GET`;
      return answered({ status: 400, body: errorsBody(message, 'BAD_REQUEST') }, undefined);
    }
    const variables = parseJsonParam(params.variables);
    if (variables === INVALID_JSON || (variables !== undefined && (typeof variables !== 'object' || Array.isArray(variables)))) {
      return answered({ status: 400, body: errorsBody('variables must be a JSON object, e.g. {"sku":"SKU-1"}', 'BAD_REQUEST') }, undefined);
    }
    const operationName = typeof params.operationName === 'string' && params.operationName !== '' ? params.operationName : undefined;

    const compiled = this.documents.get(query);
    if (!compiled.ok) return answered({ status: 400, body: { errors: compiled.errors.map((e) => e.toJSON()) } }, undefined);
    const operation = operationName === undefined ? compiled.only : compiled.operations.get(operationName);
    if (!operation) {
      const names = [...compiled.operations.keys()].map((n) => n || '(anonymous)');
      const message =
        operationName === undefined
          ? `the document has ${names.length} operations (${names.join(', ')}); say which with operationName`
          : `the document has no operation named "${operationName}" (it has ${names.join(', ')})`;
      return answered({ status: 400, body: errorsBody(message, 'BAD_REQUEST') }, undefined);
    }
    core.operation = operation.id;
    // The journal keeps the request: let it hold the cached query text, not this request's copy.
    if (core.body === params) (params as { query: string }).query = compiled.text;
    if (operation.type === 'subscription') {
      return answered({ status: 400, body: errorsBody('subscriptions are not served over HTTP by this mock', 'BAD_REQUEST') }, undefined);
    }
    if (method === 'GET' && operation.type !== 'query') {
      return answered(
        { status: 405, body: errorsBody(`a ${operation.type} must be sent with POST, not GET`, 'BAD_REQUEST'), headers: { allow: 'POST' } },
        undefined,
      );
    }

    // The operation's rules first; when none answers, the engine applies the service's fault, delay, limit and chaos and the schema answers.
    const handled = this.#engine.handle(core, 'unmatched');
    const outcome = isPromiseLike(handled) ? await handled : handled;
    const context: RequestContext = {
      core,
      operationId: core.operation,
      variables: (variables ?? {}) as Record<string, unknown>,
      operationName,
      rootFromRule: false,
      rule: outcome.kind === 'unmatched' || outcome.kind === 'fallback' ? undefined : outcome.rule,
      escalated: undefined,
    };
    const contractRule = outcome.kind === 'fallback' ? outcome.rule : undefined;
    let rootValue: unknown;
    switch (outcome.kind) {
      case 'fault':
        return answered(faultAnswer(outcome.fault), outcome.fault, outcome.rule);
      case 'reply': {
        const { status, headers, body } = outcome.reply;
        return answered({ status: status ?? 200, headers, body }, undefined, context.rule);
      }
      case 'aborted':
        return answered({ transport: 'aborted' }, undefined, context.rule);
      case 'body':
        rootValue = outcome.body;
        context.rootFromRule = outcome.body !== undefined;
        break;
      default:
        break;
    }

    const executed = execute({
      schema: this.#schema,
      document: compiled.document,
      rootValue,
      contextValue: context,
      variableValues: context.variables,
      operationName,
    });
    const result: ExecutionResult = isPromiseLike(executed) ? await executed : executed;
    if (context.escalated) return answered(faultAnswer(context.escalated), context.escalated, context.rule);
    // No data at all: the variables did not fit the operation (a request error).
    const status = result.data === undefined ? 400 : 200;
    return answered({ status, body: result }, undefined, context.rule ?? contractRule, result.errors);
  }
}

/**
 * The CoreRequest of one GraphQL HTTP request. A class, not a literal with a getter: one shape for
 * every request, and `signal` (e.g. an AbortController and a listener) is made only on first use.
 */
export class GraphqlRequest implements CoreRequest {
  readonly protocol = 'graphql';
  readonly service: string;
  operation = INVALID;
  readonly params = NONE;
  readonly query: CoreRequest['query'];
  readonly headers: CoreRequest['headers'];
  body: unknown;
  readonly target: string;
  /** Set by the engine before a handler runs (this request is the handler's context). */
  state: unknown = undefined;
  call = 0;
  readonly #signalOf: () => AbortSignal;
  #signal: AbortSignal | undefined;

  /** `query`: the query string's parameters of a GET (none for a POST); `signal`: makes the client-gone signal. */
  constructor(
    service: string,
    query: CoreRequest['query'] | undefined,
    headers: CoreRequest['headers'],
    body: unknown,
    target: string,
    signal: () => AbortSignal,
  ) {
    this.service = service;
    this.query = query ?? NONE;
    this.headers = headers;
    this.body = body;
    this.target = target;
    this.#signalOf = signal;
  }

  get signal(): AbortSignal {
    this.#signal ??= this.#signalOf();
    return this.#signal;
  }
}

/**
 * The body a request is journaled with: a POST body as sent; GET parameters as the same shape,
 * variables parsed.
 */
export function journaledBody(method: string, params: GraphqlParams): unknown {
  return method === 'POST'
    ? params
    : { query: params.query, variables: parseJsonParam(params.variables), operationName: params.operationName, extensions: parseJsonParam(params.extensions) };
}

/**
 * Journals a written answer once. The journal names the rule that answered; an answer from the
 * schema alone is `contract:<operation>`.
 */
export function recordAnswer(engine: Engine, core: CoreRequest, startedAt: number, status: number | string, done: Executed): void {
  const { answer, fault, rule, errors } = done;
  const message = fault?.message ?? firstErrorOf(answer)?.message;
  const fieldFault = errors?.find((e) => e.originalError instanceof FieldFault)?.originalError as FieldFault | undefined;
  const outcome: Outcome = fault
    ? { kind: 'fault', rule, fault }
    : typeof status === 'number' && status >= 400
      ? { kind: 'fault', rule, fault: makeFault(codeOfHttpStatus(status), message ?? `HTTP ${status}`) }
      : rule
        ? { kind: 'body', rule, body: undefined }
        : { kind: 'unmatched', miss: { message: `no rule answered ${core.operation}`, candidates: [], hint: 'the schema answered it' } };
  engine.record(core, outcome, {
    status,
    code: fieldFault?.fault.code,
    error: fieldFault?.message ?? errors?.[0]?.message,
    startedAt,
    response: 'transport' in answer ? undefined : { headers: answer.headers, body: answer.body },
  });
}

/** The answer itself, or the INTERNAL fault's when the scenario's answer cannot go out over HTTP. */
export function sendable(done: Executed): Executed {
  const { answer } = done;
  const problem = 'transport' in answer ? undefined : unsendable(answer.status, answer.headers, answer.body);
  if (!problem) return done;
  const fault = unsendableFault(done.rule, problem);
  return { ...done, answer: faultAnswer(fault), fault };
}

/** The answer to a body that could not be serialised (a BigInt, a cycle in a JSON scalar), journaled as that fault. */
export function unserialisable(done: Executed, error: unknown): Executed {
  const fault = unsendableFault(done.rule, `its body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  return { ...done, answer: { status: 500, body: errorsBody(fault.message, graphqlCodeOf[fault.code]) }, fault };
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

export function firstErrorOf(answer: Answer): Pick<GraphQLFormattedError, 'message' | 'extensions'> | undefined {
  if ('transport' in answer) return undefined;
  const errors = (answer.body as { errors?: GraphQLFormattedError[] } | undefined)?.errors;
  return errors?.[0];
}

export function faultAnswer(fault: Fault): Answer {
  if (fault.transport) return { transport: fault.transport };
  const { status, headers } = faultStatusAndHeaders(fault);
  const body = fault.body !== undefined ? fault.body : { errors: [{ message: fault.message, extensions: extensionsOf(fault) }] };
  return { status, headers, body };
}

export function errorsBody(message: string, code: string): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message, extensions: { code } }] };
}

export const INVALID_JSON = Symbol('invalid json');

/** GET sends variables and extensions as JSON text; POST as JSON values. */
export function parseJsonParam(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  if (value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return INVALID_JSON;
  }
}

export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
