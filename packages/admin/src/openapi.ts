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
    const operation: Record<string, unknown> = {
      operationId: operationId(route),
      summary: route.summary,
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: route.response } } },
        ...(route.body || route.query
          ? { 400: { description: 'a request the admin API refuses, with what to send', content: { 'application/json': { schema: error } } } }
          : {}),
      },
    };
    if (route.query) {
      operation.parameters = Object.entries(route.query).map(([name, { description, schema }]) => ({
        name,
        in: 'query',
        required: false,
        description,
        schema,
      }));
    }
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: route.body } } };
    paths[`${prefix}${route.path}`] ??= {};
    (paths[`${prefix}${route.path}`] as Record<string, unknown>)[route.method.toLowerCase()] = operation;
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

/** `PUT /state` → `putState`, `POST /requests/find` → `postRequestsFind`. */
function operationId(route: AdminRoute): string {
  const words = route.path.split(/[/-]/).filter(Boolean);
  return route.method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}
