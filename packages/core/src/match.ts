import { MAX_DEPTH, preview } from './bounded.js';
import type { CoreRequest, MatchSpec, ValueMatcher } from './model.js';

/**
 * One condition of a rule. `explain()` says what it wants, `miss()` why a request fails it;
 * the near-miss report for unmatched requests is built from these.
 */
export interface Matcher {
  readonly type: 'params' | 'query' | 'headers' | 'body' | 'bodyEquals' | 'when';
  test(request: CoreRequest): boolean;
  explain(): string;
  /** Why the request does not match, or undefined when it does. */
  miss(request: CoreRequest): string | undefined;
  /**
   * Conditions of this matcher that ask for one exact value (`params.id` is "42", the body's
   * `$.order.sku` is the string "A-1"): a request failing one fails `test`. Rules are indexed by them
   * (see rule-index.ts); RegExps and predicates give none.
   */
  readonly exact: readonly ExactCondition[];
}

/** One part of a request (its `dimension`, such as `params\0id`) that must read as `key` exactly. */
export interface ExactCondition {
  readonly dimension: string;
  readonly key: string;
  /** The key the request has in this dimension, or undefined when it has none. */
  read(request: CoreRequest): string | undefined;
}

export function compileMatchers(spec: MatchSpec | undefined): Matcher[] {
  if (!spec) return [];
  const matchers: Matcher[] = [];
  if (spec.params) matchers.push(recordMatcher('params', spec.params, (r) => r.params));
  if (spec.query) matchers.push(recordMatcher('query', spec.query, (r) => r.query));
  if (spec.headers) matchers.push(recordMatcher('headers', lowerKeys(spec.headers), (r) => r.headers));
  if (spec.body !== undefined) matchers.push(bodyMatcher('body', spec.body, true));
  if (spec.bodyEquals !== undefined) matchers.push(bodyMatcher('bodyEquals', spec.bodyEquals, false));
  if (spec.when) matchers.push(predicateMatcher(spec.when));
  return matchers;
}

function lowerKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

export function describeValue(expected: ValueMatcher | unknown): string {
  if (expected instanceof RegExp) return `matching ${expected}`;
  if (typeof expected === 'function') return `satisfying ${expected.name || 'a predicate'}`;
  return JSON.stringify(expected);
}

function testValue(expected: ValueMatcher, actual: unknown): boolean {
  const value = Array.isArray(actual) ? actual[0] : actual;
  if (expected instanceof RegExp) return typeof value === 'string' && expected.test(value);
  if (typeof expected === 'function') return expected(actual);
  if (value === undefined) return false;
  return String(value) === String(expected);
}

function recordMatcher(
  type: 'params' | 'query' | 'headers',
  expected: Record<string, ValueMatcher>,
  pick: (request: CoreRequest) => Record<string, unknown>,
): Matcher {
  const entries = Object.entries(expected);
  const exact: ExactCondition[] = [];
  for (const [key, want] of entries) {
    if (want === null || (typeof want !== 'string' && typeof want !== 'number' && typeof want !== 'boolean')) continue;
    // As testValue compares: the first of repeated values, as a string.
    const read = (request: CoreRequest): string | undefined => {
      const actual = pick(request)[key];
      const value = Array.isArray(actual) ? actual[0] : actual;
      return value === undefined ? undefined : String(value);
    };
    exact.push({ dimension: `${type}\0${key}`, key: String(want), read });
  }
  return {
    type,
    exact,
    test: (request) => {
      const actual = pick(request);
      return entries.every(([key, want]) => testValue(want, actual[key]));
    },
    explain: () => `${type} ${entries.map(([k, v]) => `${k}=${describeValue(v)}`).join(', ')}`,
    miss: (request) => {
      const actual = pick(request);
      const misses = entries
        .filter(([key, want]) => !testValue(want, actual[key]))
        .map(([key, want]) =>
          actual[key] === undefined
            ? `${type} "${key}" is missing (wanted ${describeValue(want)})`
            : `${type} "${key}" is ${JSON.stringify(actual[key])}, wanted ${describeValue(want)}`,
        );
      return misses.length ? misses.join('; ') : undefined;
    },
  };
}

