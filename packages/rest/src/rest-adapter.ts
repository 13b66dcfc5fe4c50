// The globals `performance` and `Buffer` are getters in Node; imports are plain bindings (read on every request).
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import {
  type Adapter,
  type AdapterContext,
  type CoreRequest,
  type Engine,
  type Fault,
  type HttpHandler,
  httpStatusOfCode,
  type MissReport,
  type Outcome,
  type Service,
  type ServiceAddress,
  type ServiceServer,
} from '@mockstack/core';
import { clientGoneSignal, HttpApp, type HttpAppOptions } from '@mockstack/http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { addBodyParsers } from './body-parsers.js';
import { OPENAPI_INFO, type OpenApiServiceInfo } from './openapi-info.js';
import { validateRestService } from './path-template.js';

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Serves a REST service of the model with fastify; fastify's router does the path matching. */
export const restAdapter: Adapter = {
  protocol: 'rest',
  sharesHttpPort: true,
  // OpenAPI support (ajv, yaml, $ref bundling) loads only for services that use it: it is a large part of start-up.
  expand: async (service, context) =>
    typeof service.config?.openapi === 'string' || service.rules.some((r) => typeof r.meta?.operationId === 'string')
      ? (await import('./openapi-expand.js')).expandOpenApi(service, context)
      : service,
  validate: async (service, model) => [
    ...validateRestService(service, model),
    ...(service.config[OPENAPI_INFO] ? (await import('./openapi-expand.js')).validateOpenApiVariants(service, model) : []),
  ],
  create: (service, context) => new RestServer(service, context),
};

class RestServer implements ServiceServer {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #app: FastifyInstance;
  readonly #routes: string;
  readonly #http: HttpApp;

  constructor(service: Service, { engine, logger }: AdapterContext) {
    this.#service = service;
    const openapi = service.config[OPENAPI_INFO] as OpenApiServiceInfo | undefined;
    if (openapi) {
      openapi.seed.value = engine.seed;
      openapi.report.warn = (message) => logger.warn(`service "${service.name}" (${openapi.file}): ${message}`);
    }
    for (const warning of openapi?.warnings ?? []) logger.warn(`service "${service.name}" (${openapi?.file}): ${warning}`);
    this.#engine = engine;
    this.#routes = routeKey(service);
    const bodyLimit = typeof service.config.bodyLimit === 'number' ? service.config.bodyLimit : DEFAULT_BODY_LIMIT;
    this.#http = new HttpApp({ bodyLimit, cors: service.config.cors as HttpAppOptions['cors'] });
    this.#app = this.#http.fastify;
    addBodyParsers(this.#app, bodyLimit);

    // fastify answers HEAD for every GET route unless the service declares its own HEAD (OpenAPI documents often do).
    const heads = new Set([...service.operations.values()].filter((o) => o.meta.method === 'HEAD').map((o) => String(o.meta.path)));
    for (const operation of service.operations.values()) {
      const method = String(operation.meta.method) as HTTPMethods;
      const url = String(operation.meta.path);
      const id = operation.id;
      this.#app.route({ method, url, exposeHeadRoute: !heads.has(url), handler: (request, reply) => this.#answer(id, request, reply) });
    }
    const methodsOf = openapi ? documentedMethods(service) : undefined;
    this.#app.setNotFoundHandler((request, reply) => {
      const allowed = methodsOf?.(pathOf(request.url));
      if (allowed?.length) this.#answerMethodNotAllowed(request, reply, allowed);
      else this.#answer(`${request.method} ${pathOf(request.url)}`, request, reply);
    });
    this.#app.setErrorHandler((error: FastifyError, request, reply) => this.#answerBadRequest(error, request, reply));
  }

  listen(): Promise<ServiceAddress> {
    return this.#http.listen(this.#service);
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  host(path: string, handler: HttpHandler): () => void {
    return this.#http.host(path, handler);
  }

  /** Rules and handlers are read from the engine per request, so only a new route set needs a restart. */
  update(service: Service): boolean {
    return routeKey(service) === this.#routes;
  }

  // Not async: a synchronous outcome is written in the request's own tick (see Engine.handle).
  #answer(operation: string, request: FastifyRequest, reply: FastifyReply): void {
    const startedAt = performance.now();
    const core = toCoreRequest(this.#service.name, operation, request, reply);
    const outcome = this.#engine.handle(core);
    if (outcome instanceof Promise) void outcome.then((settled) => this.#finish(core, settled, reply, startedAt));
    else this.#finish(core, outcome, reply, startedAt);
  }

  #finish(core: CoreRequest, outcome: Outcome, reply: FastifyReply, startedAt: number): void {
    const status = send(outcome, reply);
    this.#engine.record(core, outcome, { status, startedAt });
  }

  /** A documented path asked with a method its document does not have: 405 with `Allow`, journaled. */
  #answerMethodNotAllowed(request: FastifyRequest, reply: FastifyReply, allowed: readonly string[]): void {
    const startedAt = performance.now();
    const message = `${request.method} is not an operation of ${pathOf(request.url)} in the OpenAPI document; it has ${allowed.join(', ')}`;
    const core = toCoreRequest(this.#service.name, `${request.method} ${pathOf(request.url)}`, request, reply);
    reply
      .code(405)
      .header('allow', allowed.join(', '))
      .type('application/problem+json')
      .send({ type: 'https://mockstack.dev/problems/method-not-allowed', title: 'Method not allowed', status: 405, detail: message, allow: allowed });
    this.#engine.record(
      core,
      { kind: 'fault', rule: undefined, fault: { code: 'UNIMPLEMENTED', message } as Fault },
      { status: 405, startedAt, error: message },
    );
  }

  /** Malformed JSON, oversized bodies and other errors before a handler runs: 4xx, journaled. */
  #answerBadRequest(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const startedAt = performance.now();
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const message =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `request body is larger than this service's limit of ${this.#app.initialConfig.bodyLimit} bytes (set bodyLimit on the service to raise it)`
        : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? `request body is not valid JSON: ${error.message}`
          : error.message;
    const core = toCoreRequest(this.#service.name, `${request.method} ${routeOf(request)}`, request, reply);
    reply.code(status).send({ error: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message } });
    this.#engine.record(core, { kind: 'fault', rule: undefined, fault: { code: 'INVALID_ARGUMENT', message } as Fault }, { status, startedAt, error: message });
  }
}

