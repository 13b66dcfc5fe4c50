import { isRecord, parseJsonOrUndefined } from '@mockstack/core';
import { JSONPath } from 'jsonpath-plus';
import { selectXPath, type XPathSelector } from './xpath.js';

/**
 * Mountebank's predicates over an HTTP request, with its semantics: field names and values are
 * compared lower-cased unless `caseSensitive`, `except` is removed from values first, `equals` and
 * the others take object fields as a subset (any value of a repeated query parameter or JSON array
 * may match), `deepEquals` takes them exactly, a JSON body is reached into by object predicates, and
 * `jsonpath` or `xpath` selects from the body before comparing. Written from Mountebank's documentation and
 * behaviour (https://www.mbtest.org/docs/api/predicates).
 */

/** An HTTP request as Mountebank's predicates see it. */
export interface MountebankRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Names lower-cased (HTTP names are case-insensitive; node gives them so). */
  headers: Record<string, string | string[]>;
  /** The body as text ('' when none). */
  body: string;
  /** The fields of a form body (application/x-www-form-urlencoded). */
  form?: Record<string, string | string[]>;
}

/** The predicate operators mockstack evaluates. */
export const OPERATORS = ['equals', 'deepEquals', 'contains', 'startsWith', 'endsWith', 'matches', 'exists', 'not', 'or', 'and'] as const;
export type Operator = (typeof OPERATORS)[number];
/** The request fields predicates name. */
export const FIELDS = ['method', 'path', 'query', 'headers', 'body', 'form'] as const;
/** The parameters a predicate takes beside its operator. */
export const PARAMETERS = ['caseSensitive', 'keyCaseSensitive', 'except', 'jsonpath', 'xpath'] as const;

interface Config {
  caseSensitive?: boolean;
  keyCaseSensitive?: boolean;
  except?: string;
  jsonpath?: { selector: string };
  xpath?: XPathSelector;
}

type Json = unknown;
type Compare = (expected: string, actual: string) => boolean;

/** Whether a request meets every predicate of a stub (Mountebank: an empty list matches everything). */
export function meetsAll(predicates: readonly unknown[], request: MountebankRequest): boolean {
  return predicates.every((predicate) => meets(predicate, request));
}

/** Whether a request meets one predicate (it must have been validated: see `predicateProblems`). */
export function meets(predicate: unknown, request: MountebankRequest): boolean {
  if (!isRecord(predicate)) return false;
  const config = predicate as Config;
  // Mountebank takes the first key that is an operator.
  const operator = Object.keys(predicate).find((key): key is Operator => (OPERATORS as readonly string[]).includes(key));
  const expected = operator === undefined ? undefined : predicate[operator];
  switch (operator) {
    case undefined:
      return false;
    case 'not':
      return !meets(expected, request);
    case 'or':
      return (expected as unknown[]).some((sub) => meets(sub, request));
    case 'and':
      return (expected as unknown[]).every((sub) => meets(sub, request));
    case 'deepEquals':
      return deepEquals(expected, request, config);
    case 'matches':
      return matches(expected, request, config);
    case 'exists':
      return satisfied(normalize(expected, config, false), normalize(request, config, true), config, () => false, existsTest, true);
    default:
      return satisfied(normalize(expected, config, false), normalize(request, config, true), config, COMPARES[operator]);
  }
}

const COMPARES: Record<'equals' | 'contains' | 'startsWith' | 'endsWith', Compare> = {
  equals: (expected, actual) => expected === actual,
  contains: (expected, actual) => actual.includes(expected),
  startsWith: (expected, actual) => actual.startsWith(expected),
  endsWith: (expected, actual) => actual.endsWith(expected),
};

/** `exists: { field: true }`: present and not empty; `false`: absent or empty. */
function existsTest(want: Json, value: Json): boolean {
  const present = value !== undefined && value !== '';
  return want ? present : !present;
}

function lower(text: string): string {
  return text.toLowerCase();
}

/**
 * Keys and string values transformed as the predicate's parameters say; arrays sorted unless `sort` is
 * false (the order of repeated query parameters does not matter). Header names are always lower-cased
 * (node gives them so). `selecting`: this is the request, whose body `jsonpath` selects from.
 */
function normalize(value: Json, config: Config, selecting: boolean, sort = true): Json {
  const keyCase = config.keyCaseSensitive === false || !config.caseSensitive ? lower : (key: string) => key;
  const except = config.except ? new RegExp(config.except, config.caseSensitive ? 'g' : 'gi') : undefined;
  const text = (s: string) => {
    const cut = except ? s.replace(except, '') : s;
    return config.caseSensitive ? cut : lower(cut);
  };
  const walk = (v: Json, depth: number, headers: boolean): Json => {
    if (Array.isArray(v)) {
      const items = v.map((item) => walk(item, depth + 1, false));
      return sort ? items.sort(byValue) : items;
    }
    if (isRecord(v))
      return Object.fromEntries(
        Object.entries(v).map(([key, item]) => [headers ? lower(key) : keyCase(key), walk(item, depth + 1, depth === 0 && lower(key) === 'headers')]),
      );
    return typeof v === 'string' ? text(v) : v;
  };
  if (selecting && (config.jsonpath || config.xpath) && isRecord(value)) {
    const request = value as unknown as MountebankRequest;
    const normalized = walk({ ...request, body: '' }, 0, false) as Record<string, Json>;
    return { ...normalized, body: config.jsonpath ? selectJsonPath(request.body, config) : selectXPathOf(text(request.body), config) };
  }
  return walk(value, 0, false);
}

