import type { AdminRequest, AdminRoute, JsonSchema } from '@mockstack/admin';
import { isRecord } from '@mockstack/core';
import { type MountebankError, MountebankInvalid, MountebankNotFound } from './errors.js';
import { type ImposterView, LiveImposters, type MountebankHost } from './live-imposters.js';

const imposterSchema: JsonSchema = {
  type: 'object',
  description:
    'a Mountebank imposter: protocol (http or https), port (of a REST service of the scenario), name, stubs ({ predicates, responses }), defaultResponse, recordRequests',
  required: ['protocol'],
  properties: {
    protocol: { type: 'string', enum: ['http', 'https'] },
    port: { type: 'integer' },
    name: { type: 'string' },
    stubs: { type: 'array', items: { type: 'object' } },
    numberOfRequests: { type: 'integer' },
    requests: { type: 'array', items: { type: 'object' } },
  },
};
const impostersSchema: JsonSchema = { type: 'object', properties: { imposters: { type: 'array', items: imposterSchema } } };
const errorsSchema: JsonSchema = {
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};
const viewQuery = {
  replayable: { description: 'true: as `mb save` writes it (no counts, requests or links)', schema: { type: 'string', enum: ['true', 'false'] } },
  removeProxies: { description: 'true: without proxy responses', schema: { type: 'string', enum: ['true', 'false'] } },
};

/**
 * Mountebank's imposters API over a running stack, for Mountebank's clients: an http imposter is served
 * by the scenario's REST service on its port, its stubs as rules added to that service (answered
 * before the scenario's). Served at the admin port's root (`/imposters`), as `mb` serves it; errors
 * answered as Mountebank does, `{ errors: [{ code, message }] }`. With a shared store, imposters are
 * served by every replica (given once the others' are served here).
 */
