import {
  type CoreRequest,
  codeOfHttpStatus,
  type Engine,
  ErrorCode,
  type Fault,
  faultStatusAndHeaders,
  hashString,
  type JsonText,
  type Logger,
  MockstackError,
  makeFault,
  type Outcome,
  type Rule,
  type Service,
} from '@mockstack/core';
import { displayPath } from '@mockstack/core/platform';
import { unsendable, unsendableFault } from '@mockstack/http/answer-check';
import { type DocumentNode, type ExecutionResult, execute, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { graphqlCodeOf, httpLevelCodes } from './codes.js';
import { type CompiledDocument, DocumentCache, operationOf, withCode } from './documents.js';
import { subgraphResolvers } from './federation.js';
import { extensionsOf, FieldFault, NONE, type RequestContext, type SubscriptionWiring, wireAddedField, wireFieldRules } from './field-bridge.js';
import { withIncrementalDirectives } from './incremental.js';
import { DEFAULT_LIMITS, type QueryLimits } from './limits.js';
import { createMockedSchema, type MockedSchema, type MockOverrides } from './mocks.js';
import { documentIdOf, loadPersistedDocuments, type PersistedDocuments, persistedDocument } from './persisted-documents.js';
import { PersistedQueries, type PersistedQueryRefusal, persistedQueryHash } from './persisted-queries.js';
import { claimSchema, type LoadedSchema, loadSchema } from './schema.js';

// The transport-neutral GraphQL request path: schema, auto-mock, rules and execution. The fastify
// server (graphql-adapter.ts) and mockstack/msw (in Node and the browser) both answer an HTTP
// request with `GraphqlExecutor.run` and journal it with `recordAnswer`; they differ only in how
// they read the request and write the answer.

export const INVALID = '(invalid)';
export interface GraphqlParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
  /** A persisted document's id instead of `query` (Relay's `doc_id`, GraphQL over HTTP's `documentId`, or `id`). */
  doc_id?: unknown;
  documentId?: unknown;
  id?: unknown;
}

