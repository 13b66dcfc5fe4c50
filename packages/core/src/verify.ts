/**
 * One verification vocabulary for every client of the journal: admin `/verify` and `/requests/*`,
 * `stack.verify` and `expect(stack).toHaveReceived(…)`. A pattern says which requests count, an
 * expectation how many; unknown criteria and operations are errors with "did you mean", never a pass.
 */
import { deeperThan, MAX_DEPTH, preview } from './bounded.js';
import { ErrorCode, MockstackError } from './errors.js';
import type { Journal, JournalEntry } from './journal.js';
import { compileMatchers, describeValue, type Matcher } from './match.js';
import type { AddedRule, CoreRequest, MatchSpec, Model, ValueMatcher } from './model.js';
import { editDistance, nearest } from './nearest.js';

/** Which journal entries a verification counts. Every criterion given must hold. */
export interface RequestPattern {
  service?: string | undefined;
  /** `rest`, `graphql`, `grpc`. */
  protocol?: string | undefined;
  /** Operation id: `POST /orders`, `GET /orders/:id`, `Query.product`, `pkg.Service/Method`. */
  operation?: string | undefined;
  /** HTTP method of the request (`POST` for gRPC). */
  method?: string | undefined;
  /** Path of the request without its query string: `/orders/42`, `/pkg.Service/Method`. */
  path?: string | RegExp | undefined;
  /** The body contains this (partial, as rules match). */
  body?: unknown;
  /** The body equals this exactly. */
  bodyEquals?: unknown;
  /** Each named header equals (or matches) this; names are case-insensitive. */
  headers?: Record<string, ValueMatcher> | undefined;
  query?: Record<string, ValueMatcher> | undefined;
  /** gRPC metadata (the same as headers, named as gRPC users do). */
  metadata?: Record<string, ValueMatcher> | undefined;
  /** Only requests a rule answered (true) or that no rule answered (false). */
  matched?: boolean | undefined;
}

/** How many matching requests are expected; with none given, at least one. */
export interface CountExpectation {
  times?: number | undefined;
  atLeast?: number | undefined;
  atMost?: number | undefined;
}

export type Verification = RequestPattern & CountExpectation;

export interface VerificationResult {
  pass: boolean;
  count: number;
  /** The expected count in words: `exactly 2 time(s)`, `at least once`. */
  expected: string;
  /** What was wanted and what came in; on failure, the nearest requests and what each missed. */
  message: string;
  /** Ids of the journal entries that matched. */
  matching: number[];
  /** On failure: the entries closest to the pattern, each with what it missed. */
  nearest: NearRequest[];
}

export interface NearRequest {
  id: number;
  service: string;
  operation: string;
  target: string;
  status: number | string;
  missed: string[];
}

/** Thrown for a criterion, operation or service the vocabulary or the scenario does not know. */
export class VerificationError extends MockstackError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'VerificationError';
  }
}

const PATTERN_KEYS = ['service', 'protocol', 'operation', 'method', 'path', 'body', 'bodyEquals', 'headers', 'query', 'metadata', 'matched'] as const;
const COUNT_KEYS = ['times', 'atLeast', 'atMost'] as const;
/** Words other tools use for a criterion (WireMock, older mockstack), answered with ours. */
const ALIASES: Record<string, string> = { count: 'times', exactly: 'times', min: 'atLeast', max: 'atMost', equalToJson: 'bodyEquals', url: 'path' };

/** Every criterion `/verify`, `stack.verify` and `toHaveReceived` accept. */
export const verificationCriteria: readonly string[] = [...PATTERN_KEYS, ...COUNT_KEYS];

/**
 * Checks a pattern (and count) given as data, e.g. a JSON body: unknown keys and wrong types are
 * errors naming the nearest criterion. `allowed` adds keys the caller handles itself.
 */
