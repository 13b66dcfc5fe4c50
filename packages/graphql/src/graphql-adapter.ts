import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AdapterContext,
  type Engine,
  type HttpHandler,
  JsonText,
  makeFault,
  type Service,
  type ServiceAddress,
  type ServiceServer,
  tlsOf,
} from '@mockstack/core';
import { bodyLimitOf, endWithoutAnswer, HttpApp, type HttpAppOptions, headerFields, pathOf, refuseUpgrade, requestErrorOf } from '@mockstack/http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { operationOf } from './documents.js';
import {
  batchRefusal,
  type Executed,
  errorsBody,
  FORWARD,
  GraphqlExecutor,
  type GraphqlParams,
  type GraphqlRequest,
  INVALID,
  isPromiseLike,
  parseJsonParam,
  recordAnswer,
  recordBatch,
  runBatch,
  sendable,
  unserialisable,
} from './graphql-executor.js';
import { acceptsGraphqlBody, type GraphqlEndpoint, graphqlRequestOf } from './http-request.js';
import { GraphqlProxy } from './proxy.js';
import { validateGraphqlService } from './schema.js';
import { StreamedOperations, SubscriptionRequest } from './streamed.js';
import { SubscriptionTransports, transportOf } from './subscriptions.js';

export { validateGraphqlService };

/** A running GraphQL service (loaded on demand by the adapter in index.ts). */
export function createGraphqlServer(service: Service, context: AdapterContext): ServiceServer {
  return new GraphqlServer(service, context);
}

/**
 * A GraphQL service on its fastify server: POST and GET at its path answered by the executor (as in
 * mockstack/msw), graphql-ws and graphql-sse by the subscription transports, and what no rule
 * answers by the real service when it has `proxy`.
 */
class GraphqlServer implements ServiceServer {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #app: FastifyInstance;
  readonly #path: string;
  /** Whether GraphQL is served at every path of the port, not only at `#path`. */
  readonly #anyPath: boolean;
  readonly #endpoint: GraphqlEndpoint;
  /** Schema, auto-mock and rules: the request path shared with mockstack/msw. */
  readonly #executor: GraphqlExecutor;
  readonly #proxy: GraphqlProxy | undefined;
  readonly #http: HttpApp;
  readonly #transports: SubscriptionTransports;

