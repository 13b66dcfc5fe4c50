import { displayPath, type Engine, ErrorCode, type JournalFilter, MockstackError, type ServiceAddress } from '@mockstack/core';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { adminGuard, adminTokenFor } from './admin-guard.js';

/** What the admin API can see and steer of a running stack. */
export interface AdminTarget {
  engine: Engine;
  addresses(): ServiceAddress[];
}

export interface AdminOptions {
  port?: number | undefined;
  /** Loopback unless told otherwise. */
  host?: string | undefined;
  /**
   * Token every request must carry (`x-mockstack-admin-token` or `Authorization: Bearer`). Off
   * loopback one is generated when none is given; on loopback none is required unless given.
   */
  token?: string | undefined;
}

export interface AdminServer {
  url: string;
  /** The token requests must carry, when one is required. */
  token: string | undefined;
  close(): Promise<void>;
}

const PREFIX = '/__admin';

/**
 * The admin API: health, services, journal, verification, reset and variants, as JSON.
 * Routes are listed in the README under "Admin API".
 */
export function createAdminApp(
  target: AdminTarget,
  access: { host: string; token: string | undefined } = { host: '127.0.0.1', token: undefined },
): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const { engine } = target;
  app.addHook('onRequest', adminGuard(access));

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    void reply.code(status).send({ error: { code: status === 400 ? 'BAD_REQUEST' : 'ADMIN_ERROR', message: error.message } });
  });

  app.get(`${PREFIX}/health`, async () => ({
    status: 'ok',
    scenario: engine.model.name,
    file: engine.model.file && displayPath(engine.model.file),
    seed: engine.seed,
    variants: engine.variants,
  }));

  app.get(`${PREFIX}/services`, async () =>
    target.addresses().map((address) => ({
      ...address,
      operations: [...(engine.model.services.get(address.name)?.operations.values() ?? [])].map((o) => ({ id: o.id, rules: o.rules.map((r) => r.id) })),
    })),
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(`${PREFIX}/journal`, async (request, reply) => {
    const filter = journalFilter(request.query, reply);
    return filter && { entries: engine.journal.list(filter) };
  });

  app.delete(`${PREFIX}/journal`, async () => {
    engine.journal.clear();
    return { cleared: true };
  });

  app.post<{ Body: unknown }>(`${PREFIX}/verify`, async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || typeof body.operation !== 'string') {
      return badRequest(reply, 'send { "service"?: string, "operation": "POST /orders", "body"?: partial body, "count"?: n, "atLeast"?: n }');
    }
    const filter: JournalFilter = { operation: body.operation, service: optionalString(body.service), body: body.body };
    const count = engine.journal.count(filter);
    const expected = typeof body.count === 'number' ? body.count : undefined;
    const atLeast = typeof body.atLeast === 'number' ? body.atLeast : expected === undefined ? 1 : undefined;
    const ok = (expected === undefined || count === expected) && (atLeast === undefined || count >= atLeast);
    const sameOperation = engine.journal.list({ operation: body.operation, service: optionalString(body.service) });
    return {
      ok,
      count,
      expected: expected ?? `at least ${atLeast}`,
      seen: sameOperation.map((e) => ({ id: e.id, target: e.target, body: e.request.body, status: e.status })),
    };
  });

  app.post(`${PREFIX}/reset`, async () => {
    engine.reset();
    return { reset: true, scenario: engine.model.name };
  });

  app.get(`${PREFIX}/variants`, async () => ({ active: engine.variants, available: [...engine.model.variants.keys()] }));

  app.put<{ Body: unknown }>(`${PREFIX}/variants`, async (request, reply) => {
    const body = request.body as { active?: unknown } | undefined;
    if (!body || !Array.isArray(body.active) || !body.active.every((v) => typeof v === 'string')) {
      return badRequest(reply, 'send { "active": ["variant-name", …] } (an empty list turns every variant off)');
    }
    try {
      engine.setVariants(body.active as string[]);
    } catch (error) {
      if (error instanceof MockstackError) return badRequest(reply, error.message);
      throw error;
    }
    return { active: engine.variants, available: [...engine.model.variants.keys()] };
  });

  return app;
}

/** Starts the admin API on its own port. */
export async function startAdmin(target: AdminTarget, options: AdminOptions = {}): Promise<AdminServer> {
  const host = options.host ?? '127.0.0.1';
  const token = adminTokenFor(host, options.token);
  const app = createAdminApp(target, { host, token });
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
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${PREFIX}`, token, close: () => app.close() };
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ error: { code: 'BAD_REQUEST', message } });
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function journalFilter(query: Record<string, string | undefined>, reply: FastifyReply): JournalFilter | undefined {
  const limit = query.limit === undefined ? undefined : Number(query.limit);
  const after = query.after === undefined ? undefined : Number(query.after);
  if ((limit !== undefined && !(Number.isInteger(limit) && limit > 0)) || (after !== undefined && !Number.isInteger(after))) {
    badRequest(reply, 'limit must be a positive whole number and after an entry id');
    return undefined;
  }
  if (query.matched !== undefined && query.matched !== 'true' && query.matched !== 'false') {
    badRequest(reply, 'matched must be true or false');
    return undefined;
  }
  return {
    service: query.service,
    operation: query.operation,
    protocol: query.protocol,
    matched: query.matched === undefined ? undefined : query.matched === 'true',
    limit,
    after,
  };
}
