import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createH2cServer, createSecureServer, type Http2Session, constants as h2 } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  type CorsOptions,
  CorsOriginPolicy,
  type Http2Setting,
  type HttpHandler,
  type ServerLimits,
  type Service,
  type ServiceAddress,
  type TlsMaterial,
  type UpgradeHandler,
} from '@mockstack/core';
import cors from 'cors';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeRequestBody } from './content-encoding.js';
import { HttpMounts } from './http-mounts.js';
import { IdleConnections } from './idle-connections.js';

const EXPOSED_HEADERS = ['location', 'link', 'retry-after', 'x-total-count', 'x-request-id', 'x-mockstack-unmatched'];

export interface HttpAppOptions {
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** The service's `cors` setting: undefined or true for the defaults, false for none. */
  cors: boolean | CorsOptions | undefined;
  /** Told the first time each origin is refused CORS (see CorsOriginPolicy), with what to change. */
  warn?: ((message: string) => void) | undefined;
  /** The stack's timeouts and connection cap. */
  limits: ServerLimits;
  /** Serve HTTPS with this certificate (see `tlsOf`). */
  tls?: TlsMaterial | undefined;
  /**
   * HTTP/2: with TLS on by default (negotiated by ALPN, HTTP/1.1 still served on the port; `false`: HTTP/1.1
   * only). Without TLS, `'h2c'` serves HTTP/2 with prior knowledge only: node's plain HTTP/2 server cannot
   * also take HTTP/1.1 on the same port.
   */
  http2?: Http2Setting | undefined;
}

/**
 * The HTTP side of a REST or GraphQL service: a fastify app on a node server of our own, whose
 * request listener hands requests to services mounted on this port first, answers CORS, and then
 * lets fastify route. The same listener serves a service that is itself mounted on another's port.
 */
export class HttpApp {
  readonly fastify: FastifyInstance;
  readonly #mounts = new HttpMounts();
  readonly #scheme: 'http' | 'https';
  readonly #tlsCaFile: string | undefined;
  /** Set by `serverFactory`, which `Fastify()` calls at once. */
  #listener!: HttpHandler;
  #ownUpgrade: UpgradeHandler | undefined;
  #upgrades = false;
  /** See answerFirst: takes a request before fastify does, or leaves it (false). */
  #first: ((request: IncomingMessage, response: ServerResponse) => boolean) | undefined;
  /** fastify's own request handler (routing, hooks, body parsing): see passToFastify. */
  #fastifyRoute!: HttpHandler;
  /** The idle timeout's watch of HTTP/1 connections (none for HTTP/2, whose sessions time out themselves, or with no timeout). */
  #idle: IdleConnections | undefined;

  constructor(options: HttpAppOptions) {
    const corsHandler = corsHandlerOf(options.cors, options.warn);
    this.#scheme = options.tls ? 'https' : 'http';
    this.#tlsCaFile = options.tls?.caFile;
    this.fastify = withOnePreReadyListener(() =>
      Fastify({
        logger: false,
        bodyLimit: options.bodyLimit,
        // Path parameters as real clients send them: long ids, cursors, serialized objects (fastify's default is 100 characters).
        routerOptions: { maxParamLength: 2048 },
        // Connections are cut by close() itself: at once, or after a drain.
        forceCloseConnections: 'idle',
        return503OnClosing: false,
        serverFactory: (fastifyRoute) => {
          this.#fastifyRoute = fastifyRoute;
          const route: HttpHandler = (request, response) => {
            if (this.#first === undefined || !this.#first(request, response)) fastifyRoute(request, response);
          };
          const own: HttpHandler = corsHandler ? withCors(corsHandler, route) : route;
          this.#listener = this.#mounts.listener(own);
          const { server, idle } = limitedServer(this.#listener, options);
          this.#idle = idle;
          return server;
        },
      }),
    );
    // Compressed request bodies are decoded on routes of methods that carry one: a GET or HEAD route skips the hook's cost.
    this.fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (methods.every((method) => method === 'GET' || method === 'HEAD')) return;
      const own = route.preParsing;
      route.preParsing = [...(own === undefined ? [] : Array.isArray(own) ? own : [own]), decodeRequestBody];
    });
  }

