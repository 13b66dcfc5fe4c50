// The globals `performance` and `Buffer` are getters in Node; imports are plain bindings (read on every request).
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  type Adapter,
  type AdapterContext,
  Code,
  type CoreRequest,
  displayPath,
  type Engine,
  type Fault,
  forwardHttp,
  type HandlerContext,
  type HttpHandler,
  makeFault,
  makeReply,
  type Outcome,
  type Rule,
  type Service,
  type ServiceAddress,
  type ServiceServer,
  tlsOf,
  type Webhook,
  type WebSocketEndpoint,
} from '@mockstack/core';
import { isOpenApiDocument } from '@mockstack/core/contract-files';
import {
  bodyLimitOf,
  clientGoneSignal,
  endWithoutAnswer,
  faultStatusAndHeaders,
  HttpApp,
  type HttpAppOptions,
  headerFields,
  http2StreamOf,
  pathOf,
  requestErrorOf,
  sendWireBody,
  unsendableFault,
  type WireBody,
  wireBodyOf,
} from '@mockstack/http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteHandlerMethod } from 'fastify';
import { addBodyParsers } from './body-parsers.js';
import { isBodiless, prepareStaticAnswers, writeDirectly } from './direct-reply.js';
import {
  type ContractResponder,
  headerSafe,
  OPENAPI_INFO,
  type OpenApiServiceInfo,
  type RealAnswerCheck,
  type RequestCheck,
  VIOLATION_HEADER,
} from './openapi-info.js';
import { OperationRouter, OWN_ROUTING_MIN_ROUTES } from './operation-router.js';
import { contractAnswer, documentedMethods, expandRest, faultBody, methodNotAllowed, problemOf, unmatchedAnswer, validateRest } from './rest-model.js';
import { WebSocketEndpointServer } from './websocket-endpoint.js';

/** Serves a REST service of the model with fastify; fastify's router does the path matching. */
export const restAdapter: Adapter = {
  protocol: 'rest',
  sharesHttpPort: true,
  expand: expandRest,
  validate: validateRest,
  // An OpenAPI service takes an added rule as its document's overrides (operationId or path, faults shaped, answers checked).
  adoptRule: (service, rule) => (service.config[OPENAPI_INFO] as OpenApiServiceInfo | undefined)?.adopt(rule) ?? rule,
  create: (service, context) => new RestServer(service, context),
  contractFiles: [
    {
      kind: 'openapi',
      label: 'OpenAPI 3 or Swagger 2.0',
      endings: ['.json', '.yaml', '.yml'],
      matches: isOpenApiDocument,
      serve: (file, { port, proxy }) => ({ protocol: 'rest', port, config: { openapi: file, ...(proxy !== undefined && { proxy }) }, rules: [] }),
    },
  ],
  tooling: async () => (await import('./tooling.js')).restTooling,
};

class RestServer implements ServiceServer {
  #service: Service;
  /** Per operation id: the OpenAPI document's answer (replaced on reload, so that an edited document is served). */
  #contracts: ReadonlyMap<string, ContractResponder> | undefined;
  /** Per operation id: the webhooks its document's `callbacks` fire after a 2xx answer. */
  #callbacks: OpenApiServiceInfo['callbacks'] | undefined;
  /** With `proxy`: per operation id, the check of the real service's answers against the document. */
  #realAnswerChecks: OpenApiServiceInfo['realAnswerChecks'] | undefined;
  /** With `proxy` and `checkProxied: 'warn'`: per operation id, what a request sent on breaks of the document. */
  #requestChecks: OpenApiServiceInfo['requestChecks'] | undefined;
  /** The OpenAPI document, as warnings name it. */
  #contractFile: string | undefined;
  readonly #logger: AdapterContext['logger'];
  readonly #engine: Engine;
  readonly #app: FastifyInstance;
  readonly #routes: string;
  /** `rest({ webSocket })`: the service's WebSocket handshakes, or undefined (node refuses them). */
  readonly #webSockets: WebSocketEndpointServer | undefined;
  readonly #http: HttpApp;
  /** `rest({ proxy })`: where requests no rule answers go (the real service), or undefined. */
  #proxy: ProxyFallback | undefined;
  /**
   * The service's routes to operation ids: what routes requests answered without fastify (see
   * #answerDirectly), and every request of a large service (see OWN_ROUTING_MIN_ROUTES).
   */
  readonly #router: OperationRouter<string>;
  /** Routes of rules added while serving whose paths the scenario lacks (see #addedRoute), and the engine's added-rules version they were built at. */
  #added: { version: number; router: OperationRouter<string> | undefined } = { version: 0, router: undefined };
  /** Whether fastify has one catch-all route and #router routes every request. */
  #ownRouting = false;
  /** For an OpenAPI service: the documented methods of a concrete path, for 405s. */
  #methodsOf: ((path: string) => string[]) | undefined;