export async function mountebankAdminRoutes(host: MountebankHost): Promise<AdminRoute[]> {
  const imposters = new LiveImposters(host);
  // A replica of a shared store serves the imposters the others were sent before it says it serves.
  await imposters.ready;
  const announce = (message: string) => host.engine.logger.info(message, { event: 'admin' });
  const flag = (value: string | undefined, fallback: boolean) => (value === undefined ? fallback : value.toLowerCase() === 'true');
  const viewOf = (request: AdminRequest, replayableByDefault = false): ImposterView => ({
    replayable: flag(request.query.replayable, replayableByDefault),
    removeProxies: flag(request.query.removeProxies, false),
  });
  const portOf = (request: AdminRequest) => request.params.port ?? '';
  const route = (spec: Omit<AdminRoute, 'root' | 'errorAnswer' | 'errorSchema' | 'jsonFromTools'>): AdminRoute => ({
    ...spec,
    root: true,
    jsonFromTools: true,
    errorAnswer: mountebankErrorAnswer,
    errorSchema: errorsSchema,
  });

  return [
    route({
      method: 'GET',
      path: '/',
      summary: "Mountebank: the API's home, linking to /imposters (what Mountebank's clients ask to see whether it is up)",
      response: { type: 'object' },
      handle: () => ({ _links: { imposters: { href: '/imposters' }, config: { href: '/config' }, logs: { href: '/logs' } } }),
    }),
    route({
      method: 'POST',
      path: '/imposters',
      summary:
        "Mountebank: serves an http imposter on the scenario's REST service on its port (its stubs as rules added there); 400 naming what cannot be honoured",
      status: 201,
      body: imposterSchema,
      response: imposterSchema,
      handle: async ({ body }) => {
        const live = await imposters.add(body);
        announce(`mountebank: imposter on port ${live.port} served by ${live.service} (${live.imposter.stubs.length} stub(s))`);
        return imposters.json(live);
      },
    }),
    route({
      method: 'GET',
      path: '/imposters',
      summary: 'Mountebank: every imposter added at runtime (the short form, or all of each with replayable=true)',
      query: viewQuery,
      response: impostersSchema,
      handle: (request) => {
        const view = viewOf(request);
        const list = !(view.replayable || view.removeProxies);
        return { imposters: imposters.list().map((live) => imposters.json(live, { ...view, list })) };
      },
    }),
    route({
      method: 'PUT',
      path: '/imposters',
      summary: 'Mountebank: replaces every imposter with those sent; all are checked first, none changes when one is refused',
      body: impostersSchema,
      response: impostersSchema,
      handle: async ({ body }) => {
        if (!isRecord(body) || !('imposters' in body))
          throw new MountebankInvalid([{ code: 'bad data', message: "'imposters' is a required field" }], 'the imposters');
        const added = await imposters.replaceAll(body.imposters);
        announce(`mountebank: imposters replaced (${added.map((live) => live.port).join(', ') || 'none'})`);
        return { imposters: added.map((live) => imposters.json(live, { list: true })) };
      },
    }),
    route({
      method: 'DELETE',
      path: '/imposters',
      summary: "Mountebank: removes every imposter (the scenario's own rules stay); answers them as `mb save` writes them",
      query: viewQuery,
      response: impostersSchema,
      handle: async (request) => {
        const view = viewOf(request, true);
        const removed = await imposters.clear();
        announce(`mountebank: ${removed.length} imposter(s) removed`);
        return { imposters: removed.map((live) => imposters.json(live, view)) };
      },
    }),
    route({
      method: 'GET',
      path: '/imposters/{port}',
      summary: 'Mountebank: one imposter with its stubs, numberOfRequests and saved requests',
      query: viewQuery,
      response: imposterSchema,
      handle: (request) => imposters.json(imposters.get(portOf(request)), viewOf(request)),
    }),
    route({
      method: 'DELETE',
      path: '/imposters/{port}',
      summary: 'Mountebank: removes one imposter (its rules); {} when there is none on that port',
      query: viewQuery,
      response: imposterSchema,
      handle: async (request) => {
        const removed = await imposters.remove(portOf(request));
        if (removed) announce(`mountebank: imposter on port ${removed.port} removed`);
        return removed ? imposters.json(removed, viewOf(request)) : {};
      },
    }),
    route({
      method: 'POST',
      path: '/imposters/{port}/stubs',
      summary: "Mountebank: adds a stub to an imposter, at 'index' or last",
      body: { type: 'object', properties: { index: { type: 'integer' }, stub: { type: 'object' } }, required: ['stub'] },
      response: imposterSchema,
      handle: async (request) => imposters.json(await imposters.addStub(portOf(request), request.body)),
    }),
    route({
      method: 'PUT',
      path: '/imposters/{port}/stubs',
      summary: 'Mountebank: replaces every stub of an imposter',
      body: { type: 'object', properties: { stubs: { type: 'array', items: { type: 'object' } } }, required: ['stubs'] },
      response: imposterSchema,
      handle: async (request) => imposters.json(await imposters.setStubs(portOf(request), request.body)),
    }),
    route({
      method: 'PUT',
      path: '/imposters/{port}/stubs/{index}',
      summary: 'Mountebank: replaces one stub of an imposter',
      body: { type: 'object', description: 'a stub: { predicates, responses }' },
      response: imposterSchema,
      handle: async (request) => imposters.json(await imposters.replaceStub(portOf(request), request.params.index ?? '', request.body)),
    }),
    route({
      method: 'DELETE',
      path: '/imposters/{port}/stubs/{index}',
      summary: 'Mountebank: removes one stub of an imposter',
      response: imposterSchema,
      handle: async (request) => imposters.json(await imposters.removeStub(portOf(request), request.params.index ?? '')),
    }),
    route({
      method: 'DELETE',
      path: '/imposters/{port}/savedRequests',
      summary: "Mountebank: forgets an imposter's saved requests and its count",
      response: imposterSchema,
      handle: (request) => imposters.json(imposters.clearRequests(portOf(request))),
    }),
    route({
      method: 'DELETE',
      path: '/imposters/{port}/savedProxyResponses',
      summary: 'Mountebank: forgets the answers its proxies recorded (proxyOnce, proxyAlways), and the stubs left with none',
      response: imposterSchema,
      handle: async (request) => imposters.json(await imposters.clearProxyResponses(portOf(request))),
    }),
  ];
}

/** An error as Mountebank's API answers it: `{ errors: [{ code, message }] }`, 400 (404 for a port or stub there is none of). */
export function mountebankErrorAnswer(error: Error & { statusCode?: number; code?: string }): { status: number; body: unknown } {
  if (error instanceof MountebankInvalid || error instanceof MountebankNotFound) return { status: error.status, body: { errors: error.errors } };
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  const code = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(error.message) ? 'invalid JSON' : status === 500 ? 'internal error' : 'bad data';
  const errors: MountebankError[] = [{ code, message: code === 'invalid JSON' ? `Unable to parse body as JSON: ${error.message}` : error.message }];
  return { status, body: { errors } };
}
