import {
  type AdapterContext,
  type CoreRequest,
  codeOfHttpStatus,
  type Engine,
  ErrorCode,
  type Fault,
  type HttpHandler,
  hashString,
  httpStatusOfCode,
  MockstackError,
  type Model,
  makeFault,
  type Outcome,
  type Problem,
  type Rule,
  type Service,
  type ServiceAddress,
  type ServiceServer,
} from '@mockstack/core';
import { clientGoneSignal, HttpApp, type HttpAppOptions } from '@mockstack/http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ExecutionResult, execute, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema, isObjectType } from 'graphql';
import { ANY_OPERATION } from './catch-all.js';
import { graphqlCodeOf } from './codes.js';
import { DocumentCache } from './documents.js';
import { DEFAULT_LIMITS, type QueryLimits } from './limits.js';
import { createMockedSchema, type MockedSchema, type MockOverrides } from './mocks.js';
import { claimSchema, type LoadedSchema, loadSchema } from './schema.js';

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const INVALID = '(invalid)';
/** Shared by every request: GraphQL requests have no path params (nor, over POST, a query string). */
const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A running GraphQL service (loaded on demand by the adapter in index.ts). */
export function createGraphqlServer(service: Service, context: AdapterContext): ServiceServer {
  return new GraphqlServer(service, context);
}

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
class FieldFault extends Error {
  readonly extensions: Record<string, unknown>;
  readonly fault: Fault;

  constructor(fault: Fault) {
    super(fault.message);
    this.fault = fault;
    this.extensions = extensionsOf(fault);
  }
}

function extensionsOf(fault: Fault): Record<string, unknown> {
  const details = fault.details;
  return {
    code: graphqlCodeOf[fault.code],
    ...(details !== undefined && (typeof details === 'object' && details !== null && !Array.isArray(details) ? details : { details })),
    ...(fault.retryAfter !== undefined && { retryAfter: fault.retryAfter }),
  };
}

/** What every resolver of one request sees as its GraphQL context. */
interface RequestContext {
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

interface GraphqlParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> | undefined } | { transport: 'reset' | 'empty' | 'aborted' };

class GraphqlServer implements ServiceServer {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #app: FastifyInstance;
  readonly #schema: GraphQLSchema;
  readonly #documents: DocumentCache;
  readonly #path: string;
  readonly #operationIds: ReadonlySet<string>;
  readonly #postTarget: string;
  readonly #loaded: LoadedSchema;
  /** The rule an auto-mocked answer is journaled under. */
  readonly #schemaRule: Rule;
  readonly #http: HttpApp;

  constructor(service: Service, { engine, logger }: AdapterContext) {
    this.#service = service;
    this.#engine = engine;
    const loaded = loadSchema(service, engine.model);
    this.#loaded = loaded;
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
    this.#schemaRule = service.operations.get(ANY_OPERATION)?.rules[0] ?? {
      id: `${service.name}#schema`,
      operation: ANY_OPERATION,
      respond: undefined,
      matchers: [],
    };
    this.#wrapResolvers(mocked.mockResolver);
    const limits: QueryLimits = {
      maxDepth: typeof config.maxDepth === 'number' ? config.maxDepth : DEFAULT_LIMITS.maxDepth,
      maxFields: typeof config.maxFields === 'number' ? config.maxFields : DEFAULT_LIMITS.maxFields,
    };
    this.#documents = new DocumentCache(this.#schema, limits);
    this.#path = typeof config.path === 'string' ? config.path : '/graphql';
    this.#postTarget = `POST ${this.#path}`;