  /** Listens on the service's host and port; the URL gets `path` (e.g. `/graphql`) appended. */
  async listen(service: Service, path = ''): Promise<ServiceAddress> {
    await this.fastify.listen({ port: service.port, host: service.host, listenTextResolver: () => '' });
    const address = this.fastify.server.address();
    const port = typeof address === 'object' && address ? address.port : service.port;
    const host = service.host;
    const url = `${this.#scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
    return { name: service.name, protocol: service.protocol, host, port, url, ...(this.#tlsCaFile && { ca: this.#tlsCaFile }) };
  }

  /** Ready to serve without listening, for a service mounted on another's port: its request listener. */
  async attach(): Promise<HttpHandler> {
    await this.fastify.ready();
    return this.#listener;
  }

  /**
   * Offers each of the service's own requests (after mounted services and CORS) to `first` before
   * fastify: it answers the request itself and returns true, or returns false and fastify routes it.
   */
  answerFirst(first: (request: IncomingMessage, response: ServerResponse) => boolean): void {
    this.#first = first;
  }

  /** Hands a request `answerFirst` took after all to fastify, as if it had come straight to it. */
  passToFastify(request: IncomingMessage, response: ServerResponse): void {
    this.#fastifyRoute(request, response);
  }

  /** Serves another service at `path` on this app's port until the returned function is called. */
  host(path: string, handler: HttpHandler): () => void {
    if (handler.upgrade) this.#listenForUpgrades();
    return this.#mounts.add(path, handler);
  }

  /** WebSocket handshakes of this service's own (those at a mounted service's path go to it first). */
  onUpgrade(own: UpgradeHandler): void {
    this.#ownUpgrade = own;
    this.#listenForUpgrades();
  }

  /** One `upgrade` listener, added only when someone takes handshakes (without one, node refuses them). */
  #listenForUpgrades(): void {
    if (this.#upgrades) return;
    this.#upgrades = true;
    this.fastify.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#idle?.forget(socket);
      if (this.#mounts.upgrade(request, socket, head)) return;
      if (this.#ownUpgrade) this.#ownUpgrade(request, socket, head);
      else socket.destroy();
    });
  }

  /**
   * Stops listening. Without `graceMs` every connection is cut at once; with it, requests in flight
   * may finish for up to that long (each answered with `connection: close`), then the rest are cut.
   */
  async close(graceMs?: number): Promise<void> {
    const server = this.fastify.server;
    const closed = this.fastify.close();
    if (!graceMs) {
      server.closeAllConnections();
      return closed;
    }
    // A keep-alive connection whose answer ends during the drain would otherwise be held for its idle
    // timeout; polling keeps the request path free of drain bookkeeping.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    try {
      await closed;
    } finally {
      clearInterval(idle);
      clearTimeout(timer);
    }
  }
}

type Listener = (...args: unknown[]) => void;

/**
 * Makes a fastify app whose boot emitter (avvio) keeps its `preReady` listeners in one list of ours
 * behind a single listener. Fastify adds one such once-listener per route, and node removes each
 * once-listener it calls by searching the list from the end: quadratic in the routes, about a third
 * of the start-up of 10,000 routes. They run in the same order, once, as before. The emitter is found
 * while `Fastify()` runs (synchronously): it is the one listening to `start` whose class is avvio's.
 */
function withOnePreReadyListener(create: () => FastifyInstance): FastifyInstance {
  const on = EventEmitter.prototype.on;
  let boot: EventEmitter | undefined;
  EventEmitter.prototype.on = function (this: EventEmitter, type: string | symbol, listener: Listener) {
    if (boot === undefined && type === 'start' && isAvvio(this)) boot = this;
    return on.call(this, type, listener);
  };
  let app: FastifyInstance;
  try {
    app = create();
  } finally {
    EventEmitter.prototype.on = on;
  }
  if (boot) {
    const once = boot.once;
    const pending: Listener[] = [];
    boot.once = function (this: EventEmitter, type: string | symbol, listener: Listener) {
      if (type !== 'preReady') return once.call(this, type, listener);
      if (pending.length === 0)
        once.call(this, 'preReady', function (this: unknown, ...args: unknown[]) {
          for (const each of pending.splice(0)) each.apply(this, args);
        });
      pending.push(listener);
      return this;
    };
  }
  return app;
}

function isAvvio(emitter: EventEmitter): boolean {
  return Object.getOwnPropertySymbols(Object.getPrototypeOf(emitter)).some((symbol) => symbol.description === 'avvio.Boot');
}

/** Connections node's request timeout cut: fastify answered them 408 (see requestTimedOut). */
const timedOutSockets = new WeakSet<Duplex>();

/**
 * Whether node's request timeout cut this connection while its request was coming in (a body that
 * arrived too slowly). fastify then wrote 408 on it and destroyed it; the request's body stream fails
 * with a plain "aborted" error a moment later, which this tells apart so that the journal records the 408 sent.
 */
export function requestTimedOut(socket: Duplex | null | undefined): boolean {
  return socket != null && timedOutSockets.has(socket);
}

/**
 * A node HTTP server with the stack's limits. Node's request timeout covers receiving the request
 * only (a slow body is answered 408), so answers a scenario delays are unaffected; the idle timeout
 * does count a delay, hence its high default. Node checks the first two on an interval (30 s by
 * default), here a fraction of the shortest so a limit holds near its value.
 *
 * With TLS (and HTTP/2 unless turned off) or h2c it is node's HTTP/2 server instead, which fastify
 * drives through the same request/response API (node's compatibility layer).
 */
function limitedServer(listener: HttpHandler, { limits, tls, http2 }: HttpAppOptions): { server: Server; idle: IdleConnections | undefined } {
  const shortest = Math.min(...[limits.requestTimeoutMs, limits.headersTimeoutMs].filter((ms) => ms > 0));
  const timeouts = {
    requestTimeout: limits.requestTimeoutMs,
    // node refuses a headers timeout above the request timeout
    headersTimeout: limits.requestTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Number.isFinite(shortest) ? Math.max(50, Math.min(1000, Math.round(shortest / 4))) : 30_000,
  };
  if ((tls && http2 !== false) || (!tls && http2 === 'h2c')) return { server: http2Server(listener, limits, timeouts, tls), idle: undefined };
  const server = tls ? createHttpsServer({ ...timeouts, cert: tls.cert, key: tls.key }) : createServer(timeouts);
  server.on('request', listener);
  // Registered before fastify's own clientError handler, which then writes the 408 and destroys the socket.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') timedOutSockets.add(socket);
  });
  const idle = limits.idleTimeoutMs > 0 ? new IdleConnections(server, limits.idleTimeoutMs, tls ? 'secureConnection' : 'connection') : undefined;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  return { server, idle };
}

/**
 * Node's HTTP/2 server (TLS with ALPN and HTTP/1.1 kept, or h2c), given the two methods `close()` and
 * fastify call on an HTTP/1 server: `closeAllConnections` cuts every session and socket,
 * `closeIdleConnections` asks each HTTP/2 session to finish its streams and go (GOAWAY).
 */
function http2Server(
  listener: HttpHandler,
  limits: ServerLimits,
  timeouts: { requestTimeout: number; headersTimeout: number; keepAliveTimeout: number },
  tls: TlsMaterial | undefined,
): Server {
  const settings = { maxConcurrentStreams: 250 };
  const server = tls ? createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true, settings }) : createH2cServer({ settings });
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    if (limits.idleTimeoutMs > 0) session.setTimeout(limits.idleTimeoutMs, () => session.close());
  });
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // HTTP/1.1 over TLS: node's HTTP/1 handling of this server reads these.
  Object.assign(server, { requestTimeout: timeouts.requestTimeout, headersTimeout: timeouts.headersTimeout, keepAliveTimeout: timeouts.keepAliveTimeout });
  const closeIdleHttp1 = (server as { closeIdleConnections?: () => void }).closeIdleConnections?.bind(server);
  Object.assign(server, {
    closeAllConnections: () => {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
    closeIdleConnections: () => {
      for (const session of sessions) if (!session.closed) session.close();
      closeIdleHttp1?.();
    },
  });
  server.on('request', listener as never);
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  return server as unknown as Server;
}

/** The HTTP/2 stream under a response, when the request came over HTTP/2. */
export function http2StreamOf(response: ServerResponse): { close(code?: number): void } | undefined {
  return (response as { stream?: { close(code?: number): void } }).stream;
}

/**
 * Resets an HTTP/2 stream (RST_STREAM with `code`) on the next turn of the event loop. Node 20 sends the
 * frame at once; when that happens in a microtask drained while nghttp2 still reads the frames that led to
 * it, nghttp2 frees the stream it is reading (a use-after-free valgrind shows, which corrupts the heap).
 */
export function resetHttp2Stream(stream: { close(code?: number): void }, code: number): void {
  setImmediate(() => stream.close(code));
}

/** Destroys a response: over HTTP/2 its stream is reset, which waits for the next turn as in `resetHttp2Stream`. */
export function destroyResponse(response: ServerResponse): void {
  if (http2StreamOf(response)) setImmediate(() => response.destroy());
  else response.destroy();
}

/** RST_STREAM codes a fault ends an HTTP/2 stream with. */
export const HTTP2_CODES = { internalError: h2.NGHTTP2_INTERNAL_ERROR, protocolError: h2.NGHTTP2_PROTOCOL_ERROR, cancel: h2.NGHTTP2_CANCEL } as const;

type CorsHandler = ReturnType<typeof cors>;

function corsHandlerOf(setting: boolean | CorsOptions | undefined, warn: ((message: string) => void) | undefined): CorsHandler | undefined {
  if (setting === false) return undefined;
  const options: CorsOptions = setting === true || setting === undefined ? {} : setting;
  // Pages on this machine by default, so that a page on the internet cannot read the mocks (with cookies) through a developer's browser.
  const policy = new CorsOriginPolicy(options.origins, warn);
  const fixed = {
    credentials: options.credentials ?? true,
    exposedHeaders: [...(options.exposeHeaders ?? EXPOSED_HEADERS)],
    maxAge: options.maxAge ?? 600,
  };
  // The options per request: whether its origin is allowed depends on its Host too (a same-origin page is not told of).
  return cors((request, callback) => {
    const { origin, host } = request.headers;
    callback(null, { ...fixed, origin: origin !== undefined && policy.allows(origin, host) });
  });
}

/** Only requests from a browser on another origin carry `Origin`; the others skip CORS entirely. */
function withCors(corsHandler: CorsHandler, next: HttpHandler): HttpHandler {
  return (request, response) => {
    if (request.headers.origin === undefined) return next(request, response);
    corsHandler(request, response, () => next(request, response));
  };
}

/**
 * A signal that aborts when the client goes away before its answer is written, so delays and
 * handlers can stop early. Request classes make it on first use, keeping a listener off the hot path.
 */
export function clientGoneSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