export function parseVerification(input: unknown, allowed: readonly string[] = []): Verification {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid(`a verification is an object of criteria (${verificationCriteria.join(', ')}), not ${preview(input)}`);
  }
  const record = input as Record<string, unknown>;
  // Comparing walks the pattern: one nested deeper than any journaled body (cut at MAX_DEPTH) could never match, and would overflow the stack.
  if (deeperThan(record, MAX_DEPTH + 1))
    throw invalid(`the pattern nests deeper than ${MAX_DEPTH} levels; journaled bodies are cut there, so match a shallower part`);
  const known = [...verificationCriteria, ...allowed];
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      // The pattern wrapped in an object of its own, as some tools' APIs take it: the criteria belong at the top.
      if (key === 'pattern' && record.pattern && typeof record.pattern === 'object' && !Array.isArray(record.pattern)) {
        throw new VerificationError(
          ErrorCode.VerifyUnknownCriterion,
          `unknown verification criterion "pattern": give the pattern's criteria at the top level, beside the count ({ "operation": "POST /orders", "times": 1 }), not inside "pattern". Criteria: ${verificationCriteria.join(', ')}`,
        );
      }
      const closest = ALIASES[key] ?? nearest(key, known, 1)[0];
      throw new VerificationError(
        ErrorCode.VerifyUnknownCriterion,
        `unknown verification criterion "${key}"${closest ? `; did you mean "${closest}"?` : ''} Criteria: ${verificationCriteria.join(', ')}`,
      );
    }
  }
  for (const key of ['service', 'protocol', 'operation', 'method'] as const) {
    if (record[key] !== undefined && typeof record[key] !== 'string') throw invalid(`${key} must be a string, not ${preview(record[key])}`);
  }
  if (record.path !== undefined && typeof record.path !== 'string' && !(record.path instanceof RegExp))
    throw invalid(`path must be a string such as "/orders/42", not ${preview(record.path)}`);
  if (record.matched !== undefined && typeof record.matched !== 'boolean') throw invalid(`matched must be true or false, not ${preview(record.matched)}`);
  for (const key of ['headers', 'query', 'metadata'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw invalid(`${key} must be an object of names to values, e.g. { "x-tenant": "acme" }, not ${preview(value)}`);
    for (const [name, want] of Object.entries(value)) {
      if (!['string', 'number', 'boolean', 'function'].includes(typeof want) && want !== null && !(want instanceof RegExp))
        throw invalid(`${key}.${name} must be a string, number or boolean, not ${preview(want)}`);
    }
  }
  for (const key of COUNT_KEYS) {
    const value = record[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 0))
      throw invalid(`${key} must be a whole number ≥ 0, not ${preview(value)}`);
  }
  if (record.times !== undefined && (record.atLeast !== undefined || record.atMost !== undefined))
    throw invalid('give either times or atLeast/atMost, not both');
  if (typeof record.atLeast === 'number' && typeof record.atMost === 'number' && record.atLeast > record.atMost)
    throw invalid(`atLeast (${record.atLeast}) is above atMost (${record.atMost})`);
  return record as Verification;
}

function invalid(message: string): VerificationError {
  return new VerificationError(ErrorCode.VerifyInvalid, message);
}

/**
 * Checks that a pattern names a service and operation the scenario serves (or the journal has seen,
 * e.g. an auto-mocked contract operation, or rules added while serving: `added`); otherwise throws with the nearest names.
 */
export function checkPatternNames(pattern: RequestPattern, model: Model, journal: Journal, added: readonly AddedRule[] = []): void {
  if (pattern.service !== undefined && !model.services.has(pattern.service)) {
    const services = [...model.services.keys()];
    const [closest] = nearest(pattern.service, services, 1);
    throw new VerificationError(
      ErrorCode.VerifyUnknownOperation,
      `scenario "${model.name}" has no service "${pattern.service}"${closest ? `; did you mean "${closest}"?` : ''} Services: ${services.join(', ')}`,
    );
  }
  const wanted = pattern.operation;
  if (wanted === undefined) return;
  const operations = new Set<string>();
  const services = pattern.service === undefined ? [...model.services.values()] : [model.services.get(pattern.service)].filter((s) => s !== undefined);
  for (const service of services) for (const id of service.operations.keys()) operations.add(id);
  for (const variant of model.variants.values()) {
    for (const [name, overlay] of variant.services)
      if (pattern.service === undefined || name === pattern.service) for (const id of overlay.rules.keys()) operations.add(id);
  }
  for (const { service, rule } of added) if (pattern.service === undefined || service === pattern.service) operations.add(rule.operation);
  const received = new Set(journal.list({ service: pattern.service }).map((e) => e.operation));
  const field = services.map((s) => s.operations.get(wanted)).find((o) => o?.meta.kind === 'field');
  if (field && !received.has(wanted)) {
    const named = [...operations].filter((id) => /^(query|mutation|subscription) /.test(id));
    throw new VerificationError(
      ErrorCode.VerifyUnknownOperation,
      `"${wanted}" is a GraphQL field, resolved inside the operations clients send; the journal counts those operations ("query GetCart"${
        named.length ? `; declared: ${named.map((n) => `"${n}"`).join(', ')}` : ''
      }). Verify the operation, or match the query text with body: { query: … }`,
    );
  }
  if (operations.has(wanted) || received.has(wanted)) return;
  // Operations only a contract or a client names: GraphQL documents name their own operations, and a
  // gRPC service without rules serves its proto's methods, which the model does not list.
  if (/^(query|mutation|subscription) [_A-Za-z][_0-9A-Za-z]*$/.test(wanted) && services.some((s) => s.protocol === 'graphql')) return;
  const grpcService = /^([\w.]+)\/\w+$/.exec(wanted)?.[1];
  if (grpcService && services.some((s) => s.protocol === 'grpc') && ![...operations].some((id) => id.startsWith(`${grpcService}/`))) return;
  for (const id of received) operations.add(id);
  const candidates = [...operations].filter((id) => !id.startsWith('#') && !id.startsWith('('));
  const closest = nearest(wanted, candidates, 3);
  throw new VerificationError(
    ErrorCode.VerifyUnknownOperation,
    `no operation "${wanted}"${pattern.service ? ` in service "${pattern.service}"` : ''} is served or was received${
      closest.length ? `; did you mean ${closest.map((c) => `"${c}"`).join(' or ')}?` : ''
    } Operations are written as rules name them: "POST /orders", "GET /orders/:id", "query GetCart", "pkg.Service/Method".`,
  );
}