    const bodyLimit = typeof config.bodyLimit === 'number' ? config.bodyLimit : DEFAULT_BODY_LIMIT;
    this.#http = new HttpApp({ bodyLimit, cors: config.cors as HttpAppOptions['cors'] });
    this.#app = this.#http.fastify;
    this.#app.addContentTypeParser('application/graphql', { parseAs: 'string' }, (_req, text, done) => done(null, { query: String(text) }));
    this.#app.post(this.#path, (request, reply) => this.#answer(request, reply, (request.body ?? {}) as GraphqlParams, 'POST'));
    this.#app.get(this.#path, (request, reply) => this.#answer(request, reply, (request.query ?? {}) as GraphqlParams, 'GET'));
    this.#app.setNotFoundHandler((request, reply) => {
      const method = request.method;
      const message =
        pathOf(request.url) === this.#path
          ? `${method} is not supported at ${this.#path}; use POST (or GET for queries)`
          : `no GraphQL endpoint at ${pathOf(request.url)}; this service answers POST and GET at ${this.#path}`;
      this.#refuse(request, reply, pathOf(request.url) === this.#path ? 405 : 404, message, 'BAD_REQUEST');
    });
    this.#app.setErrorHandler((error: FastifyError, request, reply) => {
      const clientError = (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) || error instanceof SyntaxError;
      const status = clientError ? (error.statusCode ?? 400) : 500;
      const message =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `request body is larger than this service's limit of ${bodyLimit} bytes (set bodyLimit on the service to raise it)`
          : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
            ? `request body is not valid JSON: ${error.message}`
            : error.message;
      this.#refuse(request, reply, status, message, status === 413 ? 'PAYLOAD_TOO_LARGE' : clientError ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR');
    });
  }

  listen(): Promise<ServiceAddress> {
    return this.#http.listen(this.#service, this.#path);
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  attach(): Promise<HttpHandler> {
    return this.#http.attach();
  }

  host(path: string, handler: HttpHandler): () => void {
    return this.#http.host(path, handler);
  }

  /**
   * A reloaded scenario keeps this server (and its auto-mocked values) when the operations with
   * rules and the settings are the same: rules and handlers are read from the engine per request.
   * Changed mocks, schema files or operations need a new server.
   */
  update(service: Service): boolean {
    const settings = (s: Service) => JSON.stringify({ ...s.config, mocks: undefined });
    return (
      loadSchema(service, this.#engine.model) === this.#loaded &&
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
   * to the auto-mock when no rule answers.
   */
  #wrapResolvers(mockResolver: MockedSchema['mockResolver']): void {
    const rootTypes = new Set([this.#schema.getQueryType()?.name, this.#schema.getMutationType()?.name]);
    for (const type of Object.values(this.#schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const isRoot = rootTypes.has(type.name);
      for (const field of Object.values(type.getFields())) {
        const mock = mockResolver(type, field);
        const operation = `${type.name}.${field.name}`;
        if (!this.#operationIds.has(operation)) {
          field.resolve = mock;
          continue;
        }
        const fieldName = field.name;
        field.resolve = async (source, args, context, info) => {
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
          const outcome = await this.#engine.handle(request);
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
            case 'unmatched':
              return mock(source, args, context, info);
            case 'aborted':
              throw new Error('the client went away');
          }
        };
      }
    }
  }

  async #answer(request: FastifyRequest, reply: FastifyReply, params: GraphqlParams, method: 'GET' | 'POST'): Promise<void> {
    const startedAt = performance.now();
    const core = this.#coreRequest(request, reply, params);

    const query = params.query;
    if (typeof query !== 'string' || query.trim() === '') {
      const message = Array.isArray(request.body)
        ? 'batched requests (a JSON array) are not supported; send one operation per request'
        : `the request has no query; send { "query": "…", "variables": {…} } as JSON with POST, or ?query=… with GET`;
      return this.#finish(reply, core, startedAt, { status: 400, body: errorsBody(message, 'BAD_REQUEST') }, undefined);
    }
    const variables = parseJsonParam(params.variables);
    if (variables === INVALID_JSON || (variables !== undefined && (typeof variables !== 'object' || Array.isArray(variables)))) {
      return this.#finish(
        reply,
        core,
        startedAt,
        { status: 400, body: errorsBody('variables must be a JSON object, e.g. {"sku":"SKU-1"}', 'BAD_REQUEST') },
        undefined,
      );
    }
    const operationName = typeof params.operationName === 'string' && params.operationName !== '' ? params.operationName : undefined;

    const compiled = this.#documents.get(query);
    if (!compiled.ok) return this.#finish(reply, core, startedAt, { status: 400, body: { errors: compiled.errors.map((e) => e.toJSON()) } }, undefined);
    const operation = operationName === undefined ? compiled.only : compiled.operations.get(operationName);
    if (!operation) {
      const names = [...compiled.operations.keys()].map((n) => n || '(anonymous)');
      const message =
        operationName === undefined
          ? `the document has ${names.length} operations (${names.join(', ')}); say which with operationName`
          : `the document has no operation named "${operationName}" (it has ${names.join(', ')})`;
      return this.#finish(reply, core, startedAt, { status: 400, body: errorsBody(message, 'BAD_REQUEST') }, undefined);
    }
    core.operation = operation.id;
    // The journal keeps the request: let it hold the cached query text, not this request's copy.
    if (core.body === params) (params as { query: string }).query = compiled.text;
    if (operation.type === 'subscription') {
      return this.#finish(
        reply,
        core,
        startedAt,
        { status: 400, body: errorsBody('subscriptions are not served over HTTP by this mock', 'BAD_REQUEST') },
        undefined,
      );
    }
    if (method === 'GET' && operation.type !== 'query') {
      return this.#finish(
        reply,
        core,
        startedAt,
        { status: 405, body: errorsBody(`a ${operation.type} must be sent with POST, not GET`, 'BAD_REQUEST'), headers: { allow: 'POST' } },
        undefined,
      );
    }

    // The operation's own rules first, then the catch-all that carries the service delay and a variant's fault.
    let outcome: Outcome | undefined = this.#operationIds.has(core.operation) ? await this.#engine.handle(core) : undefined;
    if ((!outcome || outcome.kind === 'unmatched') && this.#operationIds.has(ANY_OPERATION)) {
      // The same request under the catch-all's id (not a spread copy: that would build the lazy abort signal).
      const operationId = core.operation;
      core.operation = ANY_OPERATION;
      const handled = this.#engine.handle(core);
      const fallback = isPromiseLike(handled) ? await handled : handled;
      core.operation = operationId;
      if (fallback.kind !== 'unmatched') outcome = fallback;
    }
    const context: RequestContext = {
      core,
      operationId: core.operation,
      variables: (variables ?? {}) as Record<string, unknown>,
      operationName,
      rootFromRule: false,
      rule: outcome && outcome.kind !== 'unmatched' && outcome.rule && !isCatchAll(outcome.rule) ? outcome.rule : undefined,
      escalated: undefined,
    };
    let rootValue: unknown;
    switch (outcome?.kind) {
      case 'fault':
        return this.#finish(reply, core, startedAt, faultAnswer(outcome.fault), outcome.fault, context.rule);
      case 'reply': {
        const { status, headers, body } = outcome.reply;
        return this.#finish(reply, core, startedAt, { status: status ?? 200, headers, body }, undefined, context.rule);
      }
      case 'aborted':
        return this.#finish(reply, core, startedAt, { transport: 'aborted' }, undefined, context.rule);
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
    if (context.escalated) return this.#finish(reply, core, startedAt, faultAnswer(context.escalated), context.escalated, context.rule);
    // No data at all: the variables did not fit the operation (a request error).
    const status = result.data === undefined ? 400 : 200;
    return this.#finish(reply, core, startedAt, { status, body: result }, undefined, context.rule, result.errors);
  }

  #coreRequest(request: FastifyRequest, reply: FastifyReply, params: GraphqlParams): CoreRequest {
    // A POST body is journaled as sent; GET parameters as the same shape, variables parsed.
    const body =
      request.method === 'POST'
        ? params
        : {
            query: params.query,
            variables: parseJsonParam(params.variables),
            operationName: params.operationName,
            extensions: parseJsonParam(params.extensions),
          };
    const target = request.method === 'POST' && request.url === this.#path ? this.#postTarget : `${request.method} ${request.url}`;
    return new GraphqlRequest(this.#service.name, request, reply, body, target);
  }

  /** Requests refused before GraphQL sees them (bad JSON, too large, wrong path): GraphQL errors, journaled. */
  #refuse(request: FastifyRequest, reply: FastifyReply, status: number, message: string, code: string): void {
    const startedAt = performance.now();
    const core = this.#coreRequest(request, reply, {});
    core.body = undefined;
    this.#finish(reply, core, startedAt, { status, body: errorsBody(message, code) }, undefined);
  }

  #finish(
    reply: FastifyReply,
    core: CoreRequest,
    startedAt: number,
    answer: Answer,
    fault: Fault | undefined,
    rule?: Rule | undefined,
    errors?: readonly GraphQLError[] | undefined,
  ): void {
    let status: number | string;
    if ('transport' in answer) {
      reply.hijack();
      if (answer.transport === 'reset') reply.raw.socket?.resetAndDestroy();
      else if (answer.transport === 'empty') reply.raw.socket?.end();
      status = answer.transport === 'reset' ? 'connection reset' : answer.transport === 'empty' ? 'empty reply' : 499;
    } else {
      status = answer.status;
      reply.code(answer.status);
      if (answer.headers) reply.headers(answer.headers);
      const accept = core.headers.accept;
      const body = answer.body;
      if (typeof accept === 'string' && accept.includes('application/graphql-response+json')) {
        reply.type('application/graphql-response+json; charset=utf-8').send(JSON.stringify(body));
      } else if (typeof body === 'object' && body !== null && !answer.headers?.['content-type']) {
        // fastify's own path: JSON with charset, serialized once, no content-type header to parse back.
        reply.send(body);
      } else {
        reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
      }
    }
    // The journal names the rule that answered; an auto-mocked answer is the service's catch-all rule.
    const message = fault?.message ?? firstErrorOf(answer)?.message;
    const fieldFault = errors?.find((e) => e.originalError instanceof FieldFault)?.originalError as FieldFault | undefined;
    const outcome: Outcome = fault
      ? { kind: 'fault', rule, fault }
      : typeof status === 'number' && status >= 400
        ? { kind: 'fault', rule, fault: makeFault(codeOfHttpStatus(status), message ?? `HTTP ${status}`) }
        : { kind: 'body', rule: rule ?? this.#schemaRule, body: undefined };
    this.#engine.record(core, outcome, {
      status,
      code: fieldFault?.fault.code,
      error: fieldFault?.message ?? errors?.[0]?.message,
      startedAt,
      response: 'transport' in answer ? undefined : { headers: answer.headers, body: answer.body },
    });
  }
}