  constructor(service: Service, { engine, logger, limits }: AdapterContext) {
    this.#service = service;
    this.#router = new OperationRouter<string>({ headAsGet: headAsGetOf(service) });
    this.#proxy = proxyOf(service);
    this.#engine = engine;
    this.#logger = logger;
    const openapi = this.#useContract(service);
    this.#routes = routeKey(service);
    const bodyLimit = bodyLimitOf(service.config);
    this.#http = new HttpApp({
      bodyLimit,
      cors: service.config.cors as HttpAppOptions['cors'],
      warn: (message) => this.#logger.warn(`service "${this.#service.name}": ${message}`),
      limits,
      tls: tlsOf(service.config, service.name),
      http2: service.config.http2 as HttpAppOptions['http2'],
    });
    this.#app = this.#http.fastify;
    addBodyParsers(this.#app, bodyLimit);
    // Extension methods (an OpenAPI 3.2 document's `additionalOperations`: COPY, PURGE…) fastify routes only once told of them.
    for (const operation of service.operations.values()) {
      const method = String(operation.meta.method);
      if (!this.#app.supportedMethods.includes(method)) this.#app.addHttpMethod(method, { hasBody: true });
    }

    // fastify answers HEAD for every GET route unless the service declares its own HEAD (OpenAPI documents often do) or says not to.
    const heads = new Set([...service.operations.values()].filter((o) => o.meta.method === 'HEAD').map((o) => String(o.meta.path)));
    // HEAD of a GET route is looked up as GET (see find), as fastify's exposeHeadRoute answers it.
    const router = this.#router;
    for (const operation of service.operations.values()) router.add(String(operation.meta.method), String(operation.meta.path), operation.id);
    this.#methodsOf = openapi ? documentedMethods(service) : undefined;
    prepareStaticAnswers(respondersOf(service));
    this.#ownRouting = service.operations.size >= OWN_ROUTING_MIN_ROUTES;
    if (this.#ownRouting) {
      const handler: RouteHandlerMethod = (request, reply) => {
        const found = router.find(request.method, request.url);
        if (!found) return this.#answerNotFound(request, reply);
        request.params = found.params;
        this.#answer(found.handler, this.#contracts?.get(found.handler), request, reply);
      };
      // Two routes: the one of methods that carry a body gets HttpApp's hook decoding compressed bodies, GET and HEAD go without.
      const bodiless = ['GET', 'HEAD'];
      this.#app.route({ method: bodiless as HTTPMethods[], url: '*', exposeHeadRoute: false, handler });
      this.#app.route({
        method: this.#app.supportedMethods.filter((method) => !bodiless.includes(method)) as HTTPMethods[],
        url: '*',
        exposeHeadRoute: false,
        handler,
      });
    } else {
      for (const operation of service.operations.values()) {
        const id = operation.id;
        const url = String(operation.meta.path);
        this.#app.route({
          method: String(operation.meta.method) as HTTPMethods,
          url,
          exposeHeadRoute: headAsGetOf(service) && !heads.has(url),
          handler: openapi
            ? (request, reply) => this.#answer(id, this.#contracts?.get(id), request, reply)
            : (request, reply) => this.#answer(id, undefined, request, reply),
        });
      }
    }
    this.#app.setNotFoundHandler((request, reply) => this.#answerNotFound(request, reply));
    this.#app.setErrorHandler((error: FastifyError, request, reply) => this.#answerBadRequest(error, request, reply));
    this.#http.answerFirst((request, response) => this.#answerDirectly(request, response));
    const webSocket = webSocketOf(service);
    if (webSocket) {
      const webSockets = new WebSocketEndpointServer(service.name, webSocket, this.#proxy?.upstream, engine, logger);
      this.#webSockets = webSockets;
      this.#http.onUpgrade((request, socket, head) => webSockets.upgrade(request, socket, head));
    }
  }

  listen(): Promise<ServiceAddress> {
    return this.#http.listen(this.#service);
  }

  close(graceMs?: number): Promise<void> {
    this.#webSockets?.close();
    return this.#http.close(graceMs);
  }

  host(path: string, handler: HttpHandler): () => void {
    return this.#http.host(path, handler);
  }

  /** Rules and handlers are read from the engine per request, so only a new route set needs a restart. */
  update(service: Service): boolean {
    if (
      routeKey(service) !== this.#routes ||
      Boolean(service.config[OPENAPI_INFO]) !== Boolean(this.#contracts) ||
      headAsGetOf(service) !== headAsGetOf(this.#service)
    )
      return false;
    const webSocket = webSocketOf(service);
    if (Boolean(webSocket) !== Boolean(this.#webSockets)) return false;
    this.#service = service;
    this.#proxy = proxyOf(service);
    this.#webSockets?.update(service.name, webSocket, this.#proxy?.upstream);
    this.#useContract(service);
    prepareStaticAnswers(respondersOf(service));
    return true;
  }

  /** Takes the service's OpenAPI answers (if any): seeded by the engine, warning through the logger. */
  #useContract(service: Service): OpenApiServiceInfo | undefined {
    const openapi = service.config[OPENAPI_INFO] as OpenApiServiceInfo | undefined;
    if (openapi) {
      openapi.seed.value = this.#engine.seed;
      openapi.report.warn = (message) => this.#logger.warn(`service "${service.name}" (${openapi.file}): ${message}`);
    }
    for (const warning of groupWarnings(openapi?.warnings ?? [])) this.#logger.warn(`service "${service.name}" (${openapi?.file}): ${warning}`);
    this.#contracts = openapi?.contract;
    this.#callbacks = openapi?.callbacks.size ? openapi.callbacks : undefined;
    this.#realAnswerChecks = openapi?.realAnswerChecks.size ? openapi.realAnswerChecks : undefined;
    this.#requestChecks = openapi?.requestChecks.size ? openapi.requestChecks : undefined;
    this.#contractFile = openapi && displayPath(openapi.file);
    return openapi;
  }

  /**
   * A request without a body, of a service with no OpenAPI document and no proxy, over HTTP/1: routed,
   * decided and written here, without fastify's request, reply, hooks and serialiser (a fifth of a
   * mock's answer). An outcome only fastify writes (a streamed or binary body, a cut connection) goes
   * on to fastify decided (see #answer). False: fastify takes the request from the start.
   */
  #answerDirectly(request: IncomingMessage, response: ServerResponse): boolean {
    if (this.#contracts !== undefined || this.#proxy !== undefined || request.httpVersionMajor !== 1 || !isBodiless(request)) return false;
    const method = request.method as string;
    const url = request.url as string;
    const found = this.#addedRoute(method, url) ?? this.#router.find(method, url);
    if (!found) return false;
    const startedAt = performance.now();
    const core = new RestRequest(
      this.#engine,
      this.#service.name,
      found.handler,
      undefined,
      method,
      url,
      found.params,
      found.searchParams,
      request.headers,
      undefined,
      response,
      undefined,
      startedAt,
    );
    const outcome = this.#engine.handle(core);
    if (outcome instanceof Promise) void outcome.then((settled) => this.#finishDirectly(core, settled, request, response));
    else this.#finishDirectly(core, outcome, request, response);
    return true;
  }

  #finishDirectly(core: RestRequest, outcome: Outcome, request: IncomingMessage, response: ServerResponse): void {
    const forFastify = finishDirectly(this.#engine, core, outcome, response);
    if (forFastify === undefined) return;
    decidedOutcomes.set(request, forFastify);
    this.#http.passToFastify(request, response);
  }

  // Not async: a synchronous outcome is written in the request's own tick (see Engine.handle).
  #answer(operation: string, contract: ContractResponder | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const decided = decidedOutcomes.get(request.raw);
    if (decided) {
      decidedOutcomes.delete(request.raw);
      decided.core.reply = reply;
      finish(this.#engine, decided.core, decided.outcome, undefined, reply, decided.core.startedAt, decided.wire);
      return;
    }
    const startedAt = performance.now();
    // A rule added while serving on a path of its own wins over the scenario's route that took the request (`/orders/:id` for `/orders/special`).
    const added = this.#addedRoute(request.method, request.url);
    if (added && added.handler !== operation) {
      operation = added.handler;
      contract = undefined;
      request.params = added.params;
    }
    const core = restRequestOf(this.#engine, this.#service.name, operation, request, reply, startedAt, contract);
    const outcome = this.#engine.handle(core, contract ? 'unmatched' : undefined);
    const callbacks = this.#callbacks?.get(operation);
    const proxy = this.#proxy;
    if (outcome instanceof Promise)
      void outcome.then((settled) => {
        // With a document, no rule answering is the `fallback` outcome: the real service answers, not the document.
        if (proxy && (settled.kind === 'unmatched' || settled.kind === 'fallback'))
          void proxyTo(proxy, this.#engine, core, request, reply, startedAt, this.#reviewOf(operation, proxy));
        else {
          finish(this.#engine, core, settled, contract, reply, startedAt);
          if (callbacks) this.#fireCallbacks(core, settled, reply, callbacks);
        }
      });
    else if (proxy && (outcome.kind === 'unmatched' || outcome.kind === 'fallback'))
      void proxyTo(proxy, this.#engine, core, request, reply, startedAt, this.#reviewOf(operation, proxy));
    else {
      finish(this.#engine, core, outcome, contract, reply, startedAt);
      if (callbacks) this.#fireCallbacks(core, outcome, reply, callbacks);
    }
  }

  /** How the real answer to a proxied request of `operation` is checked against the service's document, if it has one. */
  #reviewOf(operation: string, proxy: ProxyFallback): RealAnswerReview | undefined {
    const check = proxy.check === false ? undefined : this.#realAnswerChecks?.get(operation);
    const checkRequest = proxy.check === false ? undefined : this.#requestChecks?.get(operation);
    const service = this.#service.name;
    if (!check && !checkRequest) return undefined;
    return { check, checkRequest, file: this.#contractFile ?? 'the contract', warn: (message) => this.#logger.warn(`service "${service}": ${message}`) };
  }

  /** The document's `callbacks` of an operation answered 2xx, sent as webhooks naming the rule (or the contract) that answered. */
  #fireCallbacks(core: RestRequest, outcome: Outcome, reply: FastifyReply, callbacks: (request: CoreRequest) => Webhook[]): void {
    const rule = 'rule' in outcome ? outcome.rule : undefined;
    if (!rule || reply.statusCode < 200 || reply.statusCode > 299) return;
    this.#engine.sendWebhooks(core, rule, callbacks(core));
  }

  /**
   * No route took the request: a rule added on its path, a documented path written with (or without)
   * a trailing slash the request lacks (or has), 405 for a documented path asked with another method,
   * else the unmatched answer.
   */
  #answerNotFound(request: FastifyRequest, reply: FastifyReply): void {
    // #answer routes a rule added on a path the scenario lacks.
    const added = this.#addedRoute(request.method, request.url);
    const slashed = added || !this.#methodsOf ? undefined : this.#router.find(request.method, otherTrailingSlash(request.url));
    if (slashed) {
      request.params = slashed.params;
      this.#answer(slashed.handler, this.#contracts?.get(slashed.handler), request, reply);
      return;
    }
    const allowed = added ? undefined : this.#methodsOf?.(pathOf(request.url));
    if (allowed?.length) this.#answerMethodNotAllowed(request, reply, allowed);
    else this.#answer(`${request.method} ${pathOf(request.url)}`, undefined, request, reply);
  }

  /**
   * The operation of a rule added while serving (Stack.addRules) on a path the scenario has no route
   * for: fastify has no route for it, so it is routed here, by a router rebuilt when added rules change.
   * The router has the scenario's routes too, so an added route takes a request only where it would
   * have, had it been there from the start: `/orders/special` over `/orders/:id`, but an added
   * `/orders/*` not over `/orders/:id` (find-my-way prefers the parameter to the wildcard).
   */
  #addedRoute(method: string, url: string): ReturnType<OperationRouter<string>['find']> {
    // Small enough for V8 to inline into the request path (no rule added: two reads and a compare);
    // the rebuild and the lookup are out of line.
    if (this.#added.version !== this.#engine.addedRulesVersion) this.#rebuildAddedRoutes();
    return this.#added.router === undefined ? undefined : this.#findAdded(this.#added.router, method, url);
  }

  #findAdded(router: OperationRouter<string>, method: string, url: string): ReturnType<OperationRouter<string>['find']> {
    const found = router.find(method, url);
    return found && !this.#service.operations.has(found.handler) ? found : undefined;
  }

  #rebuildAddedRoutes(): void {
    const engine = this.#engine;
    let router: OperationRouter<string> | undefined;
    const seen = new Set<string>();
    for (const { service, rule } of engine.addedRules) {
      if (service !== this.#service.name || this.#service.operations.has(rule.operation) || seen.has(rule.operation)) continue;
      seen.add(rule.operation);
      router ??= new OperationRouter<string>({ headAsGet: headAsGetOf(this.#service) });
      router.add(String(rule.meta?.method), String(rule.meta?.path), rule.operation);
    }
    if (router) for (const operation of this.#service.operations.values()) router.add(String(operation.meta.method), String(operation.meta.path), operation.id);
    this.#added = { version: engine.addedRulesVersion, router };
  }

  /** The route template a request was sent to (for requests refused before a handler ran). */
  #routeOf(request: FastifyRequest): string {
    return (this.#ownRouting ? this.#router.find(request.method, request.url)?.template : request.routeOptions.url) ?? pathOf(request.url);
  }

  /** A documented path asked with a method its document does not have: 405 with `Allow`, journaled. */
  #answerMethodNotAllowed(request: FastifyRequest, reply: FastifyReply, allowed: readonly string[]): void {
    const startedAt = performance.now();
    const { message, body } = methodNotAllowed(request.method, pathOf(request.url), allowed);
    const core = restRequestOf(this.#engine, this.#service.name, `${request.method} ${pathOf(request.url)}`, request, reply, startedAt);
    reply.code(405).header('allow', allowed.join(', ')).type('application/problem+json').send(body);
    this.#engine.record(
      core,
      { kind: 'fault', rule: undefined, fault: { code: 'UNIMPLEMENTED', message } as Fault },
      { status: 405, startedAt, error: message },
    );
  }

  /** Malformed JSON, oversized bodies and other errors before a handler runs: 4xx, journaled. */
  #answerBadRequest(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    if (sendingReply === reply && !sendingFault) {
      sendingFault = unsendableFault(sendingRule, `its body is not JSON: ${error.message}`);
      sendFault(reply, sendingFault);
      return;
    }
    const startedAt = performance.now();
    const { status, code, message } = requestErrorOf(error, this.#app.initialConfig.bodyLimit ?? bodyLimitOf(this.#service.config), request.raw.socket);
    const core = restRequestOf(this.#engine, this.#service.name, `${request.method} ${this.#routeOf(request)}`, request, reply, startedAt);
    // A request timeout was answered by the server already, on a connection now closed.
    if (code !== 'REQUEST_TIMEOUT') reply.code(status).send({ error: { code, message } });
    else reply.hijack();
    const journaled = code === 'REQUEST_TIMEOUT' ? Code.DeadlineExceeded : Code.InvalidArgument;
    this.#engine.record(core, { kind: 'fault', rule: undefined, fault: { code: journaled, message } as Fault }, { status, startedAt, error: message });
  }
}

/** A service's proxy fallback: the real service's URL, and the rule the journal names for what it answered. */
interface ProxyFallback {
  upstream: string;
  rule: Rule;
  /** With an OpenAPI document: what becomes of a real answer that breaks it (see RestOptions.checkProxied). */
  check: 'warn' | 'fail' | false;
}

function proxyOf(service: Service): ProxyFallback | undefined {
  const upstream = service.config.proxy;
  if (typeof upstream !== 'string') return undefined;
  // Not a rule of the model: only the journal's name for answers that came from the real service.
  const rule: Rule = { id: `proxy:${service.name}`, name: `proxy to ${upstream}`, operation: '*', matchers: [], respond: undefined };
  const check = service.config.checkProxied;
  return { upstream, rule, check: check === false || check === 'fail' ? check : 'warn' };
}

/** The real service's answer checked against the document, for a validation proxy (Prism's proxy mode). */
interface RealAnswerReview {
  check: RealAnswerCheck | undefined;
  /** What the request breaks of the document (it is sent on all the same, and the breach named). */
  checkRequest: RequestCheck | undefined;
  /** The document, as the warning names it. */
  file: string;
  warn: (message: string) => void;
}

/**
 * No rule answered a request of a service with `proxy`: the real service answers it (WireMock's
 * proxying). Journaled under the rule `proxy:<service>`; an unreachable upstream is a 502 BAD_GATEWAY.
 * With `review` (an OpenAPI service), the request and the real answer are checked against the document:
 * a breach is warned, journaled and named in the `x-mockstack-contract-violation` header, or, of the
 * answer, answered 502 with `checkProxied: 'fail'` (which refuses a request that breaks it before it
 * gets here).
 */
async function proxyTo(
  proxy: ProxyFallback,
  engine: Engine,
  core: CoreRequest,
  request: FastifyRequest,
  reply: FastifyReply,
  startedAt: number,
  review?: RealAnswerReview,
): Promise<void> {
  try {
    const requestBreach = review?.checkRequest?.(core);
    if (requestBreach) review?.warn(`the request ${core.target}, sent on to the real service, breaks ${review.file}: ${requestBreach}`);
    const answer = await forwardHttp(
      proxy.upstream,
      { method: request.method, url: request.url, headers: request.headers, body: request.body },
      core.signal,
      true,
    );
    if (answer.stream) {
      // Server-sent events, passed on as they come (their body is not checked against the document).
      if (requestBreach) reply.header(VIOLATION_HEADER, headerSafe(`request: ${requestBreach}`));
      const { status, headers } = answer;
      const journalBytes = Math.min(engine.journal.maxBodyBytes, STREAM_JOURNAL_BYTES);
      sendWireBody(reply, status, headers, wireBodyOf(answer.stream, core) as WireBody, journalBytes, (sent) =>
        engine.record(
          core,
          { kind: 'reply', rule: proxy.rule, reply: makeReply({ status, headers }) },
          { status: sent.status, startedAt, error: sent.error, response: { headers, body: sent.body } },
        ),
      );
      return;
    }
    const breach = review?.check?.(answer.status, answer.headers['content-type'], answer.body);
    if (breach) {
      const message = `the real service's answer to ${core.target} breaks ${review?.file}: ${breach.detail}`;
      review?.warn(message);
      if (proxy.check === 'fail') {
        const fault = makeFault(Code.Unavailable, message, { httpStatus: 502 });
        reply.code(502).type('application/problem+json').send({
          type: 'https://mockstack.dev/problems/real-answer-breaks-contract',
          title: 'The real service answered something its contract forbids',
          status: 502,
          detail: message,
          problems: breach.problems,
        });
        engine.record(core, { kind: 'fault', rule: proxy.rule, fault }, { status: 502, startedAt, error: message });
        return;
      }
    }
    // Header values are one line; a long list of problems is cut (the journal and the log have it all).
    const violations = [requestBreach && `request: ${requestBreach}`, breach?.detail].filter((part) => part);
    if (violations.length) reply.header(VIOLATION_HEADER, headerSafe(violations.join(' | ')));
    reply.code(answer.status).headers(headerFields(answer.headers));
    reply.send(Buffer.from(answer.raw.buffer, answer.raw.byteOffset, answer.raw.byteLength));
    engine.record(
      core,
      { kind: 'reply', rule: proxy.rule, reply: makeReply({ status: answer.status, headers: answer.headers, body: answer.body }) },
      {
        status: answer.status,
        startedAt,
        error:
          [requestBreach && `the request breaks the contract: ${requestBreach}`, breach && `the real answer breaks the contract: ${breach.detail}`]
            .filter((part) => part)
            .join('; ') || undefined,
      },
    );
  } catch (error) {
    const message = `proxy to ${proxy.upstream} failed: ${describeError((error as Error).cause ?? error)}; is the real service up?`;
    const fault = makeFault(Code.Unavailable, message);
    if (!reply.sent) {
      // The real answer's headers may be what failed: none of them goes with the 502, and a 502 that cannot be written either cuts the connection rather than leave the client waiting.
      try {
        for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
        reply.code(502).send({ error: { code: 'BAD_GATEWAY', message } });
      } catch {
        reply.raw.destroy();
      }
    }
    engine.record(core, { kind: 'fault', rule: proxy.rule, fault }, { status: 502, startedAt, error: message });
  }
}

function* respondersOf(service: Service): Iterable<Rule['respond']> {
  for (const operation of service.operations.values()) for (const rule of operation.rules) yield rule.respond;
}

/** The service's `webSocket` endpoint, if it has one. */
function webSocketOf(service: Service): WebSocketEndpoint | undefined {
  const endpoint = service.config.webSocket;
  return typeof endpoint === 'function' ? (endpoint as WebSocketEndpoint) : undefined;
}

/**
 * Whether HEAD of a GET route is answered as GET (fastify's exposeHeadRoute), as by default; a service
 * with `config.headAsGet: false` answers HEAD only with HEAD routes, as WireMock does for the roots `up` serves.
 */
function headAsGetOf(service: Service): boolean {
  return service.config.headAsGet !== false;
}

function routeKey(service: Service): string {
  return [...service.operations.keys()].sort().join('\n');
}

/**
 * The answer being written now, so that fastify's error handler knows a failure to serialise it is
 * ours (module fields, not an object per request: this is on every answer's path).
 */
let sendingReply: FastifyReply | undefined;
let sendingRule: Rule | undefined;
let sendingFault: Fault | undefined;

/**
 * Sends the outcome and journals it once; an answer that cannot be sent becomes one clear 500 naming
 * the rule. `knownWire`: the outcome's wire body, when the caller made it already (making one takes
 * a stream's reader).
 */
function finish(
  engine: Engine,
  core: RestRequest,
  decided: Outcome,
  contract: ContractResponder | undefined,
  reply: FastifyReply,
  startedAt: number,
  knownWire?: WireBody,
): void {
  const outcome = decided.kind === 'fallback' ? contractAnswer(core, core.requestedUrl, decided.rule, contract) : decided;
  const problem = problemOf(outcome);
  if (problem) {
    const rule = 'rule' in outcome ? outcome.rule : undefined;
    const failed: Outcome = { kind: 'fault', rule, fault: unsendableFault(rule, problem) };
    engine.record(core, failed, { status: send(failed, reply), startedAt });
    return;
  }
  const rule = 'rule' in outcome ? outcome.rule : undefined;
  const wire = knownWire ?? (outcome.kind === 'body' || outcome.kind === 'reply' ? wireBodyOf(bodyOf(outcome), core) : undefined);
  if (wire) {
    const headers = outcome.kind === 'reply' ? outcome.reply.headers : undefined;
    const status = outcome.kind === 'reply' ? (outcome.reply.status ?? 200) : 200;
    sendWireBody(reply, status, headers, wire, Math.min(engine.journal.maxBodyBytes, STREAM_JOURNAL_BYTES), (sent) =>
      engine.record(core, outcome, { status: sent.status, startedAt, error: sent.error, response: { headers, body: sent.body } }),
    );
    return;
  }
  sendingReply = reply;
  sendingRule = rule;
  sendingFault = undefined;
  let status: number | string;
  try {
    status = send(outcome, reply, outcome.kind === 'unmatched' && unmatchedAsText(engine, core));
  } catch (error) {
    // JSON.stringify of a body that is no plain object (a class instance with a throwing toJSON…).
    sendingFault = unsendableFault(rule, `its body is not JSON: ${describeError(error)}`);
    status = send({ kind: 'fault', rule, fault: sendingFault }, reply);
  }
  const fault = sendingFault;
  sendingReply = undefined;
  sendingFault = undefined;
  // fastify's serialiser failed (a BigInt, a cycle): #answerBadRequest answered 500 and left the journaling to us.
  if (fault) engine.record(core, { kind: 'fault', rule, fault }, { status: 500, startedAt });
  else engine.record(core, outcome, { status, startedAt });
}

/** What the journal keeps of a streamed body: under the journal's response preview limit, so it is shown as text, not cut again. */
const STREAM_JOURNAL_BYTES = 32 * 1024;

function bodyOf(outcome: Extract<Outcome, { kind: 'body' | 'reply' }>): unknown {
  return outcome.kind === 'body' ? outcome.body : outcome.reply.body;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Requests #answerDirectly decided but left for fastify to write, by node request: the route handler
 * fastify then calls writes this outcome instead of asking the engine again.
 */
const decidedOutcomes = new WeakMap<IncomingMessage, DecidedRequest>();

/** A request #answerDirectly decided: its outcome, and the wire body made for it (see finish). */
interface DecidedRequest {
  core: RestRequest;
  outcome: Outcome;
  wire?: WireBody | undefined;
}

/**
 * Writes the outcome of a request #answerDirectly took straight on node's response and journals it,
 * as `finish` does through fastify. Returns undefined then; else, having written and journaled
 * nothing, the request as fastify must write it: a streamed or binary body, a cut connection, a body
 * on a 204.
 */
function finishDirectly(engine: Engine, core: RestRequest, outcome: Outcome, response: ServerResponse): DecidedRequest | undefined {
  if (outcome.kind === 'fallback' || (outcome.kind === 'fault' && outcome.fault.transport)) return { core, outcome };
  const startedAt = core.startedAt;
  if (outcome.kind === 'aborted') {
    engine.record(core, outcome, { status: 499, startedAt });
    return undefined;
  }
  const rule = 'rule' in outcome ? outcome.rule : undefined;
  const problem = problemOf(outcome);
  if (problem) return answerUnsendable(engine, core, rule, problem, response);
  // Looked up for a miss only: a matched request (every one on the hot path) pays nothing for it.
  const { status, headers, body } = answerOf(outcome, outcome.kind === 'unmatched' && unmatchedAsText(engine, core));
  const wire = outcome.kind === 'body' || outcome.kind === 'reply' ? wireBodyOf(body, core) : undefined;
  if (wire) return { core, outcome, wire };
  let written: boolean;
  try {
    // A handler's answer is made per request: only a rule's own value can be a static body.
    written = writeDirectly(response, core.method, status, headers, body, typeof rule?.respond !== 'function');
  } catch (error) {
    return answerUnsendable(engine, core, rule, `its body is not JSON: ${describeError(error)}`, response);
  }
  if (!written) return { core, outcome };
  engine.record(core, outcome, { status, startedAt });
  return undefined;
}

/** An answer that cannot go out over HTTP: one clear 500 naming the rule instead, written and journaled. */
function answerUnsendable(engine: Engine, core: RestRequest, rule: Rule | undefined, problem: string, response: ServerResponse): undefined {
  const failed: Outcome = { kind: 'fault', rule, fault: unsendableFault(rule, problem) };
  const { status, headers, body } = answerOf(failed);
  writeDirectly(response, core.method, status, headers, body);
  engine.record(core, failed, { status, startedAt: core.startedAt });
  return undefined;
}

/**
 * Whether the service answers a request no rule matched in plain text (`config.unmatchedAsText`), as
 * WireMock does, for the WireMock roots `up` serves; else as JSON.
 */
function unmatchedAsText(engine: Engine, core: RestRequest): boolean {
  return engine.model.services.get(core.service)?.config.unmatchedAsText === true;
}

/** The status, headers and body an outcome other than a cut connection is answered with (an unmatched one in plain text with `text`). */
function answerOf(
  outcome: Exclude<Outcome, { kind: 'fallback' | 'aborted' }>,
  text = false,
): {
  status: number;
  headers: Record<string, string> | undefined;
  body: unknown;
} {
  switch (outcome.kind) {
    case 'body':
      return { status: outcome.body === undefined ? 204 : 200, headers: undefined, body: outcome.body };
    case 'reply': {
      const { status, headers, body } = outcome.reply;
      return { status: status ?? (body === undefined ? 204 : 200), headers, body };
    }
    case 'fault': {
      const { status, headers } = faultStatusAndHeaders(outcome.fault);
      return { status, headers, body: faultBody(outcome.fault) };
    }
    case 'unmatched':
      return unmatchedAnswer(outcome.miss, text);
  }
}

/** The RestRequest of a request fastify routed (or refused, or answered itself: no contract then). */
function restRequestOf(
  engine: Engine,
  service: string,
  operation: string,
  request: FastifyRequest,
  reply: FastifyReply,
  startedAt: number,
  contract?: ContractResponder,
): RestRequest {
  const params = (request.params ?? {}) as Record<string, string>;
  const query = (request.query ?? {}) as CoreRequest['query'];
  return new RestRequest(
    engine,
    service,
    operation,
    contract,
    request.method,
    request.url,
    params,
    query,
    request.headers,
    request.body,
    reply.raw,
    reply,
    startedAt,
  );
}

/**
 * A CoreRequest over node's request (the fastify request's fields, when fastify routed it). A class,
 * not a literal with a defined property: every request then shares one shape, and `signal` is a
 * prototype getter, so it is made only on first use (delays, handlers that ask). The engine hands
 * this object to handlers as their context.
 */
class RestRequest implements CoreRequest {
  readonly protocol = 'rest';
  readonly service: string;
  readonly operation: string;
  readonly params: Record<string, string>;
  readonly query: CoreRequest['query'];
  readonly headers: CoreRequest['headers'];
  readonly body: unknown;
  readonly target: string;
  readonly targetHasQuery: boolean;
  /** Set by the engine before a handler runs: this request is the handler's context (declared, so that every request keeps one shape). */
  state: unknown = undefined;
  call = 0;
  publish: HandlerContext['publish'] | undefined = undefined;
  readonly method: string;
  readonly startedAt: number;
  /** fastify's reply, when fastify writes the answer (undefined: #answerDirectly does). */
  reply: FastifyReply | undefined;
  readonly #engine: Engine;
  readonly #contract: ContractResponder | undefined;
  readonly #response: ServerResponse;
  readonly #url: string;
  #signal: AbortSignal | undefined;

  constructor(
    engine: Engine,
    service: string,
    operation: string,
    contract: ContractResponder | undefined,
    method: string,
    url: string,
    params: Record<string, string>,
    query: CoreRequest['query'],
    headers: CoreRequest['headers'],
    body: unknown,
    response: ServerResponse,
    reply: FastifyReply | undefined,
    startedAt: number,
  ) {
    this.#engine = engine;
    this.#contract = contract;
    this.startedAt = startedAt;
    this.service = service;
    this.operation = operation;
    this.method = method;
    this.params = params;
    this.query = query;
    this.headers = headers;
    this.body = body;
    this.target = `${method} ${url}`;
    // Searched in the URL as node gave it (one flat string), not in the target made of it.
    this.targetHasQuery = url.includes('?');
    this.#url = url;
    this.#response = response;
    this.reply = reply;
  }

  get signal(): AbortSignal {
    this.#signal ??= clientGoneSignal(this.#response);
    return this.#signal;
  }

  /** The REST handler context's `request`: the protocol-neutral request, which is this object. */
  get request(): CoreRequest {
    return this;
  }

  /** The URL as the client named it: https over TLS, the Host (or HTTP/2 :authority) it sent, path and query. */
  get requestedUrl(): URL {
    const header = (name: string) => {
      const value = this.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const scheme = header(':scheme') ?? ((this.#response.socket as { encrypted?: boolean } | null)?.encrypted ? 'https' : 'http');
    const host = header('host') ?? header(':authority') ?? 'localhost';
    // Appended, not resolved: a request line `//other/x` is a path here. A Host no URL can hold (`a b`) is the client's mistake.
    const path = `${this.#url.startsWith('/') ? '' : '/'}${this.#url}`;
    try {
      return new URL(`${scheme}://${host}${path}`);
    } catch {
      return new URL(`${scheme}://localhost${path}`);
    }
  }

  /** See CoreRequest.answerLate: a handler was stopped, and this request still wants an answer. */
  answerLate(outcome: Outcome): void {
    const reply = this.reply;
    if (reply ? reply.sent : this.#response.headersSent) return;
    // The stop unwound node's HTTP parser of this connection too: the connection cannot take another request.
    if (!http2StreamOf(this.#response)) {
      if (reply) reply.header('connection', 'close');
      else this.#response.setHeader('connection', 'close');
    }
    if (reply) finish(this.#engine, this, outcome, this.#contract, reply, this.startedAt);
    else if (finishDirectly(this.#engine, this, outcome, this.#response)) this.#response.destroy();
  }
}

/** Writes the outcome as HTTP and returns the status written (499 when the client left first). */
function send(outcome: Exclude<Outcome, { kind: 'fallback' }>, reply: FastifyReply, unmatchedText = false): number | string {
  if (outcome.kind === 'aborted') return endWithoutAnswer(reply, 'aborted');
  if (outcome.kind === 'fault' && outcome.fault.transport) return endWithoutAnswer(reply, outcome.fault.transport);
  const { status, headers, body } = answerOf(outcome, unmatchedText);
  return sendBody(reply, status, headers, body);
}

function sendBody(reply: FastifyReply, status: number, headers: Record<string, string> | undefined, body: unknown): number {
  reply.code(status);
  if (headers) reply.headers(headerFields(headers));
  // Only the outcome's own headers can have set a content type.
  const typed = headers !== undefined && reply.hasHeader('content-type');
  if (body === undefined) reply.send();
  else if (typeof body === 'string' || body instanceof Uint8Array) {
    if (!typed) reply.type(typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    reply.send(typeof body === 'string' || Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  } else if (!typed && typeof body === 'object' && body !== null && (Array.isArray(body) || isPlainObject(body))) {
    // fastify's own JSON path: it sets a content type it need not parse again (~20% of a static answer).
    reply.send(body);
  } else {
    if (!typed) reply.type('application/json; charset=utf-8');
    reply.send(JSON.stringify(body));
  }
  return status;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function sendFault(reply: FastifyReply, fault: Fault): number | string {
  return send({ kind: 'fault', rule: undefined, fault }, reply);
}

/** The same warning about more operations than this is said once, with a count and the first few. */
const GROUPED_FROM = 4;

/**
 * A document's warnings as said at start: one line for a warning shared by many operations (Microsoft
 * Graph's ~200 `application/octet-stream` responses without an example), naming the first three.
 */
export function groupWarnings(warnings: readonly string[]): string[] {
  // `GET /a: message` → the message, and the operations that share it.
  const parsed = warnings.map((warning) => ({ warning, match: /^([A-Z]+ \S+): (.+)$/s.exec(warning) }));
  const byMessage = new Map<string, string[]>();
  for (const { match } of parsed) {
    if (!match) continue;
    const [, operation = '', message = ''] = match;
    const operations = byMessage.get(message);
    if (operations) operations.push(operation);
    else byMessage.set(message, [operation]);
  }
  const said = new Set<string>();
  const lines: string[] = [];
  for (const { warning, match } of parsed) {
    const message = match?.[2] ?? '';
    const operations = match ? byMessage.get(message) : undefined;
    if (!operations || operations.length < GROUPED_FROM) lines.push(warning);
    else if (!said.has(message)) {
      said.add(message);
      lines.push(`${operations.length} operations (${operations.slice(0, 3).join(', ')}, …): ${message}`);
    }
  }
  return lines;
}

/**
 * The request line with its path's trailing slash dropped, or one added: servers of documents that
 * write `/version/` (Kubernetes, Django REST framework APIs) answer `/version` too, and clients drop or
 * add it (@kubernetes/client-node asks for `/version` where its own document says `/version/`).
 */
function otherTrailingSlash(url: string): string {
  const query = url.search(/[?#]/);
  const path = query === -1 ? url : url.slice(0, query);
  const rest = query === -1 ? '' : url.slice(query);
  if (path === '/' || path === '') return url;
  return `${path.endsWith('/') ? path.slice(0, -1) : `${path}/`}${rest}`;
}
