import { createServer, type ServerResponse } from 'node:http';
import type { CorsOptions, HttpHandler, Service, ServiceAddress } from '@mockstack/core';
import cors from 'cors';
import Fastify, { type FastifyInstance } from 'fastify';
import { HttpMounts } from './http-mounts.js';

const EXPOSED_HEADERS = ['location', 'link', 'retry-after', 'x-total-count', 'x-request-id', 'x-mockstack-unmatched'];

export interface HttpAppOptions {
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** The service's `cors` setting: undefined or true for the defaults, false for none. */
  cors: boolean | CorsOptions | undefined;
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
      forceCloseConnections: true,
      return503OnClosing: false,
      serverFactory: (route, settings) => {
        const own: HttpHandler = corsHandler ? withCors(corsHandler, route) : route;
        this.#listener = this.#mounts.listener(own);
        // The timeouts fastify gives a server it makes itself (no request timeout: a mock may be told to answer late).
        const server = createServer(this.#listener);
        server.keepAliveTimeout = numberOr(settings.keepAliveTimeout, server.keepAliveTimeout);
        server.requestTimeout = numberOr(settings.requestTimeout, 0);
        server.setTimeout(numberOr(settings.connectionTimeout, 0));
        return server;
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

  close(): Promise<void> {
    return this.fastify.close();
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

type CorsHandler = ReturnType<typeof cors>;

function corsHandlerOf(setting: boolean | CorsOptions | undefined): CorsHandler | undefined {
  if (setting === false) return undefined;
  const options: CorsOptions = setting === true || setting === undefined ? {} : setting;
  return cors({
    origin: options.origins ? [...options.origins] : true,
    credentials: options.credentials ?? true,
    exposedHeaders: [...(options.exposeHeaders ?? EXPOSED_HEADERS)],
    maxAge: options.maxAge ?? 600,
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