/**
 * The CoreRequest of one GraphQL HTTP request. A class, not a literal with a getter: one shape for
 * every request, and `signal` (an AbortController and a listener) is made only on first use.
 */
class GraphqlRequest implements CoreRequest {
  readonly protocol = 'graphql';
  readonly service: string;
  operation = INVALID;
  readonly params = NONE;
  readonly query: CoreRequest['query'];
  readonly headers: CoreRequest['headers'];
  body: unknown;
  readonly target: string;
  readonly #reply: FastifyReply;
  #signal: AbortSignal | undefined;

  constructor(service: string, request: FastifyRequest, reply: FastifyReply, body: unknown, target: string) {
    this.service = service;
    this.query = request.method === 'GET' ? (request.query as CoreRequest['query']) : NONE;
    this.headers = request.headers;
    this.body = body;
    this.target = target;
    this.#reply = reply;
  }

  get signal(): AbortSignal {
    this.#signal ??= clientGoneSignal(this.#reply.raw);
    return this.#signal;
  }
}

/** The CoreRequest of a field that has rules: part of the operation's request, sharing its headers and signal. */
class FieldRequest implements CoreRequest {
  readonly protocol = 'graphql';
  readonly params = NONE;
  readonly query = NONE;
  readonly headers: CoreRequest['headers'];
  readonly target: string;
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

function isCatchAll(rule: Rule): boolean {
  return rule.operation === ANY_OPERATION;
}

function firstErrorOf(answer: Answer): Pick<GraphQLFormattedError, 'message' | 'extensions'> | undefined {
  if ('transport' in answer) return undefined;
  const errors = (answer.body as { errors?: GraphQLFormattedError[] } | undefined)?.errors;
  return errors?.[0];
}

/** An HTTP-level failure: the status the fault maps to, with the GraphQL errors shape (or the fault's exact body). */
function faultAnswer(fault: Fault): Answer {
  if (fault.transport) return { transport: fault.transport };
  const headers: Record<string, string> = { ...fault.headers };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  const body = fault.body !== undefined ? fault.body : { errors: [{ message: fault.message, extensions: extensionsOf(fault) }] };
  return { status: fault.httpStatus ?? httpStatusOfCode[fault.code], headers, body };
}

function errorsBody(message: string, code: string): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message, extensions: { code } }] };
}

const INVALID_JSON = Symbol('invalid json');

/** GET sends variables and extensions as JSON text; POST as JSON values. */
function parseJsonParam(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  if (value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return INVALID_JSON;
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