  constructor(service: Service, { engine, logger, limits: serverLimits }: AdapterContext) {
    this.#service = service;
    this.#engine = engine;
    const config = service.config;
    const streamed = new StreamedOperations(service.name, engine, config.subscriptions);
    const path = typeof config.path === 'string' ? config.path : '/graphql';
    this.#executor = new GraphqlExecutor(service, engine, logger, {
      subscriptionField: streamed.subscriptionField,
      subscriptionOverHttp: `subscriptions are served at ${path} over WebSocket (graphql-ws), server-sent events (graphql-sse: send the request with accept: text/event-stream) or multipart HTTP (accept: multipart/mixed), not as a plain HTTP request`,
    });
    streamed.serve(this.#executor);
    this.#path = this.#executor.path;
    this.#endpoint = { service: service.name, path: this.#path, postTarget: `POST ${this.#path}` };
    const upstream = typeof config.proxy === 'string' ? URL.parse(config.proxy) : null;
    this.#proxy = upstream ? new GraphqlProxy(service.name, upstream, engine, this.#executor.schema, service.operations) : undefined;

    const bodyLimit = bodyLimitOf(config);
    this.#http = new HttpApp({
      bodyLimit,
      cors: config.cors as HttpAppOptions['cors'],
      warn: (message) => logger.warn(`service "${service.name}": ${message}`),
      limits: serverLimits,
      tls: tlsOf(config, service.name),
      http2: config.http2 as HttpAppOptions['http2'],
    });
    this.#app = this.#http.fastify;
    acceptsGraphqlBody(this.#app);
    this.#transports = new SubscriptionTransports(this.#executor.schema, streamed.host());
    // A service without a `path` of its own answers at every path: clients call `/v1/graphql`, `/api/2025-01/graphql.json`…
    this.#anyPath = typeof config.path !== 'string';
    for (const route of this.#anyPath ? [this.#path, '*'] : [this.#path]) {
      this.#app.post(route, (request, reply) =>
        Array.isArray(request.body)
          ? this.#answerBatch(request, reply, request.body)
          : this.#serve(request, reply, (request.body ?? {}) as GraphqlParams, 'POST'),
      );
      this.#app.get(route, (request, reply) => this.#serve(request, reply, (request.query ?? {}) as GraphqlParams, 'GET'));
      // graphql-sse's single-connection mode: PUT reserves a stream, DELETE stops an operation on it.
      this.#app.put(route, (request, reply) => this.#transports.sse(request, reply));
      this.#app.delete(route, (request, reply) => this.#transports.sse(request, reply));
    }
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

  /** A WebSocket upgrade: graphql-ws at the GraphQL path (any path without one); anywhere else 404, journaled, and the socket closed. */
  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(request.url ?? '/');
    if (path === this.#path || this.#anyPath) {
      this.#transports.upgrade(request, socket, head);
      return;
    }
    const startedAt = performance.now();
    const message = `no WebSocket endpoint at ${path}; GraphQL subscriptions (graphql-ws) are served at ${this.#path}`;
    refuseUpgrade(socket, 404, errorsBody(message, 'NOT_FOUND'));
    const core = new SubscriptionRequest(this.#service.name, INVALID, request.headers, undefined, `GET ${request.url ?? '/'} (WebSocket upgrade)`, undefined);
    this.#engine.record(core, { kind: 'fault', rule: undefined, fault: makeFault('NOT_FOUND', message) }, { status: 404, startedAt });
  }

  /** A POST or GET at the GraphQL path, answered over the transport its accept header and operation ask for. */
  #serve(request: FastifyRequest, reply: FastifyReply, params: GraphqlParams, method: 'GET' | 'POST'): void | Promise<void> {
    switch (transportOf(request, () => this.#isSubscription(params))) {
      case 'sse':
        return this.#transports.sse(request, reply);
      case 'multipart':
        return this.#transports.multipart(request, reply, {
          query: params.query,
          variables: parseJsonParam(params.variables),
          operationName: params.operationName,
          extensions: parseJsonParam(params.extensions),
        });
      default:
        return this.#answer(request, reply, params, method);
    }
  }

  /** Whether the request's operation is a subscription (from the executor's document cache: it is parsed once either way). */
  #isSubscription(params: GraphqlParams): boolean {
    if (typeof params.query !== 'string') return false;
    const compiled = this.#executor.documents.get(params.query);
    if (!compiled.ok) return false;
    const name = typeof params.operationName === 'string' && params.operationName !== '' ? params.operationName : undefined;
    return operationOf(compiled, name)?.type === 'subscription';
  }

  /** Answers a GraphQL request over HTTP with the executor; in the same tick when nothing on its path is async. */
  #answer(request: FastifyRequest, reply: FastifyReply, params: GraphqlParams, method: 'GET' | 'POST'): void | Promise<void> {
    const startedAt = performance.now();
    const core = graphqlRequestOf(this.#endpoint, request, reply, params);
    const executed = this.#executor.run(core, params, method, this.#proxy?.takes);
    return isPromiseLike(executed)
      ? Promise.resolve(executed).then((done) => this.#written(request, reply, core, startedAt, done))
      : this.#written(request, reply, core, startedAt, executed);
  }

  #written(request: FastifyRequest, reply: FastifyReply, core: GraphqlRequest, startedAt: number, executed: Executed | typeof FORWARD): void | Promise<void> {
    return executed === FORWARD ? this.#proxy?.forward(request, reply, core, startedAt) : this.#finish(reply, core, startedAt, executed);
  }

  /** A batch (a JSON array of operations, as Apollo Client's BatchHttpLink sends): see `runBatch`. */
  async #answerBatch(request: FastifyRequest, reply: FastifyReply, batch: readonly unknown[]): Promise<void> {
    const startedAt = performance.now();
    const refusal = batchRefusal(batch.length);
    if (refusal) return this.#refuse(request, reply, 400, refusal, 'BAD_REQUEST');
    const answered = await runBatch(this.#executor, batch, (params) => graphqlRequestOf(this.#endpoint, request, reply, params));
    if (answered.transport) {
      recordBatch(this.#engine, answered, startedAt, endWithoutAnswer(reply, answered.transport));
      return;
    }
    reply.code(answered.status).type('application/json; charset=utf-8').send(answered.text);
    recordBatch(this.#engine, answered, startedAt);
  }

  /** Requests refused before GraphQL sees them (bad JSON, too large, wrong path): GraphQL errors, journaled. */
  #refuse(request: FastifyRequest, reply: FastifyReply, status: number, message: string, code: string): void {
    const startedAt = performance.now();
    const core = graphqlRequestOf(this.#endpoint, request, reply, {});
    core.body = undefined;
    this.#finish(reply, core, startedAt, { answer: { status, body: errorsBody(message, code) } });
  }

  /** Writes the answer (the INTERNAL fault's when it cannot go out over HTTP) and journals it. */
  #finish(reply: FastifyReply, core: GraphqlRequest, startedAt: number, executed: Executed): void {
    let done = sendable(executed);
    const answer = done.answer;
    let status: number | string;
    /** The JSON text written, journaled in place of the body (see `JsonText`). */
    let sent: JsonText | undefined;
    if ('transport' in answer) {
      status = endWithoutAnswer(reply, answer.transport);
    } else {
      status = answer.status;
      reply.code(answer.status);
      if (answer.headers) reply.headers(headerFields(answer.headers));
      try {
        sent = sendBody(reply, core, answer);
      } catch (error) {
        // JSON.stringify threw (a BigInt, a cycle in a JSON scalar, a throwing toJSON) before anything was written.
        done = unserialisable(done, error);
        status = 500;
        sendFailed(reply, done);
      }
    }
    recordAnswer(this.#engine, core, startedAt, status, done.answer === answer ? done : { ...done, answer }, sent);
  }
}

/** The 500 of an answer that could not be serialised (see `unserialisable`). */
function sendFailed(reply: FastifyReply, failed: Executed): void {
  reply
    .code(500)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify((failed.answer as { body: unknown }).body));
}

/**
 * Writes a GraphQL answer's body as JSON (the GraphQL-over-HTTP media type when the client asks for
 * it); returns the JSON written, or undefined when there was none (an undefined body).
 */
function sendBody(reply: FastifyReply, core: GraphqlRequest, answer: Extract<Executed['answer'], { status: number }>): JsonText | undefined {
  const accept = core.headers.accept;
  const text = JSON.stringify(answer.body) as string | undefined;
  const media = typeof accept === 'string' && accept.includes('application/graphql-response+json') ? 'application/graphql-response+json' : 'application/json';
  reply.type(`${media}; charset=utf-8`);
  if (text === undefined) {
    reply.send();
    return undefined;
  }
  // Bytes, not the text: what the journal keeps of them lies outside the JS heap, and they are written as they are.
  const bytes = Buffer.from(text);
  reply.send(bytes);
  return new JsonText(bytes);
}
