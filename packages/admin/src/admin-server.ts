import Fastify, { type FastifyInstance } from 'fastify';
import { adminOpenApi } from './openapi.js';
import { type AdminTarget, adminRoutes, isRequestError } from './routes.js';

export type { AdminTarget } from './routes.js';

export interface AdminOptions {
  port?: number | undefined;
  /** Loopback unless told otherwise. */
  host?: string | undefined;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

/** Where the admin API lives on its port. */
export const ADMIN_PREFIX = '/__admin';

/**
 * The admin API as JSON: health, services, journal, request find/count/remove, verification, reset,
 * variants, state and machines (see `adminRoutes`), and its own OpenAPI document at
 * `/__admin/openapi.json`. Every route is registered here, from one table.
 */
export function createAdminApp(target: AdminTarget): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const routes = adminRoutes(target);
  const document = adminOpenApi(routes, ADMIN_PREFIX, '1');

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (isRequestError(error)) return reply.code(400).send({ error: { code: error.code, message: error.message } });
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: { code: status === 400 ? 'BAD_REQUEST' : 'ADMIN_ERROR', message: error.message } });
  });

  for (const route of routes) {
    app.route<{ Querystring: Record<string, string | undefined>; Body: unknown }>({
      method: route.method,
      url: `${ADMIN_PREFIX}${route.path}`,
      handler: async (request) => route.handle({ query: request.query, body: request.body }),
    });
  }
  app.get(`${ADMIN_PREFIX}/openapi.json`, async () => document);
  return app;
}

/** Starts the admin API on its own port. */
export async function startAdmin(target: AdminTarget, options: AdminOptions = {}): Promise<AdminServer> {
  const app = createAdminApp(target);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host, listenTextResolver: () => '' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${ADMIN_PREFIX}`, close: () => app.close() };
}