/**
 * The methods documented for a concrete path (`/v2/rates/abc` → GET, PUT), for a 405 on the
 * others. Matched only for requests no route took, so a scan of the templates is fine.
 */
function documentedMethods(service: Service): (path: string) => string[] {
  const templates = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const operation of service.operations.values()) {
    const route = String(operation.meta.path);
    let entry = templates.get(route);
    if (!entry) {
      const pattern = new RegExp(
        `^${route
          .split('/')
          .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
          .join('/')}/?$`,
      );
      entry = { pattern, methods: new Set() };
      templates.set(route, entry);
    }
    entry.methods.add(String(operation.meta.method));
    if (operation.meta.method === 'GET') entry.methods.add('HEAD');
  }
  return (path) => {
    const methods = new Set<string>();
    for (const { pattern, methods: own } of templates.values()) if (pattern.test(path)) for (const m of own) methods.add(m);
    return [...methods].sort();
  };
}

function routeKey(service: Service): string {
  return [...service.operations.keys()].sort().join('\n');
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? pathOf(request.url);
}

function toCoreRequest(service: string, operation: string, request: FastifyRequest, reply: FastifyReply): CoreRequest {
  return new RestRequest(service, operation, request, reply);
}

/**
 * A CoreRequest over a fastify request. A class, not a literal with a defined property: every
 * request then shares one shape, and `signal` is a prototype getter, so it is made only on first
 * use (delays, handlers that ask) and copying the request (the handler context) does not make it.
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
  readonly #reply: FastifyReply;
  #signal: AbortSignal | undefined;

  constructor(service: string, operation: string, request: FastifyRequest, reply: FastifyReply) {
    this.service = service;
    this.operation = operation;
    this.params = (request.params ?? {}) as Record<string, string>;
    this.query = (request.query ?? {}) as CoreRequest['query'];
    this.headers = request.headers;
    this.body = request.body;
    this.target = `${request.method} ${request.url}`;
    this.#reply = reply;
  }

  get signal(): AbortSignal {
    this.#signal ??= clientGoneSignal(this.#reply.raw);
    return this.#signal;
  }
}

/** Writes the outcome as HTTP and returns the status written (499 when the client left first). */
function send(outcome: Outcome, reply: FastifyReply): number | string {
  switch (outcome.kind) {
    case 'body':
      return sendBody(reply, outcome.body === undefined ? 204 : 200, undefined, outcome.body);
    case 'reply': {
      const { status, headers, body } = outcome.reply;
      return sendBody(reply, status ?? (body === undefined ? 204 : 200), headers, body);
    }
    case 'fault':
      return sendFault(reply, outcome.fault);
    case 'unmatched':
      return sendUnmatched(reply, outcome.miss);
    case 'aborted':
      reply.hijack();
      return 499;
  }
}

function sendBody(reply: FastifyReply, status: number, headers: Record<string, string> | undefined, body: unknown): number {
  reply.code(status);
  if (headers) reply.headers(headers);
  // Only the outcome's own headers can have set a content type.
  const typed = headers !== undefined && reply.hasHeader('content-type');
  if (body === undefined) reply.send();
  else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!typed) reply.type(typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    reply.send(body);
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
  if (fault.transport) {
    reply.hijack();
    const socket = reply.raw.socket;
    if (fault.transport === 'reset') socket?.resetAndDestroy();
    else socket?.end();
    return fault.transport === 'reset' ? 'connection reset' : 'empty reply';
  }
  const status = fault.httpStatus ?? httpStatusOfCode[fault.code];
  const headers: Record<string, string> = { ...fault.headers };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  const body =
    fault.body !== undefined
      ? fault.body
      : { error: { code: fault.code, message: fault.message, ...(fault.details !== undefined && { details: fault.details }) } };
  return sendBody(reply, status, headers, body);
}

function sendUnmatched(reply: FastifyReply, miss: MissReport): number {
  return sendBody(reply, 404, { 'x-mockstack-unmatched': '1' }, { error: { code: 'UNMATCHED', ...miss } });
}