/** The value(s) a JSONPath selects from the body: one value, a sorted list of several, or undefined. */
function selectJsonPath(body: string, config: Config): Json {
  const selector = config.jsonpath?.selector ?? '$';
  const json = parseJsonOrUndefined(body);
  if (json === undefined) return undefined;
  // Mountebank lower-cases keys and values before selecting (unless case-sensitive), and the selector too.
  const { jsonpath: _selector, ...plain } = config;
  const prepared = normalize(json, plain, false, false);
  if (typeof prepared !== 'object' || prepared === null) return undefined;
  const keyCaseSensitive = config.keyCaseSensitive ?? config.caseSensitive;
  const found = JSONPath({ path: keyCaseSensitive ? selector : lower(selector), json: prepared as object, wrap: true }) as Json[];
  const values = found.map((v) => (isRecord(v) || Array.isArray(v) ? v : String(v)));
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values.sort(byValue);
}

/**
 * The value(s) an xpath selects from the body (lower-cased and `except` removed already, as Mountebank
 * does): one value, a sorted list of several, a number or boolean, or undefined. The selector and the
 * namespace URIs are lower-cased too unless case-sensitive.
 */
function selectXPathOf(body: string, config: Config): Json {
  const { selector, ns = {} } = config.xpath as XPathSelector;
  const caseSensitive = config.caseSensitive === true;
  const found = selectXPath(body, {
    selector: caseSensitive ? selector : lower(selector),
    ns: caseSensitive ? ns : Object.fromEntries(Object.entries(ns).map(([prefix, uri]) => [prefix, lower(uri)])),
  });
  if (!Array.isArray(found)) return found;
  return found.length === 1 ? found[0] : found.sort(byValue);
}

function byValue(a: Json, b: Json): number {
  const key = (v: Json) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  const [x, y] = [key(a), key(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A string holding JSON as its value (keys and values normalized), else the string. */
function tryJson(text: string, config: Config): Json {
  const json = parseJsonOrUndefined(text);
  return json === undefined ? text : normalize(json, config, false, false);
}

/**
 * Every field of `expected` is met by `actual` (a subset match): a list of expected values each met by
 * some actual value, one expected value met by any of a list, objects compared field by field, and
 * a string of JSON reached into.
 */
function satisfied(expected: Json, actual: Json, config: Config, compare: Compare, leaf = leafTest(compare), exists = false): boolean {
  if (!isRecord(expected)) return leaf(expected, actual);
  if (actual === undefined || actual === null || actual === '') return false;
  const target = typeof actual === 'string' ? tryJson(actual, config) : actual;
  if (!isRecord(target) && !Array.isArray(target)) return false;
  return Object.entries(expected).every(([field, want]) => {
    const got = (target as Record<string, Json>)[field];
    if (Array.isArray(want) && Array.isArray(got)) return want.every((w) => got.some((g) => test(w, g)));
    if (Array.isArray(got) && !Array.isArray(want)) return exists && want ? true : got.some((g) => test(want, g));
    // `{ equals: { body: { key: 'third' } } }` against a body that is a list of objects: any of them may have it.
    if (!Array.isArray(want) && got === undefined && Array.isArray(target)) return target.some((g) => satisfied(expected, g, config, compare, leaf, exists));
    if (isRecord(want)) return satisfied(want, got, config, compare, leaf, exists);
    return test(want, got);
  });
  function test(want: Json, got: Json): boolean {
    return isRecord(want) ? satisfied(want, got ?? '', config, compare, leaf, exists) : leaf(want, got ?? '');
  }
}

function leafTest(compare: Compare): (expected: Json, actual: Json) => boolean {
  return (expected, actual) => {
    if (isRecord(actual) || Array.isArray(actual)) return false;
    return compare(String(expected), actual === undefined || actual === null ? (actual === null ? 'null' : '') : String(actual));
  };
}

function matches(expected: Json, request: MountebankRequest, config: Config): boolean {
  // Values are not lower-cased (a regex's \W is not \w); the regex ignores case instead. Keys are, unless case-sensitive.
  const caseSensitive = config.caseSensitive === true;
  const asIs: Config = { ...config, caseSensitive: true, keyCaseSensitive: caseSensitive };
  const { except: _except, ...noExcept } = asIs;
  const wanted = normalize(expected, noExcept, false);
  const actual = normalize(request, asIs, true);
  const flags = caseSensitive ? '' : 'i';
  return satisfied(wanted, actual, asIs, (pattern, value) => new RegExp(pattern, flags).test(value));
}

function deepEquals(expected: Json, request: MountebankRequest, config: Config): boolean {
  const wanted = normalize(forceStrings(expected), config, false);
  const actual = normalize(forceStrings(request), config, true) as Record<string, Json>;
  if (!isRecord(wanted)) return false;
  return Object.entries(wanted).every(([field, want]) => {
    let got = actual[field];
    if (isRecord(want) && typeof got === 'string') got = normalize(forceStrings(parseJsonOrUndefined(got) ?? got), config, false);
    if (got === undefined) got = field === 'query' || field === 'headers' || field === 'form' ? {} : '';
    return stableJson(want) === stableJson(got);
  });
}

/** Every scalar as a string (`1` and `"1"` are the same to deepEquals, as query parameters are text). */
function forceStrings(value: Json): Json {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(forceStrings);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forceStrings(v)]));
  return value === undefined ? value : String(value);
}

/** JSON with keys sorted, so two objects equal regardless of key order. */
function stableJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isRecord(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