/** A pattern made ready to test journal entries, each criterion able to say why an entry misses it. */
export class CompiledPattern {
  readonly pattern: RequestPattern;
  readonly #matchers: Matcher[];

  constructor(pattern: RequestPattern) {
    this.pattern = pattern;
    const headers = { ...pattern.headers, ...pattern.metadata };
    const spec: MatchSpec = {};
    if (pattern.query) spec.query = pattern.query;
    if (Object.keys(headers).length) spec.headers = headers;
    if (pattern.body !== undefined) spec.body = pattern.body;
    if (pattern.bodyEquals !== undefined) spec.bodyEquals = pattern.bodyEquals;
    this.#matchers = compileMatchers(spec);
  }

  test(entry: JournalEntry): boolean {
    return this.misses(entry, true).length === 0;
  }

  /** Why the entry does not match, one reason per criterion it misses (empty when it matches). */
  misses(entry: JournalEntry, firstOnly = false): string[] {
    const { pattern } = this;
    const missed: string[] = [];
    const differs = (what: string, wanted: unknown, actual: unknown): void => {
      if (wanted !== undefined && wanted !== actual) missed.push(`${what} is ${JSON.stringify(actual)}, wanted ${JSON.stringify(wanted)}`);
    };
    differs('service', pattern.service, entry.service);
    differs('protocol', pattern.protocol, entry.protocol);
    differs('operation', pattern.operation, entry.operation);
    if (firstOnly && missed.length) return missed;
    if (pattern.method !== undefined) differs('method', pattern.method.toUpperCase(), methodOf(entry));
    if (pattern.path !== undefined) {
      const path = pathOf(entry);
      const ok = pattern.path instanceof RegExp ? pattern.path.test(path) : pattern.path === path;
      if (!ok) missed.push(`path is ${JSON.stringify(path)}, wanted ${describeValue(pattern.path)}`);
    }
    if (pattern.matched !== undefined && (entry.rule !== null) !== pattern.matched)
      missed.push(pattern.matched ? 'no rule answered it' : `rule ${entry.rule} answered it`);
    if (firstOnly && missed.length) return missed;
    const request = asRequest(entry);
    for (const matcher of this.#matchers) {
      const why = matcher.miss(request);
      if (why) {
        missed.push(why);
        if (firstOnly) return missed;
      }
    }
    return missed;
  }

