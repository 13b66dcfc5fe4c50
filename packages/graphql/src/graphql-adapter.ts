import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AdapterContext,
  type CoreRequest,
  codeOfHttpStatus,
  type Engine,
  type Fault,
  forwardHttp,
  type HttpHandler,
  makeFault,
  makeReply,
  type Outcome,
  parseDuration,
  type Rule,
  type Service,
  type ServiceAddress,
  type ServiceServer,
  tlsOf,
} from '@mockstack/core';
import {
  bodyLimitOf,
  clientGoneSignal,
  endWithoutAnswer,
  HttpApp,
  type HttpAppOptions,
  pathOf,
  requestErrorOf,
  unsendable,
  unsendableFault,
} from '@mockstack/http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  BREAK,
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLSchema,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { graphqlCodeOf } from './codes.js';
import type { DocumentCache } from './documents.js';
import {
  type Answer,
  errorsBody,
  extensionsOf,
  FieldFault,
  faultAnswer,
  firstErrorOf,
  GraphqlExecutor,
  type GraphqlParams,
  GraphqlRequest,
  INVALID,
  INVALID_JSON,
  isPromiseLike,
  NONE,
  parseJsonParam,
  type RequestContext as ResolverContext,
  validateGraphqlService,
} from './graphql-executor.js';
import {
  AutoEvent,
  type AutoStreamSettings,
  autoStream,
  DEFAULT_AUTO_STREAM,
  EventStream,
  faultEvent,
  isSseRequest,
  type StreamedParams,
  type StreamSpec,
  type SubscriptionHost,
  type SubscriptionTransport,
  SubscriptionTransports,
  streamItemsOf,
} from './subscriptions.js';

export { validateGraphqlService };

/** A running GraphQL service (loaded on demand by the adapter in index.ts). */
export function createGraphqlServer(service: Service, context: AdapterContext): ServiceServer {
  return new GraphqlServer(service, context);
}

/** What every resolver of one request sees as its GraphQL context, here with the subscription transport. */
interface RequestContext extends ResolverContext {
  /** Set for an operation sent over graphql-ws or graphql-sse. */
  streamed: Streamed | undefined;
}

/** An operation carried by a subscription transport, and (for a subscription) its source stream once subscribed. */
interface Streamed {
  transport: SubscriptionTransport;
  startedAt: number;
  source: EventStream | undefined;
  /** The subscription field's request as journaled, what answered it, and the events sent so far. */
  subscription: { request: SubscriptionRequest; outcome: Outcome; events: number } | undefined;
  /** A query's or mutation's whole result, when an operation rule answered `respond(result)`. */
  answered?: ExecutionResult | undefined;
}

class GraphqlServer implements ServiceServer {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #app: FastifyInstance;
  readonly #schema: GraphQLSchema;
  readonly #documents: DocumentCache;
  readonly #path: string;
  readonly #postTarget: string;
  /** Schema, auto-mock and field rules, shared with mockstack/msw. */
  readonly #executor: GraphqlExecutor;
  /** `graphql({ proxy })`: the real endpoint for operations no rule answers, and the rule the journal names for its answers. */
  readonly #proxy: { upstream: URL; rule: Rule } | undefined;
  /** The reply #finish is writing, so that the error handler knows a failure to serialise it (see #finish). */
  #sending: FastifyReply | undefined;
  #sendingRule: Rule | undefined;
  #sendFailure: unknown;
  readonly #http: HttpApp;
  readonly #transports: SubscriptionTransports;
  readonly #autoStream: AutoStreamSettings;

