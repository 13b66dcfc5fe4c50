import type { AdminRoute, JsonSchema } from './routes.js';

const error: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
};

const journalEntry: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    time: { type: 'string', format: 'date-time' },
    protocol: { type: 'string' },
    service: { type: 'string' },
    operation: { type: 'string' },
    target: { type: 'string' },
    request: { type: 'object', properties: { params: { type: 'object' }, query: { type: 'object' }, headers: { type: 'object' }, body: {} } },
    rule: { type: 'string', nullable: true },
    status: { oneOf: [{ type: 'integer' }, { type: 'string' }] },
    miss: { type: 'object', description: 'why no rule answered: the nearest rule, what it wanted, what differed, a hint' },
    response: {
      type: 'object',
      properties: { status: { oneOf: [{ type: 'integer' }, { type: 'string' }] }, headers: { type: 'object' }, body: {}, truncatedBytes: { type: 'integer' } },
    },
    durationMs: { type: 'number' },
    variants: { type: 'array', items: { type: 'string' } },
  },
};

/** The OpenAPI 3.0 document of the admin API, made from the same route table the server registers. */
export function adminOpenApi(routes: readonly AdminRoute[], prefix: string, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const status = route.status ?? 200;
    const parameters: Record<string, unknown>[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const operation: Record<string, unknown> = {
      operationId: operationId(route),
      summary: route.summary,
      responses: {
        [status]: { description: status === 201 ? 'Created' : 'OK', content: { 'application/json': { schema: route.response } } },
        ...(route.body || route.query || parameters.length
          ? {
              400: {
                description: 'a request the admin API refuses, with what to send',
                content: { 'application/json': { schema: route.errorSchema ?? error } },
              },
            }
          : {}),
        ...(parameters.length ? { 404: { description: 'nothing of that name', content: { 'application/json': { schema: route.errorSchema ?? error } } } } : {}),
      },
    };
    if (route.query) {
      parameters.push(...Object.entries(route.query).map(([name, { description, schema }]) => ({ name, in: 'query', required: false, description, schema })));
    }
    if (parameters.length) operation.parameters = parameters;
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: route.body } } };
    const at = `${route.root ? '' : prefix}${route.path}`;
    paths[at] ??= {};
    const path = paths[at] as Record<string, unknown>;
    const method = route.method.toLowerCase();
    const earlier = path[method] as Record<string, unknown> | undefined;
    path[method] = earlier ? sharedOperation(earlier, operation) : operation;
  }
  paths[`${prefix}/openapi.json`] = {
    get: {
      operationId: 'getOpenApi',
      summary: 'this document',
      responses: { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
  paths[`${prefix}/events`] = {
    get: {
      operationId: 'getEvents',
      summary:
        'the journal live, as Server-Sent Events: the entries after Last-Event-ID (or ?after=<id>; else the newest 500), then `entry` for each new one, `removed` with ids, `cleared`',
      parameters: [{ name: 'after', in: 'query', required: false, description: 'start after this entry id', schema: { type: 'integer' } }],
      responses: { 200: { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
    },
  };
  paths[`${prefix}/ui`] = {
    get: {
      operationId: 'getUi',
      summary: 'the dashboard (HTML); ?token=<token> stores the admin token in a cookie and redirects here',
      responses: { 200: { description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'mockstack admin API', version, description: 'See and steer a running mockstack: journal, verification, state, machines, variants.' },
    paths,
    components: { schemas: { JournalEntry: journalEntry, Error: error } },
  };
}

/** `PUT /state` → `putState`, `POST /requests/find` → `postRequestsFind`, `GET /mappings/{id}` → `getMappingsById`. */
function operationId(route: AdminRoute): string {
  const words = route.path
    .split(/[/-]/)
    .filter(Boolean)
    .map((w) => w.replace(/^\{(\w+)\}$/, 'by-$1').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()));
  return route.method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}

/** One operation for two routes at one method and path (the request decides which answers): either body, either response. */
function sharedOperation(first: Record<string, unknown>, second: Record<string, unknown>): Record<string, unknown> {
  const bodySchema = (operation: Record<string, unknown>) =>
    (operation.requestBody as { content: { 'application/json': { schema: JsonSchema } } } | undefined)?.content['application/json'].schema;
  const bodies = [bodySchema(first), bodySchema(second)].filter((schema) => schema !== undefined);
  const responses = { ...(second.responses as Record<string, unknown>), ...(first.responses as Record<string, unknown>) };
  const ok = (operation: Record<string, unknown>) =>
    (operation.responses as Record<string, { content?: { 'application/json'?: { schema?: JsonSchema } } }>)[200]?.content?.['application/json']?.schema;
  const [firstOk, secondOk] = [ok(first), ok(second)];
  if (firstOk && secondOk) responses[200] = { description: 'OK', content: { 'application/json': { schema: { oneOf: [firstOk, secondOk] } } } };
  return {
    ...first,
    summary: `${first.summary}; or ${second.summary}`,
    responses,
    ...(bodies.length && { requestBody: { required: true, content: { 'application/json': { schema: bodies.length > 1 ? { oneOf: bodies } : bodies[0] } } } }),
  };
}