/** What a GraphQL HTTP request gets: a status, headers and body, or no answer at all. */
export type Answer = { status: number; body: unknown; headers?: Record<string, string> | undefined } | { transport: 'reset' | 'empty' | 'aborted' };

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
  /** Query texts clients registered as automatic persisted queries, by hash. */
  readonly #persisted = new PersistedQueries();
  /** The service's persisted documents manifest, when it names one. */
  readonly #manifest: PersistedDocuments | undefined;
  readonly #operationIds: ReadonlySet<string>;
  /** Fields wired to the engine for rules added while serving (see #wireAddedFields), and the added-rules version they were wired at. */
  readonly #addedFields = new Set<string>();
  #addedVersion = 0;
  readonly #mockResolver: MockedSchema['mockResolver'];
  /** What the schema was loaded from, to tell whether a reloaded service needs a new executor. */
  readonly loaded: LoadedSchema;
  /** Where the service answers: `/graphql` unless its `path` says otherwise. */
  readonly path: string;

  /** What a subscription sent as a plain HTTP request is told. */
  readonly #subscriptionOverHttp: string;

  /**
   * `subscriptionField`: wires Subscription fields (the server that streams their events);
   * `subscriptionOverHttp`: the error a subscription sent as a plain HTTP request gets.
   */
  constructor(service: Service, engine: Engine, logger: Logger, options: { subscriptionField?: SubscriptionWiring; subscriptionOverHttp?: string } = {}) {
    this.#service = service;
    this.#engine = engine;
    const loaded = loadSchema(service, engine.model);
    this.loaded = loaded;
    for (const warning of loaded.warnings ?? []) logger.warn(`service "${service.name}": ${warning}`);
    const claimed = claimSchema(loaded);
    if (!claimed) {
      const detail = loaded.problems.map((p) => `${p.source ? `${p.source.file}:${p.source.line}:${p.source.column}: ` : ''}${p.message}`).join('\n');
      throw new MockstackError(ErrorCode.ContractLoad, `GraphQL service "${service.name}" cannot load its schema:\n${detail}`, { source: service.source });
    }
    const manifest = loadPersistedDocuments(service, engine.model);
    if (manifest !== undefined && !('byId' in manifest)) throw new MockstackError(ErrorCode.ContractLoad, manifest.message, { source: service.source });
    this.#manifest = manifest;
    const schema = withIncrementalDirectives(claimed);
    const config = service.config;
    const mocked = createMockedSchema(schema, {
      seed: hashString(service.name, engine.seed),
      mocks: config.mocks as MockOverrides | undefined,
      listLength: config.listLength as number | [number, number] | undefined,
      rootAnswers: loaded.subgraph === undefined ? undefined : subgraphResolvers(loaded.subgraph),
    });
    this.#schema = mocked.schema;
    this.#operationIds = new Set(service.operations.keys());
    this.#mockResolver = mocked.mockResolver;
    wireFieldRules(this.#schema, { service: service.name, engine, ruled: this.#operationIds }, mocked.mockResolver, options.subscriptionField);
    this.#subscriptionOverHttp = options.subscriptionOverHttp ?? 'subscriptions are not served over HTTP by this mock';
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
      loadPersistedDocuments(service, this.#engine.model) === this.#manifest &&
      service.config.mocks === undefined &&
      this.#service.config.mocks === undefined &&
      settings(service) === settings(this.#service) &&
      service.operations.size === this.#operationIds.size &&
      [...service.operations.keys()].every((id) => this.#operationIds.has(id))
    );
  }

  /**
   * Answers one GraphQL HTTP request: its operation's rules first (the engine applies the service's
   * fault, delay, limit and chaos), then the schema executes with field rules and the auto-mock.
   * The caller writes the answer in its transport and journals it with `recordAnswer`. Synchronous
   * when the engine and the resolvers are (no delay, no async handler): each promise on this path
   * costs twice as much once the runner traces handlers' promises.
   *
   * `forward`: asked when no rule answers the operation; `true` returns FORWARD instead of executing
   * the document (the caller has the real service answer it).
   */
  run(core: GraphqlRequest, params: GraphqlParams, method: 'GET' | 'POST'): Executed | Promise<Executed>;
  run(
    core: GraphqlRequest,
    params: GraphqlParams,
    method: 'GET' | 'POST',
    forward: ((document: DocumentNode) => boolean) | undefined,
  ): Executed | typeof FORWARD | Promise<Executed | typeof FORWARD>;
  run(
    core: GraphqlRequest,
    params: GraphqlParams,
    method: 'GET' | 'POST',
    forward?: (document: DocumentNode) => boolean,
  ): Executed | typeof FORWARD | Promise<Executed | typeof FORWARD> {
    const hash = params.extensions === undefined ? undefined : persistedQueryHash(parseJsonParam(params.extensions));
    const noQuery = params.query === undefined || params.query === '';
    const named = noQuery ? documentIdOf(params) : undefined;
    const id = named ?? (noQuery && typeof hash === 'string' ? hash : undefined);
    const document = id !== undefined && this.#manifest ? persistedDocument(this.#manifest, id) : undefined;
    if (document !== undefined) {
      // The journal shows the document the id stood for.
      (params as { query: unknown }).query = document;
      return this.#run(core, params, method, forward);
    }
    // An id no manifest has; an APQ hash goes on as APQ (the client sends the query next).
    if (named !== undefined && hash === undefined) return answered(unknownDocument(this.#service, this.#manifest, named), undefined);
    if (hash === undefined) return this.#run(core, params, method, forward);
    if (typeof hash !== 'string') return answered(hash, undefined);
    const go = (resolved: string | PersistedQueryRefusal) => {
      if (typeof resolved !== 'string') return answered(resolved, undefined);
      // The journal shows the query a hash stood for.
      (params as { query: unknown }).query = resolved;
      return this.#run(core, params, method, forward);
    };
    const resolved = this.#persisted.resolve(hash, params.query);
    return isPromiseLike(resolved) ? Promise.resolve(resolved).then(go) : go(resolved);
  }

  #run(
    core: GraphqlRequest,
    params: GraphqlParams,
    method: 'GET' | 'POST',
    forward: ((document: DocumentNode) => boolean) | undefined,
  ): Executed | typeof FORWARD | Promise<Executed | typeof FORWARD> {
    const query = params.query;
    if (typeof query !== 'string' || query.trim() === '') {
      // fetch() without headers sends a string body as text/plain: say what is missing, not only that the query is.
      const type = method === 'POST' ? core.headers['content-type'] : undefined;
      const sent =
        typeof type === 'string' && !/json|graphql|multipart/i.test(type)
          ? ` (this request's content-type is ${type.split(';')[0]}; JSON needs content-type: application/json)`
          : '';
      const message = `the request has no query; send { "query": "…", "variables": {…} } as JSON with POST, or ?query=… with GET${sent}`;
      return answered({ status: 400, body: errorsBody(message, 'BAD_REQUEST') }, undefined);
    }
    const variables = parseJsonParam(params.variables);
    if (variables === INVALID_JSON || (variables !== undefined && (typeof variables !== 'object' || Array.isArray(variables)))) {
      return answered({ status: 400, body: errorsBody('variables must be a JSON object, e.g. {"sku":"SKU-1"}', 'BAD_REQUEST') }, undefined);
    }
    const operationName = typeof params.operationName === 'string' && params.operationName !== '' ? params.operationName : undefined;
    if (this.#addedVersion !== this.#engine.addedRulesVersion) this.#wireAddedFields();

    const compiled = this.documents.get(query);
    if (!compiled.ok) return answered({ status: 400, body: { errors: compiled.errors.map((e) => e.toJSON()) } }, undefined);
    const operation = operationOf(compiled, operationName);
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
    const root = operation.type === 'query' ? true : operation.type === 'mutation' ? this.#schema.getMutationType() : this.#schema.getSubscriptionType();
    if (!root) {
      // graphql-js validates fields of a root the schema lacks as nothing at all: say so before anything else.
      const message = `this schema has no ${operation.type} type (${operation.type === 'mutation' ? 'Mutation' : 'Subscription'}); it serves ${this.#schema.getMutationType() ? 'queries and mutations' : 'queries'}${this.#schema.getSubscriptionType() ? ' and subscriptions' : ''}`;
      return answered({ status: 400, body: errorsBody(message, 'GRAPHQL_VALIDATION_FAILED') }, undefined);
    }
    if (operation.type === 'subscription') return answered({ status: 400, body: errorsBody(this.#subscriptionOverHttp, 'BAD_REQUEST') }, undefined);
    if (method === 'GET' && operation.type !== 'query') {
      return answered(
        { status: 405, body: errorsBody(`a ${operation.type} must be sent with POST, not GET`, 'BAD_REQUEST'), headers: { allow: 'POST' } },
        undefined,
      );
    }

    // The operation's rules first; when none answers, the engine applies the service's fault, delay, limit and chaos and the schema answers.
    const handled = this.#engine.handle(core, 'unmatched');
    return isPromiseLike(handled)
      ? Promise.resolve(handled).then((outcome) => this.#execute(core, compiled, variables, operationName, outcome, forward))
      : this.#execute(core, compiled, variables, operationName, handled, forward);
  }

  /** The operation's outcome decided: answer it, or execute the document (field rules and the auto-mock). */
  /** Fields that got rules while serving resolve through the engine from now on (the others stay on the auto-mock alone: it is faster). */
  #wireAddedFields(): void {
    this.#addedVersion = this.#engine.addedRulesVersion;
    for (const { service, rule } of this.#engine.addedRules) {
      const operation = rule.operation;
      if (service !== this.#service.name || this.#operationIds.has(operation) || this.#addedFields.has(operation)) continue;
      if (wireAddedField(this.#schema, { service, engine: this.#engine, operation }, this.#mockResolver)) this.#addedFields.add(operation);
    }
  }

  /** Whether `fault` is an active variant's fault of this whole service (not a rule's). */
  #isServiceFault(fault: Fault): boolean {
    for (const variant of this.#engine.model.variants.values()) if (variant.services.get(this.#service.name)?.fault === fault) return true;
    return false;
  }

  #execute(
    core: GraphqlRequest,
    compiled: Extract<CompiledDocument, { ok: true }>,
    variables: unknown,
    operationName: string | undefined,
    outcome: Outcome,
    forward: ((document: DocumentNode) => boolean) | undefined,
  ): Executed | typeof FORWARD | Promise<Executed> {
    let rootValue: unknown;
    switch (outcome.kind) {
      case 'fault': {
        // A variant's fault of the whole service is the service failing (down, broken): an HTTP failure.
        const fault = outcome.fault;
        return answered(this.#isServiceFault(fault) ? faultAnswer(fault) : operationFaultAnswer(fault), fault, outcome.rule);
      }
      case 'reply': {
        const { status, headers, body } = outcome.reply;
        return answered({ status: status ?? 200, headers, body }, undefined, outcome.rule);
      }
      case 'aborted':
        return answered({ transport: 'aborted' }, undefined, outcome.rule);
      case 'body':
        rootValue = outcome.body;
        break;
      default:
        if (forward?.(compiled.document)) return FORWARD;
        break;
    }
    const context: RequestContext = {
      core,
      operationId: core.operation,
      variables: (variables ?? {}) as Record<string, unknown>,
      operationName,
      rootFromRule: rootValue !== undefined,
      rule: outcome.kind === 'body' ? outcome.rule : undefined,
      escalated: undefined,
      streamed: undefined,
    };
    const contractRule = outcome.kind === 'fallback' ? outcome.rule : undefined;
    const executed = execute({
      schema: this.#schema,
      document: compiled.document,
      rootValue,
      contextValue: context,
      variableValues: context.variables,
      operationName,
    });
    const done = (result: ExecutionResult): Executed => {
      if (context.escalated) return answered(faultAnswer(context.escalated), context.escalated, context.rule);
      // No data at all: the variables did not fit the operation (a request error), coded as Apollo Server codes it.
      if (result.data === undefined && result.errors) {
        const errors = result.errors.map((error) => (error.extensions.code === undefined ? withCode(error, 'BAD_USER_INPUT') : error));
        return answered({ status: 400, body: { ...result, errors } }, undefined, context.rule ?? contractRule, errors);
      }
      return answered({ status: 200, body: result }, undefined, context.rule ?? contractRule, result.errors);
    };
    return isPromiseLike(executed) ? Promise.resolve(executed).then(done) : done(executed);
  }
}

/** What `run` returns when its `forward` took a request no rule answers. */
export const FORWARD = Symbol('forward');

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
  /** Set by the engine before a handler runs: declared here so that every request keeps one shape. */
  publish: ((topic: string, payload: unknown) => number) | undefined = undefined;
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
 * schema alone is `contract:<operation>`. `sent`: the body as the JSON text written, journaled instead
 * of the answer's objects (they would stay alive as long as the entry).
 */
export function recordAnswer(engine: Engine, core: CoreRequest, startedAt: number, status: number | string, done: Executed, sent?: JsonText): void {
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
    response: 'transport' in answer ? undefined : { headers: answer.headers, body: sent ?? answer.body },
  });
}

/** Operations one batched request may carry (Apollo Client's BatchHttpLink sends up to 10 by default). */
export const MAX_BATCH = 100;

/** What a batch (a JSON array of operations) is answered with, before it is written. */
export interface BatchAnswer {
  /** Each operation's request and answer, in the order sent. */
  runs: { core: GraphqlRequest; done: Executed }[];
  /** Set when an operation's fault ends the connection: the whole answer goes with it. */
  transport: 'reset' | 'empty' | 'aborted' | undefined;
  /** 200, unless every operation got the same other status (a variant taking the service down). */
  status: number;
  /** The results as one JSON array. */
  text: string;
}

/** Why a batch of `size` operations is refused, or undefined. */
export function batchRefusal(size: number): string | undefined {
  if (size === 0) return 'the batch is empty; send one or more operations';
  return size > MAX_BATCH ? `a batch of ${size} operations; this mock takes up to ${MAX_BATCH} per request` : undefined;
}

/**
 * Runs a batch (as Apollo Client's BatchHttpLink sends it): each operation on its own, as if sent
 * alone (`requestOf` makes its request), their results joined as one JSON array in the same order.
 * Batched operations are not forwarded to a proxy's upstream.
 */
export async function runBatch(
  executor: GraphqlExecutor,
  batch: readonly unknown[],
  requestOf: (params: GraphqlParams) => GraphqlRequest,
): Promise<BatchAnswer> {
  const runs = await Promise.all(
    batch.map(async (item) => {
      const params = (typeof item === 'object' && item !== null && !Array.isArray(item) ? item : {}) as GraphqlParams;
      const core = requestOf(params);
      return { core, done: sendable(await executor.run(core, params, 'POST')) };
    }),
  );
  const cut = runs.find((run) => 'transport' in run.done.answer)?.done.answer;
  if (cut && 'transport' in cut) return { runs, transport: cut.transport, status: 0, text: '' };
  const parts: string[] = [];
  for (const run of runs) {
    try {
      parts.push(JSON.stringify((run.done.answer as { body: unknown }).body) ?? 'null');
    } catch (error) {
      // JSON.stringify threw (a BigInt, a cycle in a JSON scalar): this operation's result is the 500's errors.
      run.done = unserialisable(run.done, error);
      parts.push(JSON.stringify((run.done.answer as { body: unknown }).body));
    }
  }
  const statuses = runs.map((run) => (run.done.answer as { status: number }).status);
  const status = statuses.every((s) => s === statuses[0]) ? (statuses[0] ?? 200) : 200;
  return { runs, transport: undefined, status, text: `[${parts.join(',')}]` };
}

/** Journals each operation of a batch once it was written (`status`: what the transport made of the whole answer, when it cut it). */
export function recordBatch(engine: Engine, batch: BatchAnswer, startedAt: number, status?: number | string): void {
  for (const { core, done } of batch.runs) {
    const answer = done.answer;
    const own = 'transport' in answer ? (status ?? 'not sent') : batch.transport ? 'not sent' : answer.status;
    recordAnswer(engine, core, startedAt, own, done);
  }
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

export function firstErrorOf(answer: Answer): Pick<GraphQLFormattedError, 'message' | 'extensions'> | undefined {
  if ('transport' in answer) return undefined;
  const errors = (answer.body as { errors?: GraphQLFormattedError[] } | undefined)?.errors;
  return errors?.[0];
}

/**
 * A fault answering a whole operation (its rule's, or the service's), as real GraphQL services answer it: a
 * failure they answer at the HTTP level (`httpLevelCodes`: 503, 429, 401, 504), or one whose rule gives a
 * status, a body or a transport fault (`fault.http(500)`), keeps its HTTP answer; any other code (NOT_FOUND,
 * FORBIDDEN, BAD_USER_INPUT…) is a GraphQL error with its `extensions.code` in a 200 answer with `data: null`,
 * as Apollo Server and graphql-yoga answer an error thrown by a root resolver (GraphQL over HTTP: a response
 * with `data` is 2xx), so that Apollo Client, urql and graphql-request see a GraphQL error, not a failed request.
 */
export function operationFaultAnswer(fault: Fault): Answer {
  if (fault.transport || fault.httpStatus !== undefined || fault.body !== undefined || httpLevelCodes.has(fault.code)) return faultAnswer(fault);
  return { status: 200, headers: fault.headers, body: { data: null, errors: [{ message: fault.message, extensions: extensionsOf(fault) }] } };
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

/** What a request naming a persisted document the service does not have gets: 400 saying where documents come from. */
function unknownDocument(service: Service, manifest: PersistedDocuments | undefined, id: string): PersistedQueryRefusal {
  const message = manifest
    ? `PersistedQueryNotFound: no document "${id}" in ${displayPath(manifest.file)} (${manifest.byId.size} document${manifest.byId.size === 1 ? '' : 's'}); rebuild the manifest with the client, or send the query itself`
    : `the request names persisted document "${id}" and sends no query, but GraphQL service "${service.name}" has no persisted documents; give it the manifest your client's build writes: graphql({ persistedDocuments: 'persisted-queries.json' })`;
  return { status: 400, body: { errors: [{ message, extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] } };
}
