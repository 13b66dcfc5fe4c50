import {
  checkPatternNames,
  displayPath,
  type Engine,
  findRequests,
  formatSource,
  type JournalFilter,
  MockstackError,
  parseVerification,
  type RequestPattern,
  rulesById,
  type ServiceAddress,
  verifyInOrder,
  verifyRequests,
} from '@mockstack/core';
import { mergeState, stateToJson } from './state-view.js';

/** What the admin API can see and steer of a running stack. */
export interface AdminTarget {
  engine: Engine;
  addresses(): ServiceAddress[];
}

/** A JSON Schema (the subset the admin document uses). */
export type JsonSchema = Record<string, unknown>;

/** What a route's handler receives: the path parameters, the query string and the parsed JSON body. */
export interface AdminRequest {
  /** The values of the path's `{name}` segments. */
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
}

/**
 * One admin endpoint: its method and path under `/__admin`, what it does and takes (these make the
 * OpenAPI document at `/__admin/openapi.json`), and its handler. A handler throws
 * `AdminRequestError` (or a MockstackError) for a request it refuses: a 400 with the error's code.
 */
export interface AdminRoute {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Under `/__admin`; a `{name}` segment is a path parameter (`/mappings/{id}`). */
  path: string;
  summary: string;
  /** The status of a success (default 200). */
  status?: number;
  /**
   * Whether this route takes the request, when several share a method and path (WireMock's request
   * patterns and mockstack's at `/requests/count`): the first that takes it answers; a route without
   * `accepts` takes every request the others leave.
   */
  accepts?(request: AdminRequest): boolean;
  query?: Record<string, { description: string; schema: JsonSchema }>;
  body?: JsonSchema;
  response: JsonSchema;
  handle(request: AdminRequest): unknown;
  /** Served at `path` itself, not under `/__admin` (Mountebank's clients call `/imposters` at the port's root). */
  root?: boolean;
  /** The answer to an error of this route, in its API's own shape (Mountebank's `{ errors: [...] }`); default `{ error: { code, message } }`. */
  errorAnswer?(error: Error & { statusCode?: number; code?: string }): { status: number; body: unknown };
  /** The schema of `errorAnswer`'s bodies, for the OpenAPI document. */
  errorSchema?: JsonSchema;
  /**
   * Reads a tool's body as JSON whatever content type it names (Mountebank takes any, and its clients built
   * on superagent send JSON text named as a form). Browsers (a request with `Origin` or `Sec-Fetch-*`) still must send JSON.
   */
  jsonFromTools?: boolean;
}

/** A request the admin API refuses (400 unless told), with what to send instead. */
export class AdminRequestError extends Error {
  readonly code: string;
  /** The HTTP status answered (400, or 404 for something that does not exist). */
  readonly status: number;

  constructor(message: string, options: { code?: string; status?: number } = {}) {
    super(message);
    this.name = 'AdminRequestError';
    this.code = options.code ?? 'BAD_REQUEST';
    this.status = options.status ?? 400;
  }
}

