import { deeperThan, ErrorCode, type HttpHandler, MAX_DEPTH, MockstackError } from '@mockstack/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { adminGuard, adminTokenFor, takesJsonFromTools } from './admin-guard.js';
import { registerDashboard } from './dashboard.js';
import { serveLiveFeed } from './live-feed.js';
import { adminOpenApi } from './openapi.js';
import { type AdminRequest, AdminRequestError, type AdminRoute, type AdminTarget, adminRoutes, isRequestError } from './routes.js';

export type { AdminTarget } from './routes.js';

export interface AdminOptions {
  port?: number | undefined;
  /** Loopback unless told otherwise. */
  host?: string | undefined;
  /**
   * Token every request must carry (`x-mockstack-admin-token` or `Authorization: Bearer`). Off
   * loopback one is generated when none is given; on loopback none is required unless given.
   */
  token?: string | undefined;
  /** Endpoints served besides the admin API's own (WireMock's, from the runner); listed in its OpenAPI document too. */
  routes?: readonly AdminRoute[] | undefined;
}

export interface AdminServer {
  url: string;
  /** The token requests must carry, when one is required. */
  token: string | undefined;
  /** The admin API's request listener, to serve it on another port too (`Stack.hostOn`); its access check included. */
  handler: HttpHandler;
  close(): Promise<void>;
}

/** Where the admin API lives on its port. */
export const ADMIN_PREFIX = '/__admin';

/**
 * The admin API as JSON: health, services, rules, journal, request find/count/remove, verification, reset,
 * variants, state and machines (see `adminRoutes`), and `extraRoutes` (an extra route sharing a method and
 * path with one of those answers the requests its `accepts` takes), its own OpenAPI document at
 * `/__admin/openapi.json`, the journal live at `/__admin/events` (Server-Sent Events) and the dashboard at `/__admin/ui`.
 */
export function createAdminApp(
  target: AdminTarget,
  access: { host: string; token: string | undefined } = { host: '127.0.0.1', token: undefined },
  extraRoutes: readonly AdminRoute[] = [],
): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.addHook('onRequest', adminGuard({ ...access, tokenInQueryAt: `${ADMIN_PREFIX}/ui` }));
  // WireMock's clients send `content-type: application/json` with no body (DELETE, reset): that is no body, not bad JSON.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : parseJson(request, body as string, done),
  );
  // …and axios (wiremock-captain) names a form on a POST without data: no body either. A body of another type
  // (text/plain too: fastify's own parser would give the route a string) is JSON from a tool, or refused.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    if (takesJsonFromTools(request)) return parseJson(request, body as string, done);
    done(
      Object.assign(new Error(`the admin API takes JSON bodies; send content-type: application/json, not ${request.headers['content-type']}`), {
        statusCode: 415,
      }),
    );
  });
  const routes = [...extraRoutes, ...adminRoutes(target)];
  // Built when first asked for: most admin APIs never are (it is a start-up cost otherwise).
  let document: Record<string, unknown> | undefined;

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    // The shared store is away: the same 503 the services answer, naming it.
    if (error.code === ErrorCode.StoreUnavailable) return reply.code(503).send({ error: { code: error.code, message: error.message } });
    if (isRequestError(error))
      return reply.code(error instanceof AdminRequestError ? error.status : 400).send({ error: { code: error.code, message: error.message } });
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: { code: status === 400 ? 'BAD_REQUEST' : 'ADMIN_ERROR', message: error.message } });
  });

  // Routes sharing a method and path are one fastify route: the first whose `accepts` takes the request answers.
  const shared = new Map<string, AdminRoute[]>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const group = shared.get(key);
    if (group) {
      group.push(route);
      continue;
    }
    const candidates = [route];
    shared.set(key, candidates);
    app.route<{ Params: Record<string, string>; Querystring: Record<string, string | undefined>; Body: unknown }>({
      method: route.method,
      url: `${route.root ? '' : ADMIN_PREFIX}${route.path.replace(/\{(\w+)\}/g, ':$1')}`,
      config: { jsonFromTools: candidates.some((candidate) => candidate.jsonFromTools) },
      ...(route.errorAnswer && {
        // Its own shape for every error of the route, bad JSON included (the parser fails inside the route).
        errorHandler: (
          error: Error & { statusCode?: number; code?: string },
          _request: unknown,
          reply: { code(status: number): { send(body: unknown): unknown } },
        ) => {
          const answer = route.errorAnswer?.(error) ?? { status: 500, body: { error: { code: 'ADMIN_ERROR', message: error.message } } };
          return reply.code(answer.status).send(answer.body);
        },
      }),
      handler: async (request, reply) => {
        // Every route walks what it is sent: a body nested thousands deep would overflow the stack.
        if (deeperThan(request.body, MAX_DEPTH + 1))
          throw new AdminRequestError(`the body nests deeper than ${MAX_DEPTH} levels; send a shallower one (journaled bodies are cut there too)`);
        const adminRequest: AdminRequest = { params: request.params ?? {}, query: request.query, body: request.body };
        const chosen = candidates.find((candidate) => !candidate.accepts || candidate.accepts(adminRequest)) ?? route;
        const answer = await chosen.handle(adminRequest);
        if (chosen.status) reply.code(chosen.status);
        return answer === undefined ? reply.send() : answer;
      },
    });
  }
  app.get(`${ADMIN_PREFIX}/openapi.json`, async () => {
    document ??= adminOpenApi(routes, ADMIN_PREFIX, '1');
    return document;
  });
  app.get<{ Querystring: Record<string, string | undefined> }>(`${ADMIN_PREFIX}/events`, (request, reply) =>
    serveLiveFeed(target.engine.journal, request, reply),
  );
  registerDashboard(app, ADMIN_PREFIX, access.token);
  return app;
}

/** Starts the admin API on its own port. */
export async function startAdmin(target: AdminTarget, options: AdminOptions = {}): Promise<AdminServer> {
  const host = options.host ?? '127.0.0.1';
  const token = adminTokenFor(host, options.token);
  const app = createAdminApp(target, { host, token }, options.routes);
  try {
    await app.listen({ port: options.port ?? 0, host, listenTextResolver: () => '' });
  } catch (error) {
    await app.close();
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    throw new MockstackError(
      ErrorCode.PortInUse,
      `the admin API cannot listen on ${host}:${options.port}: the port is in use. Stop what uses it, or pass --admin-port <port> (0 picks a free one) or --no-admin`,
      { cause: error },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${ADMIN_PREFIX}`,
    token,
    handler: (request, response) => app.routing(request, response),
    close: () => app.close(),
  };
}
