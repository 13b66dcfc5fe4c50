import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type CorsOptions, type HttpHandler, isLoopbackOrigin, type ServerLimits, type Service, type ServiceAddress } from '@mockstack/core';
import cors from 'cors';
import Fastify, { type FastifyInstance } from 'fastify';
import { HttpMounts } from './http-mounts.js';

const EXPOSED_HEADERS = ['location', 'link', 'retry-after', 'x-total-count', 'x-request-id', 'x-mockstack-unmatched'];

export interface HttpAppOptions {
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** The service's `cors` setting: undefined or true for the defaults, false for none. */
  cors: boolean | CorsOptions | undefined;
  /** The stack's timeouts and connection cap. */
  limits: ServerLimits;
}

/**
 * The HTTP side of a REST or GraphQL service: a fastify app on a node server of our own, whose
 * request listener hands requests to services mounted on this port first, answers CORS, and then
 * lets fastify route. The same listener serves a service that is itself mounted on another's port.
 */
export class HttpApp {
  readonly fastify: FastifyInstance;
  readonly #mounts = new HttpMounts();
  /** Set by `serverFactory`, which `Fastify()` calls at once. */
  #listener!: HttpHandler;

  constructor(options: HttpAppOptions) {
    const corsHandler = corsHandlerOf(options.cors);
    this.fastify = Fastify({
      logger: false,
      bodyLimit: options.bodyLimit,
      // Path parameters as real clients send them: long ids, cursors, serialized objects (fastify's default is 100 characters).
      routerOptions: { maxParamLength: 2048 },
      // Connections are cut by close() itself: at once, or after a drain.
      forceCloseConnections: 'idle',
      return503OnClosing: false,
      serverFactory: (route) => {
        const own: HttpHandler = corsHandler ? withCors(corsHandler, route) : route;
        this.#listener = this.#mounts.listener(own);
        return limitedServer(this.#listener, options.limits);
      },
    });
  }

  /** Listens on the service's host and port; the URL gets `path` (e.g. `/graphql`) appended. */
  async listen(service: Service, path = ''): Promise<ServiceAddress> {
    await this.fastify.listen({ port: service.port, host: service.host, listenTextResolver: () => '' });
    const address = this.fastify.server.address();
    const port = typeof address === 'object' && address ? address.port : service.port;
    const host = service.host;
    return { name: service.name, protocol: service.protocol, host, port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}` };
  }

  /** Ready to serve without listening, for a service mounted on another's port: its request listener. */
  async attach(): Promise<HttpHandler> {
    await this.fastify.ready();
    return this.#listener;
  }

  /** Serves another service at `path` on this app's port until the returned function is called. */
  host(path: string, handler: HttpHandler): () => void {
    return this.#mounts.add(path, handler);
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
 */
function limitedServer(listener: HttpHandler, limits: ServerLimits): Server {
  const shortest = Math.min(...[limits.requestTimeoutMs, limits.headersTimeoutMs].filter((ms) => ms > 0));
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    // node refuses a headers timeout above the request timeout
    headersTimeout: limits.requestTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Number.isFinite(shortest) ? Math.max(50, Math.min(1000, Math.round(shortest / 4))) : 30_000,
  });
  server.on('request', listener);
  // Registered before fastify's own clientError handler, which then writes the 408 and destroys the socket.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') timedOutSockets.add(socket);
  });
  server.setTimeout(limits.idleTimeoutMs);
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  return server;
}

type CorsHandler = ReturnType<typeof cors>;

function corsHandlerOf(setting: boolean | CorsOptions | undefined): CorsHandler | undefined {
  if (setting === false) return undefined;
  const options: CorsOptions = setting === true || setting === undefined ? {} : setting;
  return cors({
    origin: allowedOrigins(options.origins),
    credentials: options.credentials ?? true,
    exposedHeaders: [...(options.exposeHeaders ?? EXPOSED_HEADERS)],
    maxAge: options.maxAge ?? 600,
  });
}

/**
 * Which origins get CORS headers: by default only pages served from this machine (localhost,
 * 127.0.0.1, [::1], any port), so that a page on the internet cannot read the mocks (with cookies)
 * through a developer's browser; `'*'` in the list allows any origin.
 */
function allowedOrigins(origins: CorsOptions['origins']): cors.CorsOptions['origin'] {
  if (!origins) return (origin, callback) => callback(null, origin !== undefined && isLoopbackOrigin(origin));
  if (origins.includes('*')) return true;
  return [...origins];
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