const PATTERN_CRITERIA = ['service', 'protocol', 'operation', 'method', 'path', 'body', 'bodyEquals', 'headers', 'query', 'metadata', 'matched'];
const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const pattern: JsonSchema = {
  type: 'object',
  description: 'Which requests: every criterion given must hold. Unknown criteria are refused.',
  additionalProperties: false,
  properties: {
    service: { type: 'string' },
    protocol: { type: 'string', enum: ['rest', 'graphql', 'grpc'] },
    operation: { type: 'string', description: 'as rules name it: "POST /orders", "GET /orders/:id", "query GetCart", "pkg.Service/Method"' },
    method: { type: 'string', description: 'HTTP method (POST for gRPC)' },
    path: { type: 'string', description: 'request path without the query string' },
    body: { description: 'the body contains this (partial match)' },
    bodyEquals: { description: 'the body equals this' },
    headers: stringMap,
    query: stringMap,
    metadata: { ...stringMap, description: 'gRPC metadata' },
    matched: { type: 'boolean', description: 'a rule answered (true) or none did (false)' },
  },
};
const counts = { times: { type: 'integer', minimum: 0 }, atLeast: { type: 'integer', minimum: 0 }, atMost: { type: 'integer', minimum: 0 } };
const verification: JsonSchema = {
  oneOf: [
    { ...pattern, properties: { ...(pattern.properties as object), ...counts } },
    { type: 'object', additionalProperties: false, required: ['inOrder'], properties: { inOrder: { type: 'array', items: pattern } } },
  ],
};
const entries: JsonSchema = { type: 'object', properties: { entries: { type: 'array', items: { $ref: '#/components/schemas/JournalEntry' } } } };
const variants: JsonSchema = {
  type: 'object',
  properties: { active: { type: 'array', items: { type: 'string' } }, available: { type: 'array', items: { type: 'string' } } },
};
const machines: JsonSchema = {
  type: 'object',
  properties: { current: stringMap, available: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
};
const stateView: JsonSchema = { description: 'the state as JSON; Maps as {"$map": [[key, value]…]}, Sets as {"$set": […]}, Dates as {"$date": "…"}' };

/** Every admin endpoint. The admin server registers these (and only these) under `/__admin`. */
export function adminRoutes(target: AdminTarget): AdminRoute[] {
  const { engine } = target;
  const started = Date.now();
  const variantsView = () => ({ active: engine.variants, available: [...engine.model.variants.keys()] });
  const machinesView = () => ({ current: engine.machines, available: Object.fromEntries(engine.model.machines) });
  // What the admin API changes is logged as an event (the CLI prints those even with --quiet).
  const announce = (event: 'variant' | 'admin', message: string) => engine.logger.info(message, { event });
  const requestPattern = (body: unknown): RequestPattern => {
    const parsed = parseVerification(body ?? {});
    const extra = (['times', 'atLeast', 'atMost'] as const).filter((k) => parsed[k] !== undefined);
    if (extra.length) throw new AdminRequestError(`${extra.join(', ')} belong to POST /__admin/verify; a request pattern takes ${PATTERN_CRITERIA.join(', ')}`);
    checkPatternNames(parsed, engine.model, engine.journal, engine.addedRules);
    return parsed;
  };

  return [
    {
      method: 'GET',
      path: '/health',
      summary: "the scenario, its file, seed and active variants; message, uptimeInSeconds and timestamp as WireMock's health has them",
      response: {
        type: 'object',
        properties: {
          status: { type: 'string' },
          message: { type: 'string' },
          uptimeInSeconds: { type: 'integer' },
          timestamp: { type: 'string', format: 'date-time' },
          scenario: { type: 'string' },
          seed: { type: 'integer' },
        },
      },
      handle: () => ({
        status: 'ok',
        message: 'mockstack is ok',
        uptimeInSeconds: Math.floor((Date.now() - started) / 1000),
        timestamp: new Date().toISOString(),
        scenario: engine.model.name,
        file: engine.model.file && displayPath(engine.model.file),
        seed: engine.seed,
        variants: engine.variants,
      }),
    },
    {
      method: 'GET',
      path: '/services',
      summary: "each service's name, protocol, URL and operations with their rule ids",
      response: { type: 'array', items: { type: 'object' } },
      handle: () =>
        target.addresses().map((address) => ({
          ...address,
          operations: [...(engine.model.services.get(address.name)?.operations.values() ?? [])].map((o) => ({ id: o.id, rules: o.rules.map((r) => r.id) })),
        })),
    },
    {
      method: 'GET',
      path: '/rules',
      summary:
        'every rule (added while serving, in the order tried, then services and variants): id, service, operation, name, where it is written (file:line), variant or added (with its priority)',
      response: { type: 'array', items: { type: 'object' } },
      handle: () => [
        ...engine.addedRules.map(({ service, rule, priority }) => ({
          id: rule.id,
          service,
          operation: rule.operation,
          name: rule.name,
          source: rule.source && formatSource(rule.source),
          added: true,
          priority,
        })),
        ...[...rulesById(engine.model).values()].map((rule) => {
          // `svc#2`, or `variant:svc#1` for a variant's rule
          const [, variant, service] = /^(?:(.+):)?([^:#]+)#\d+$/.exec(rule.id) ?? [];
          return { id: rule.id, service, operation: rule.operation, name: rule.name, source: rule.source && formatSource(rule.source), variant };
        }),
      ],
    },
    {
      method: 'GET',
      path: '/journal',
      summary: 'requests and their responses, oldest first (bounded, newest kept), with the rule that answered or why none did',
      query: {
        service: { description: 'only this service', schema: { type: 'string' } },
        operation: { description: 'only this operation', schema: { type: 'string' } },
        protocol: { description: 'only this protocol', schema: { type: 'string' } },
        matched: { description: 'true: a rule answered; false: none did', schema: { type: 'string', enum: ['true', 'false'] } },
        after: { description: 'only entries with a higher id (polling)', schema: { type: 'integer' } },
        limit: { description: 'the newest n', schema: { type: 'integer', minimum: 1 } },
      },
      response: entries,
      handle: ({ query }) => ({ entries: engine.journal.list(journalFilter(query)) }),
    },
    {
      method: 'DELETE',
      path: '/journal',
      summary: 'empties the journal',
      response: { type: 'object', properties: { cleared: { type: 'boolean' } } },
      handle: () => {
        engine.journal.clear();
        return { cleared: true };
      },
    },
    {
      method: 'POST',
      path: '/requests/find',
      summary: 'the journal entries matching a request pattern',
      body: pattern,
      response: entries,
      handle: ({ body }) => ({ entries: findRequests(engine.journal, requestPattern(body)) }),
    },
    {
      method: 'POST',
      path: '/requests/count',
      summary: 'how many journal entries match a request pattern',
      body: pattern,
      response: { type: 'object', properties: { count: { type: 'integer' } } },
      handle: ({ body }) => ({ count: findRequests(engine.journal, requestPattern(body)).length }),
    },
    {
      method: 'POST',
      path: '/requests/remove',
      summary: 'removes the journal entries matching a request pattern',
      body: pattern,
      response: { type: 'object', properties: { removed: { type: 'integer' } } },
      handle: ({ body }) => {
        const ids = new Set(findRequests(engine.journal, requestPattern(body)).map((e) => e.id));
        return { removed: engine.journal.remove((e) => ids.has(e.id)) };
      },
    },
    {
      method: 'GET',
      path: '/requests/unmatched',
      summary: 'requests no rule answered, each with its near miss: the nearest rule, what it wanted and what differed',
      response: entries,
      handle: () => ({ entries: engine.journal.list({ matched: false }) }),
    },
    {
      method: 'POST',
      path: '/verify',
      summary: 'checks a count (times, atLeast, atMost; default at least once) or an order (inOrder) of requests; a failure lists the nearest requests',
      body: verification,
      response: {
        type: 'object',
        properties: {
          ok: { type: 'boolean' },
          count: { type: 'integer' },
          expected: { type: 'string' },
          message: { type: 'string' },
          matching: { type: 'array', items: { type: 'integer' } },
          nearest: { type: 'array', items: { type: 'object' } },
        },
      },
      handle: ({ body }) => {
        const record = body as Record<string, unknown> | undefined;
        if (record && typeof record === 'object' && 'inOrder' in record) {
          if (!Array.isArray(record.inOrder) || Object.keys(record).length !== 1)
            throw new AdminRequestError('send { "inOrder": [pattern, pattern, …] } alone, each pattern as for /requests/find');
          const result = verifyInOrder(engine.journal, record.inOrder.map(requestPattern));
          return { ok: result.pass, ...result };
        }
        const parsed = parseVerification(body ?? {});
        checkPatternNames(parsed, engine.model, engine.journal, engine.addedRules);
        const result = verifyRequests(engine.journal, parsed);
        return { ok: result.pass, ...result };
      },
    },
    {
      method: 'POST',
      path: '/reset',
      summary: 'state and state machines back to the seed, rule counters and sequences restarted, journal emptied',
      response: { type: 'object', properties: { reset: { type: 'boolean' }, scenario: { type: 'string' } } },
      handle: async () => {
        await engine.reset();
        announce('admin', 'reset: state and machines back to the seed, journal emptied');
        return { reset: true, scenario: engine.model.name };
      },
    },
    { method: 'GET', path: '/variants', summary: 'active and available variants', response: variants, handle: variantsView },
    {
      method: 'PUT',
      path: '/variants',
      summary: 'switches variants at runtime; an unknown name is refused with those that exist, and nothing changes',
      body: { type: 'object', required: ['active'], properties: { active: { type: 'array', items: { type: 'string' } } } },
      response: variants,
      handle: async ({ body }) => {
        const active = (body as { active?: unknown } | undefined)?.active;
        if (!Array.isArray(active) || !active.every((v) => typeof v === 'string'))
          throw new AdminRequestError('send { "active": ["variant-name", …] } (an empty list turns every variant off)');
        const before = engine.variants;
        await engine.setVariants(active);
        announce('variant', variantChange(before, engine.variants));
        return variantsView();
      },
    },
    {
      method: 'GET',
      path: '/state',
      summary: "the scenario's shared state as JSON (Maps, Sets and Dates tagged)",
      response: stateView,
      handle: async () => {
        await engine.refresh();
        return stateToJson(engine.state) ?? null;
      },
    },
    {
      method: 'PUT',
      path: '/state',
      summary: 'replaces the values of the keys sent (others keep theirs); unknown keys and values of another kind are refused',
      body: stateView,
      response: stateView,
      handle: async ({ body }) => {
        if (body === undefined) throw new AdminRequestError('send the state as JSON, as GET /__admin/state shows it');
        await engine.refresh();
        await engine.replaceState(mergeState(engine.state, body));
        const keys = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
        announce('admin', `state: ${keys.length ? `replaced ${keys.join(', ')}` : 'replaced'}`);
        return stateToJson(engine.state) ?? null;
      },
    },
    {
      method: 'GET',
      path: '/machines',
      summary: 'each state machine: its current state and its states',
      response: machines,
      handle: async () => {
        await engine.refresh();
        return machinesView();
      },
    },
    {
      method: 'PUT',
      path: '/machines',
      summary: 'moves state machines: { "payment": "captured" }; an unknown machine or state is refused and nothing moves',
      body: stringMap,
      response: machines,
      handle: async ({ body }) => {
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AdminRequestError('send { "machine": "state", … }');
        await engine.setMachines(body as Record<string, string>);
        announce(
          'admin',
          `machines: ${Object.entries(body as Record<string, string>)
            .map(([machine, state]) => `${machine} → ${state}`)
            .join(', ')}`,
        );
        return machinesView();
      },
    },
  ];
}

/** `payments-down on, slow-catalog off (active: payments-down)`. */
function variantChange(before: readonly string[], after: readonly string[]): string {
  const on = after.filter((v) => !before.includes(v)).map((v) => `${v} on`);
  const off = before.filter((v) => !after.includes(v)).map((v) => `${v} off`);
  const changes = [...on, ...off].join(', ') || 'unchanged';
  return `${changes} (active: ${after.length ? after.join(', ') : 'none'})`;
}

function journalFilter(query: Record<string, string | undefined>): JournalFilter {
  const limit = query.limit === undefined ? undefined : Number(query.limit);
  const after = query.after === undefined ? undefined : Number(query.after);
  if ((limit !== undefined && !(Number.isInteger(limit) && limit > 0)) || (after !== undefined && !Number.isInteger(after))) {
    throw new AdminRequestError('limit must be a positive whole number and after an entry id');
  }
  if (query.matched !== undefined && query.matched !== 'true' && query.matched !== 'false') throw new AdminRequestError('matched must be true or false');
  return {
    service: query.service,
    operation: query.operation,
    protocol: query.protocol,
    matched: query.matched === undefined ? undefined : query.matched === 'true',
    limit,
    after,
  };
}

/** Whether an error is the client's (a 400) rather than the admin API's. */
export function isRequestError(error: unknown): error is AdminRequestError | MockstackError {
  return error instanceof AdminRequestError || error instanceof MockstackError;
}