  constructor(service: Service, { engine, logger, limits: serverLimits }: AdapterContext) {
    this.#service = service;
    this.#engine = engine;
    const config = service.config;
    this.#autoStream = autoStreamOf(config.subscriptions);
    this.#executor = new GraphqlExecutor(service, engine, logger, {
      subscriptionField: (field, operation, mock) => {
        const fieldName = field.name;
        field.subscribe = (_source, args, context) => this.#subscribe(operation, fieldName, args, context as RequestContext);
        // Each event is the field's value: auto-mocked for an AutoEvent (its index varies the values), a Fault is that field's error.
        field.resolve = (event, args, context, info) => {
          if (event instanceof AutoEvent || event === undefined)
            return mock(undefined, { ...args, event: event instanceof AutoEvent ? event.index : -1 }, context, info);
          const fault = faultEvent(event);
          if (fault) throw new FieldFault(fault);
          return event;
        };
      },
    });
    this.#schema = this.#executor.schema;
    this.#documents = this.#executor.documents;
    this.#path = this.#executor.path;
    this.#postTarget = `POST ${this.#path}`;
    const proxy = typeof config.proxy === 'string' ? URL.parse(config.proxy) : null;
    // Not a rule of the model: only the journal's name for answers that came from the real service.
    this.#proxy = proxy
      ? { upstream: proxy, rule: { id: `proxy:${service.name}`, name: `proxy to ${proxy.href}`, operation: '*', matchers: [], respond: undefined } }
      : undefined;

    const bodyLimit = bodyLimitOf(config);
    this.#http = new HttpApp({
      bodyLimit,
      cors: config.cors as HttpAppOptions['cors'],
      limits: serverLimits,
      tls: tlsOf(config, service.name),
      http2: config.http2 as HttpAppOptions['http2'],
    });
    this.#app = this.#http.fastify;
    this.#app.addContentTypeParser('application/graphql', { parseAs: 'string' }, (_req, text, done) => done(null, { query: String(text) }));
    this.#transports = new SubscriptionTransports(this.#schema, this.#subscriptionHost());
    this.#app.post(this.#path, (request, reply) =>
      isSseRequest(request) ? this.#transports.sse(request, reply) : this.#answer(request, reply, (request.body ?? {}) as GraphqlParams, 'POST'),
    );
    this.#app.get(this.#path, (request, reply) =>
      isSseRequest(request) ? this.#transports.sse(request, reply) : this.#answer(request, reply, (request.query ?? {}) as GraphqlParams, 'GET'),
    );
    // graphql-sse's single-connection mode: PUT reserves a stream, DELETE stops an operation on it.
    this.#app.put(this.#path, (request, reply) => this.#transports.sse(request, reply));
    this.#app.delete(this.#path, (request, reply) => this.#transports.sse(request, reply));
    this.#http.onUpgrade((request, socket, head) => this.#upgrade(request, socket, head));
    this.#app.setNotFoundHandler((request, reply) => {
      const method = request.method;
      const message =
        pathOf(request.url) === this.#path
          ? `${method} is not supported at ${this.#path}; use POST (or GET for queries)`
          : `no GraphQL endpoint at ${pathOf(request.url)}; this service answers POST and GET at ${this.#path}`;
      this.#refuse(request, reply, pathOf(request.url) === this.#path ? 405 : 404, message, 'BAD_REQUEST');
    });
    this.#app.setErrorHandler((error: FastifyError, request, reply) => {
      if (this.#sending === reply && !this.#sendFailure) {
        // fastify could not serialise the answer being sent (a BigInt, a cycle in a JSON scalar): #finish journals it.
        this.#sendFailure = error;
        const fault = unsendableFault(this.#sendingRule, `its body is not JSON: ${error.message}`);
        reply
          .code(500)
          .type('application/json; charset=utf-8')
          .send(JSON.stringify(errorsBody(fault.message, graphqlCodeOf[fault.code])));
        return;
      }
      const { status, code, message } = requestErrorOf(error, bodyLimit, request.raw.socket);
      this.#refuse(request, reply, status, message, code);
    });
  }

  listen(): Promise<ServiceAddress> {
    return this.#http.listen(this.#service, this.#path);
  }

  async close(graceMs?: number): Promise<void> {
    // Upgraded sockets and event streams hold the server open: end them first.
    await this.#transports.close();
    return this.#http.close(graceMs);
  }

  /** Mounted on another service's port (`on:`): its requests, and its WebSocket handshakes (graphql-ws), come from there. */
  async attach(): Promise<HttpHandler> {
    const handler = await this.#http.attach();
    return Object.assign((request: IncomingMessage, response: ServerResponse) => handler(request, response), {
      upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head),
    });
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
    return this.#executor.accepts(service);
  }

  /** Whether the document selects a field the scenario has rules for (then the mock executes it, not the real service). */
  #selectsRuledField(document: DocumentNode): boolean {
    const ruled = this.#service.operations;
    const types = new TypeInfo(this.#schema);
    let found = false;
    visit(
      document,
      visitWithTypeInfo(types, {
        Field: (node) => {
          const parent = types.getParentType();
          if (parent && ruled.has(`${parent.name}.${node.name.value}`)) found = true;
          return found ? BREAK : undefined;
        },
      }),
    );
    return found;
  }

  /**
   * No rule answers the operation of a service with `proxy`: the real service answers it, sent the
   * request as it came. Journaled under the rule `proxy:<service>`; an unreachable service is a 502.
   */
  async #proxyTo(proxy: { upstream: URL; rule: Rule }, request: FastifyRequest, reply: FastifyReply, core: CoreRequest, startedAt: number): Promise<void> {
    const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const url = `${proxy.upstream.pathname}${search || proxy.upstream.search}`;
    try {
      const answer = await forwardHttp(proxy.upstream.origin, { method: request.method, url, headers: request.headers, body: request.body }, core.signal);
      reply
        .code(answer.status)
        .headers(answer.headers)
        .send(Buffer.from(answer.raw.buffer, answer.raw.byteOffset, answer.raw.byteLength));
      this.#engine.record(
        core,
        { kind: 'reply', rule: proxy.rule, reply: makeReply({ status: answer.status, headers: answer.headers, body: answer.body }) },
        { status: answer.status, startedAt },
      );
    } catch (error) {
      const cause = (error as Error).cause ?? error;
      const message = `proxy to ${proxy.upstream.href} failed: ${cause instanceof Error ? cause.message : String(cause)}; is the real service up?`;
      if (!reply.sent)
        reply
          .code(502)
          .type('application/json; charset=utf-8')
          .send(JSON.stringify(errorsBody(message, 'BAD_GATEWAY')));
      this.#engine.record(core, { kind: 'fault', rule: proxy.rule, fault: makeFault('UNAVAILABLE', message) }, { status: 502, startedAt, error: message });
    }
  }

  /**
   * Subscribes to a Subscription field: the engine answers it like any operation (rules, variants,
   * service faults and delays), its answer is the stream of events (`graphql.stream`, an array, an
   * async iterable), and without a rule the schema's auto-mock streams a few events. What handlers
   * publish on the field's name joins the stream. Journaled once here, then once per event sent.
   */
  async #subscribe(operation: string, fieldName: string, args: Record<string, unknown>, ctx: RequestContext): Promise<EventStream> {
    const streamed = ctx.streamed;
    if (!streamed) throw new Error('subscriptions are served over WebSocket (graphql-ws) and SSE (graphql-sse)');
    const controller = new AbortController();
    const startedAt = performance.now();
    const request = new SubscriptionRequest(this.#service.name, operation, ctx.core.headers, args, `${ctx.core.target}`, {
      parent: undefined,
      args,
      variables: ctx.variables,
      operationName: ctx.operationName,
      info: undefined,
    });
    request.signal = controller.signal;
    const outcome = await this.#engine.handle(request, 'unmatched');
    let spec: StreamSpec;
    switch (outcome.kind) {
      case 'body':
        spec = streamItemsOf(outcome.body);
        break;
      case 'reply':
        spec = streamItemsOf(outcome.reply.body);
        break;
      case 'fault': {
        const fault = outcome.fault;
        this.#engine.record(request, outcome, { status: fault.transport ? 'dropped' : 'error', startedAt });
        streamed.subscription = { request, outcome, events: 0 };
        if (fault.transport) streamed.transport.drop();
        throw new FieldFault(fault);
      }
      case 'aborted':
        this.#engine.record(request, outcome, { status: 'aborted', startedAt });
        streamed.subscription = { request, outcome, events: 0 };
        throw new Error('the client went away');
      default:
        spec = autoStream(this.#autoStream);
    }
    this.#engine.record(request, outcome, { status: 'subscribed', startedAt });
    streamed.subscription = { request, outcome, events: 0 };
    return new EventStream(
      spec,
      controller,
      (push) => this.#engine.onPublish(fieldName, push),
      () => streamed.transport.drop(),
    );
  }

  /** What the graphql-ws and graphql-sse servers ask of this service. */
  #subscriptionHost(): SubscriptionHost {
    return {
      prepare: (params, headers, transport) => this.#prepareStreamed(params, headers, transport),
      sourceOf: (args) => (args.contextValue as RequestContext | undefined)?.streamed?.source,
      answeredOf: (args) => (args.contextValue as RequestContext | undefined)?.streamed?.answered,
      sent: (context, result) => this.#sent(context as RequestContext | undefined, result),
    };
  }

  /** Parses, checks and (for a subscription) subscribes one operation sent over graphql-ws or graphql-sse. */
  async #prepareStreamed(
    params: StreamedParams,
    headers: IncomingMessage['headers'],
    transport: SubscriptionTransport,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const startedAt = performance.now();
    const core = new SubscriptionRequest(this.#service.name, INVALID, headers, params, `${transport.name} ${this.#path}`, undefined);
    const refuse = (message: string, errors?: readonly GraphQLError[]): readonly GraphQLError[] => {
      const refused = errors?.length ? errors : [new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } })];
      const fault = makeFault('INVALID_ARGUMENT', refused[0]?.message ?? message);
      this.#engine.record(core, { kind: 'fault', rule: undefined, fault }, { status: 'error', startedAt });
      return refused;
    };
    const query = params.query;
    if (typeof query !== 'string' || query.trim() === '') return refuse('the operation has no query');
    const variables = params.variables ?? undefined;
    if (variables !== undefined && (typeof variables !== 'object' || Array.isArray(variables)))
      return refuse('variables must be a JSON object, e.g. {"sku":"SKU-1"}');
    const operationName = typeof params.operationName === 'string' && params.operationName !== '' ? params.operationName : undefined;
    const compiled = this.#documents.get(query);
    if (!compiled.ok) return refuse('invalid document', compiled.errors);
    const operation = operationName === undefined ? compiled.only : compiled.operations.get(operationName);
    if (!operation)
      return refuse(
        operationName === undefined
          ? 'the document has several operations; say which with operationName'
          : `the document has no operation named "${operationName}"`,
      );
    core.operation = operation.id;
    core.target = `${operation.id} (${transport.name})`;
    const context: RequestContext = {
      core,
      operationId: operation.id,
      variables: (variables ?? {}) as Record<string, unknown>,
      operationName,
      rootFromRule: false,
      rule: undefined,
      escalated: undefined,
      streamed: { transport, startedAt, source: undefined, subscription: undefined },
    };
    const args: ExecutionArgs = {
      schema: this.#schema,
      document: compiled.document,
      variableValues: context.variables,
      operationName,
      contextValue: context,
    };
    if (operation.type !== 'subscription') return this.#streamedOperation(core, context, args, startedAt);
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) {
      // Variables that do not fit, or a subscription refused by a fault (journaled by #subscribe): the protocol's error message.
      if (!context.streamed?.subscription) return refuse('invalid variables', source.errors ?? []);
      return source.errors ?? [];
    }
    if (context.streamed) context.streamed.source = source as EventStream;
    return args;
  }

  /**
   * A query or mutation over graphql-ws or graphql-sse: its operation rules first (`graphql.query`,
   * `graphql.mutation`), then the service's variant fault, delay, limit and chaos, as over HTTP; when none
   * answers, the schema (and the field rules) does. A fault is the protocol's error message.
   */
  async #streamedOperation(
    core: SubscriptionRequest,
    context: RequestContext,
    args: ExecutionArgs,
    startedAt: number,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const outcome = await this.#engine.handle(core, 'unmatched');
    switch (outcome.kind) {
      case 'fault': {
        const fault = outcome.fault;
        this.#engine.record(core, outcome, { status: fault.transport ? 'dropped' : 'error', code: fault.code, error: fault.message, startedAt });
        if (fault.transport) context.streamed?.transport.drop();
        return [new GraphQLError(fault.message, { extensions: extensionsOf(fault) })];
      }
      case 'aborted':
        this.#engine.record(core, outcome, { status: 'aborted', startedAt });
        return [new GraphQLError('the client went away')];
      case 'reply':
        context.rule = outcome.rule;
        if (context.streamed) context.streamed.answered = outcome.reply.body as ExecutionResult;
        return args;
      case 'body':
        context.rule = outcome.rule;
        context.rootFromRule = outcome.body !== undefined;
        return { ...args, rootValue: outcome.body };
      default:
        return args;
    }
  }

  /** Journals a result sent over graphql-ws or graphql-sse: an event of a subscription, or a query's or mutation's result. */
  #sent(context: RequestContext | undefined, result: ExecutionResult): void {
    const streamed = context?.streamed;
    if (!context || !streamed) return;
    const error = result.errors?.[0];
    const fieldFault = error?.originalError instanceof FieldFault ? error.originalError : undefined;
    const subscription = streamed.subscription;
    if (subscription) {
      const { request, outcome } = subscription;
      const event = new SubscriptionRequest(
        this.#service.name,
        `next ${request.operation}`,
        request.headers,
        request.body,
        `event ${++subscription.events} of ${request.target}`,
        undefined,
      );
      this.#engine.record(event, outcome, {
        status: error ? 'error' : 'next',
        code: fieldFault?.fault.code,
        error: error?.message,
        startedAt: performance.now(),
        response: { body: result },
      });
      return;
    }
    const outcome: Outcome = context.rule
      ? { kind: 'body', rule: context.rule, body: undefined }
      : { kind: 'unmatched', miss: { message: `no rule answered ${context.operationId}`, candidates: [], hint: 'the schema answered it' } };
    this.#engine.record(context.core, outcome, {
      status: error ? 'error' : 'next',
      code: fieldFault?.fault.code,
      error: error?.message,
      startedAt: streamed.startedAt,
      response: { body: result },
    });
  }

  /** A WebSocket upgrade: graphql-ws at the GraphQL path; anywhere else 404, journaled, and the socket closed. */
  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(request.url ?? '/');
    if (path === this.#path) {
      this.#transports.upgrade(request, socket, head);
      return;
    }
    const startedAt = performance.now();
    const message = `no WebSocket endpoint at ${path}; GraphQL subscriptions (graphql-ws) are served at ${this.#path}`;
    const body = JSON.stringify(errorsBody(message, 'NOT_FOUND'));
    socket.on('error', () => {});
    socket.end(
      `HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const core = new SubscriptionRequest(this.#service.name, INVALID, request.headers, undefined, `GET ${request.url ?? '/'} (WebSocket upgrade)`, undefined);
    this.#engine.record(core, { kind: 'fault', rule: undefined, fault: makeFault('NOT_FOUND', message) }, { status: 404, startedAt });
  }

  /**
   * Answers a GraphQL request over HTTP. Synchronous when the engine and the schema's resolvers are
   * (no delay, no async handler): each promise on this path costs twice as much once the runner
   * traces handlers' promises.
   */
  #answer(request: FastifyRequest, reply: FastifyReply, params: GraphqlParams, method: 'GET' | 'POST'): void | Promise<void> {
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
        {
          status: 400,
          body: errorsBody(
            `subscriptions are served at ${this.#path} over WebSocket (graphql-ws) or server-sent events (graphql-sse: send the request with accept: text/event-stream), not as a plain HTTP request`,
            'BAD_REQUEST',
          ),
        },
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

    // The operation's rules first; when none answers, the engine applies the service's fault, delay, limit and chaos and the schema answers.
    const handled = this.#engine.handle(core, 'unmatched');
    const proxy = this.#proxy;
    if (proxy) {
      // What no rule answers (neither the operation's nor a selected field's) goes to the real service.
      const proxied = (outcome: Outcome) => (outcome.kind === 'unmatched' || outcome.kind === 'fallback') && !this.#selectsRuledField(compiled.document);
      if (isPromiseLike(handled)) {
        return Promise.resolve(handled).then((outcome) =>
          proxied(outcome)
            ? this.#proxyTo(proxy, request, reply, core, startedAt)
            : this.#execute(reply, core, startedAt, compiled.document, variables, operationName, outcome),
        );
      }
      if (proxied(handled)) return this.#proxyTo(proxy, request, reply, core, startedAt);
    }
    return isPromiseLike(handled)
      ? Promise.resolve(handled).then((outcome) => this.#execute(reply, core, startedAt, compiled.document, variables, operationName, outcome))
      : this.#execute(reply, core, startedAt, compiled.document, variables, operationName, handled);
  }

  /** The operation's outcome decided: answer it, or execute the document (field rules and the auto-mock). */
  #execute(
    reply: FastifyReply,
    core: CoreRequest,
    startedAt: number,
    document: DocumentNode,
    variables: unknown,
    operationName: string | undefined,
    outcome: Outcome,
  ): void | Promise<void> {
    const context: RequestContext = {
      core,
      operationId: core.operation,
      variables: (variables ?? {}) as Record<string, unknown>,
      operationName,
      rootFromRule: false,
      rule: outcome.kind === 'unmatched' || outcome.kind === 'fallback' ? undefined : outcome.rule,
      escalated: undefined,
      streamed: undefined,
    };
    const contractRule = outcome.kind === 'fallback' ? outcome.rule : undefined;
    let rootValue: unknown;
    switch (outcome.kind) {
      case 'fault':
        return this.#finish(reply, core, startedAt, faultAnswer(outcome.fault), outcome.fault, outcome.rule);
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
      document,
      rootValue,
      contextValue: context,
      variableValues: context.variables,
      operationName,
    });
    const done = (result: ExecutionResult): void => {
      if (context.escalated) {
        this.#finish(reply, core, startedAt, faultAnswer(context.escalated), context.escalated, context.rule);
        return;
      }
      // No data at all: the variables did not fit the operation (a request error).
      const status = result.data === undefined ? 400 : 200;
      this.#finish(reply, core, startedAt, { status, body: result }, undefined, context.rule ?? contractRule, result.errors);
    };
    return isPromiseLike(executed) ? Promise.resolve(executed).then(done) : done(executed);
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
    return new GraphqlRequest(
      this.#service.name,
      request.method === 'GET' ? (request.query as CoreRequest['query']) : undefined,
      request.headers,
      body,
      target,
      () => clientGoneSignal(reply.raw),
    );
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
    const problem = 'transport' in answer ? undefined : unsendable(answer.status, answer.headers, answer.body);
    if (problem) {
      fault = unsendableFault(rule, problem);
      answer = faultAnswer(fault);
    }
    if ('transport' in answer) {
      status = endWithoutAnswer(reply, answer.transport);
    } else {
      status = answer.status;
      reply.code(answer.status);
      if (answer.headers) reply.headers(answer.headers);
      this.#sending = reply;
      this.#sendingRule = rule;
      this.#sendFailure = undefined;
      try {
        sendBody(reply, core, answer);
      } catch (error) {
        // JSON.stringify threw (a BigInt, a cycle, a throwing toJSON in an answer sent as JSON text).
        this.#sendFailure = error;
      }
      const failure = this.#sendFailure;
      this.#sending = undefined;
      this.#sendFailure = undefined;
      if (failure !== undefined) {
        fault = unsendableFault(rule, `its body is not JSON: ${failure instanceof Error ? failure.message : String(failure)}`);
        status = 500;
        if (!reply.sent)
          reply
            .code(500)
            .type('application/json; charset=utf-8')
            .send(JSON.stringify(errorsBody(fault.message, graphqlCodeOf[fault.code])));
      }
    }
    // The journal names the rule that answered; an answer from the schema alone is `contract:<operation>`.
    const message = fault?.message ?? firstErrorOf(answer)?.message;
    const fieldFault = errors?.find((e) => e.originalError instanceof FieldFault)?.originalError as FieldFault | undefined;
    const outcome: Outcome = fault
      ? { kind: 'fault', rule, fault }
      : typeof status === 'number' && status >= 400
        ? { kind: 'fault', rule, fault: makeFault(codeOfHttpStatus(status), message ?? `HTTP ${status}`) }
        : rule
          ? { kind: 'body', rule, body: undefined }
          : { kind: 'unmatched', miss: { message: `no rule answered ${core.operation}`, candidates: [], hint: 'the schema answered it' } };
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
 * The CoreRequest of an operation sent over graphql-ws or graphql-sse, of a subscription to one
 * Subscription field (its rules' context, journaled as `Subscription.field`), and of each event sent.
 */
class SubscriptionRequest implements CoreRequest {
  readonly protocol = 'graphql';
  readonly params = NONE;
  readonly query = NONE;
  /** Set by the engine before a handler runs (this request is the handler's context). */
  state: unknown = undefined;
  call = 0;
  publish: ((topic: string, payload: unknown) => number) | undefined = undefined;
  signal: AbortSignal | undefined = undefined;

  constructor(
    readonly service: string,
    public operation: string,
    readonly headers: CoreRequest['headers'],
    readonly body: unknown,
    public target: string,
    readonly graphql: { parent: unknown; args: unknown; variables: unknown; operationName: string | undefined; info: unknown } | undefined,
  ) {}
}

/** The service's `subscriptions` option: how the auto-mock streams a Subscription field no rule answers. */
function autoStreamOf(setting: unknown): AutoStreamSettings {
  if (typeof setting !== 'object' || setting === null) return DEFAULT_AUTO_STREAM;
  const given = setting as { events?: unknown; interval?: unknown; open?: unknown };
  const interval = typeof given.interval === 'number' || typeof given.interval === 'string' ? parseDuration(given.interval) : undefined;
  return {
    events: typeof given.events === 'number' && given.events >= 0 ? Math.floor(given.events) : DEFAULT_AUTO_STREAM.events,
    intervalMs: interval ?? DEFAULT_AUTO_STREAM.intervalMs,
    open: given.open === true,
  };
}

/** An HTTP-level failure: the status the fault maps to, with the GraphQL errors shape (or the fault's exact body). */
/** Writes a GraphQL answer's body as JSON (the GraphQL-over-HTTP media type when the client asks for it). */
function sendBody(reply: FastifyReply, core: CoreRequest, answer: Extract<Answer, { status: number }>): void {
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