  describe(): string {
    const { pattern } = this;
    const parts: string[] = [];
    if (pattern.protocol) parts.push(pattern.protocol);
    parts.push(pattern.operation ?? [pattern.method, pattern.path instanceof RegExp ? String(pattern.path) : pattern.path].filter(Boolean).join(' ') ?? '');
    if (!parts.at(-1)) parts.splice(-1, 1, 'any request');
    if (pattern.service) parts.push(`on ${pattern.service}`);
    for (const matcher of this.#matchers) parts.push(`with ${matcher.explain()}`);
    if (pattern.matched !== undefined) parts.push(pattern.matched ? '(matched by a rule)' : '(unmatched)');
    return parts.join(' ');
  }
}

/** Entries of the journal that match a pattern, oldest first. */
export function findRequests(journal: Journal, pattern: RequestPattern): JournalEntry[] {
  const compiled = new CompiledPattern(pattern);
  return journal.list({ service: pattern.service, operation: pattern.operation, protocol: pattern.protocol }).filter((e) => compiled.test(e));
}

/**
 * Counts the journal's requests matching a pattern and checks the count; on failure the message
 * lists the nearest requests and what each missed.
 */
export function verifyRequests(journal: Journal, verification: Verification): VerificationResult {
  const { times, atLeast, atMost, ...pattern } = verification;
  const compiled = new CompiledPattern(pattern);
  const entries = journal.list();
  const matching = entries.filter((e) => compiled.test(e));
  const count = matching.length;
  const low = times ?? atLeast ?? (atMost === undefined ? 1 : 0);
  const high = times ?? atMost ?? Number.POSITIVE_INFINITY;
  const pass = count >= low && count <= high;
  const expected =
    times !== undefined
      ? `exactly ${times} time(s)`
      : atMost === undefined
        ? low === 1
          ? 'at least once'
          : `at least ${low} time(s)`
        : atLeast === undefined
          ? `at most ${atMost} time(s)`
          : `between ${atLeast} and ${atMost} time(s)`;
  const lines = [`expected ${compiled.describe()} ${expected}; it was received ${count} time(s).`];
  let near: NearRequest[] = [];
  if (!pass) {
    if (count > high) {
      lines.push('Matching requests:');
      for (const entry of matching.slice(-5)) lines.push(`  #${entry.id} ${entry.service} ${entry.target} → ${entry.status}`);
    } else {
      near = nearestRequests(entries, compiled, 5);
      if (entries.length === 0) lines.push('No requests were received at all.');
      else if (near.length) {
        lines.push('Nearest requests:');
        for (const n of near) lines.push(`  #${n.id} ${n.service} ${n.target} → ${n.status}: ${n.missed.join('; ')}`);
      }
    }
  }
  return { pass, count, expected, message: lines.join('\n'), matching: matching.map((e) => e.id), nearest: near };
}

/** Verifies that requests matching each pattern came in this order (others may come between). */
export function verifyInOrder(journal: Journal, patterns: readonly RequestPattern[]): VerificationResult {
  const compiled = patterns.map((p) => new CompiledPattern(p));
  const entries = journal.list();
  const matching: number[] = [];
  let at = 0;
  let step = 0;
  for (; step < compiled.length; step++) {
    const current = compiled[step] as CompiledPattern;
    const index = entries.findIndex((e, i) => i >= at && current.test(e));
    if (index < 0) break;
    matching.push((entries[index] as JournalEntry).id);
    at = index + 1;
  }
  const pass = step === compiled.length;
  const order = compiled.map((c, i) => `  ${i + 1}. ${c.describe()}`);
  const lines = [`expected requests in this order:`, ...order];
  let near: NearRequest[] = [];
  if (!pass) {
    const failed = compiled[step] as CompiledPattern;
    const earlier = entries.slice(0, at).filter((e) => failed.test(e));
    lines.push(
      step === 0
        ? `step 1 (${failed.describe()}) was never received.`
        : `steps 1–${step} came in (entries ${matching.map((id) => `#${id}`).join(', ')}), then step ${step + 1} (${failed.describe()}) was ${
            earlier.length ? `received only before step ${step} (${earlier.map((e) => `#${e.id}`).join(', ')})` : 'never received'
          }.`,
    );
    near = nearestRequests(entries.slice(at), failed, 5);
    if (near.length) {
      lines.push(`Nearest requests after step ${step}:`);
      for (const n of near) lines.push(`  #${n.id} ${n.service} ${n.target} → ${n.status}: ${n.missed.join('; ')}`);
    }
  }
  return { pass, count: matching.length, expected: `${compiled.length} request(s) in order`, message: lines.join('\n'), matching, nearest: near };
}

/** Entries ranked by how few criteria they miss (then by how close the operation is). */
function nearestRequests(entries: readonly JournalEntry[], pattern: CompiledPattern, count: number): NearRequest[] {
  const wanted = pattern.pattern.operation;
  return entries
    .map((entry) => ({ entry, missed: pattern.misses(entry) }))
    .filter((x) => x.missed.length > 0)
    .map((x) => ({ ...x, distance: wanted === undefined ? 0 : editDistance(wanted, x.entry.operation) }))
    .sort((a, b) => a.missed.length - b.missed.length || a.distance - b.distance || b.entry.id - a.entry.id)
    .slice(0, count)
    .map(({ entry, missed }) => ({ id: entry.id, service: entry.service, operation: entry.operation, target: entry.target, status: entry.status, missed }));
}

const HTTP_METHOD = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT) /;

/** The HTTP method of a journaled request: the first word of its target; gRPC calls are POSTs. */
function methodOf(entry: JournalEntry): string | undefined {
  const m = HTTP_METHOD.exec(entry.target);
  if (m) return m[1];
  return entry.protocol === 'grpc' ? 'POST' : undefined;
}

/** The path of a journaled request without its query string. */
function pathOf(entry: JournalEntry): string {
  const url = entry.target.replace(HTTP_METHOD, '');
  const end = url.search(/[?\s]/);
  return end < 0 ? url : url.slice(0, end);
}

function asRequest(entry: JournalEntry): CoreRequest {
  return {
    protocol: entry.protocol,
    service: entry.service,
    operation: entry.operation,
    target: entry.target,
    params: entry.request.params,
    query: entry.request.query,
    headers: entry.request.headers,
    body: entry.request.body,
  };
}