function bodyMatcher(type: 'body' | 'bodyEquals', expected: unknown, partial: boolean): Matcher {
  return {
    type,
    exact: bodyLeaves(expected, []),
    test: (request) => firstDifference(expected, request.body, partial, '$') === undefined,
    explain: () => `${partial ? 'body containing' : 'body equal to'} ${JSON.stringify(expected)}`,
    miss: (request) => {
      const difference = firstDifference(expected, request.body, partial, '$');
      return difference && `body: ${difference}`;
    },
  };
}

/**
 * The exact leaves of an expected body reached through objects only (an array must match whole,
 * so none under one): string, finite number, boolean or null values, compared by `Object.is` as
 * `firstDifference` does, so keyed with their type (`0` and `'0'` differ; `-0` is left out).
 */
function bodyLeaves(expected: unknown, path: readonly string[]): ExactCondition[] {
  if (expected !== null && typeof expected === 'object') {
    if (Array.isArray(expected) || expected instanceof RegExp || path.length >= MAX_DEPTH) return [];
    return Object.entries(expected).flatMap(([key, value]) => bodyLeaves(value, [...path, key]));
  }
  const key = bodyKey(expected);
  if (key === undefined) return [];
  return [{ dimension: `body\0${JSON.stringify(path)}`, key, read: (request) => bodyKey(valueAt(request.body, path)) }];
}

function bodyKey(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return `${typeof value}:${value}`;
  if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return `number:${value}`;
  return undefined;
}

/** The value at `path` through plain objects (not arrays), as `firstDifference` walks them; undefined elsewhere. */
function valueAt(body: unknown, path: readonly string[]): unknown {
  let value = body;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const record = value as Record<string, unknown>;
    if (!(key in record)) return undefined;
    value = record[key];
  }
  return value;
}

function predicateMatcher(when: (request: CoreRequest) => boolean): Matcher {
  const name = when.name && when.name !== 'when' ? when.name : 'when(…)';
  return {
    type: 'when',
    exact: [],
    test: (request) => safeTest(when, request),
    explain: () => `condition ${name}`,
    miss: (request) => (safeTest(when, request) ? undefined : `condition ${name} returned false`),
  };
}

function safeTest(when: (request: CoreRequest) => boolean, request: CoreRequest): boolean {
  try {
    return Boolean(when(request));
  } catch {
    return false;
  }
}

/**
 * The first place where `actual` differs from `expected`, as `$.items[0].sku: …`, or undefined.
 * In partial mode objects may have extra keys; arrays must have the same length either way.
 * Strings in `expected` may be RegExps and any value a predicate.
 */
export function firstDifference(expected: unknown, actual: unknown, partial: boolean, path: string, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return `${path} nests deeper than ${MAX_DEPTH} levels, which mockstack does not compare`;
  if (expected instanceof RegExp) {
    return typeof actual === 'string' && expected.test(actual) ? undefined : `${path} is ${preview(actual)}, wanted ${expected}`;
  }
  if (typeof expected === 'function') {
    return safePredicate(expected as (v: unknown) => unknown, actual)
      ? undefined
      : `${path} is ${preview(actual)}, which fails ${expected.name || 'the predicate'}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path} is ${preview(actual)}, wanted an array`;
    if (actual.length !== expected.length) return `${path} has ${actual.length} items, wanted ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(expected[i], actual[i], partial, `${path}[${i}]`, depth + 1);
      if (d) return d;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path} is ${preview(actual)}, wanted an object`;
    const actualRecord = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in actualRecord)) return `${path}.${key} is missing`;
      const d = firstDifference(value, actualRecord[key], partial, `${path}.${key}`, depth + 1);
      if (d) return d;
    }
    if (!partial) {
      const extra = Object.keys(actualRecord).find((k) => !(k in expected));
      if (extra !== undefined) return `${path}.${extra} is not expected`;
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : `${path} is ${preview(actual)}, wanted ${preview(expected)}`;
}

function safePredicate(predicate: (v: unknown) => unknown, value: unknown): boolean {
  try {
    return Boolean(predicate(value));
  } catch {
    return false;
  }
}
