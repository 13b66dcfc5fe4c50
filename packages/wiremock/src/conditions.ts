import { bodyText, escapeRegExp, type ValueMatcher } from '@mockstack/core';
import type { BodyCondition, MatchValue, StubUrl, TextTest } from './stub.js';

/**
 * The tests a stub's matchers make, as functions: the same as `mockstack import` writes as code
 * (record's emit.ts: `bodyText`, `valueAt`, a regex per `matches`), for live rules and for
 * WireMock request patterns over the journal.
 */

// A request body (or a value in it) as text, as WireMock's body patterns read it: as sent (a form's own text), JSON for other values.
export { bodyText };

/** The value at a path of a JSON body (keys and indexes), or undefined. */
export function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[key] : undefined), value);
}

/** Whether `text` passes a test (WireMock's `matches` is on the whole text). */
export function passes(text: string, test: TextTest): boolean {
  if ('contains' in test) return text.includes(test.contains);
  if ('equalTo' in test) return text === test.equalTo;
  const whole = new RegExp(`^(?:${'matches' in test ? test.matches : test.doesNotMatch})$`);
  return 'matches' in test ? whole.test(text) : !whole.test(text);
}

/** Whether a body meets a condition: on its text, or on the value at a path of its JSON. */
export function bodyMeets(body: unknown, condition: BodyCondition): boolean {
  if ('text' in condition) return passes(bodyText(body), condition.text);
  const value = valueAt(body, condition.path);
  if (condition.absent) return value === undefined;
  if (!condition.test) return value !== undefined;
  return passes(bodyText(value), condition.test);
}

/** A match value as a rule's matcher: the value, its regex, or (negated, absent) a named predicate. */
export function valueMatcher(value: MatchValue): ValueMatcher {
  if (typeof value !== 'object' || value === null) return value;
  if ('absent' in value) return named(value.absent ? 'absent' : 'present', (actual: unknown) => (actual === undefined) === value.absent);
  const regex = new RegExp(value.regex, value.flags);
  if (!value.negate) return regex;
  return named(`not matching ${regex}`, (actual: unknown) => {
    const first = Array.isArray(actual) ? actual[0] : actual;
    return typeof first === 'string' && !regex.test(first);
  });
}

/** Whether a request's value (the first of repeated ones, as rules read it) matches. */
export function valueMatches(value: MatchValue, actual: string | string[] | undefined): boolean {
  const first = Array.isArray(actual) ? actual[0] : actual;
  if (typeof value === 'object' && value !== null && 'absent' in value) return (first === undefined) === value.absent;
  if (first === undefined) return false;
  if (typeof value !== 'object' || value === null) return first === String(value);
  return new RegExp(value.regex, value.flags).test(first) !== Boolean(value.negate);
}

/** A predicate with the name near-miss reports give it (`headers x-id=satisfying absent`). */
function named<T extends (actual: unknown) => boolean>(name: string, test: T): T {
  return Object.defineProperty(test, 'name', { value: name });
}

/** `/orders/1?x=2` of a request's target `GET /orders/1?x=2`: the URL as the client sent it. */
export function requestUrlOf(target: string): string {
  return target.slice(target.indexOf(' ') + 1);
}

/** The path of a URL as sent (before `?` and `#`). */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * A test of the URL as sent (path and query, encoded) for a stub's URL: `url` equal to it,
 * `urlPath` equal to its path, `urlPathPattern` and `urlPattern` matching the whole path or URL,
 * `urlPathTemplate` of the same shape. Undefined for none (every URL).
 */
export function urlTest(url: StubUrl): ((sent: string) => boolean) | undefined {
  switch (url.kind) {
    case 'url':
      return (sent) => sent === url.url;
    case 'urlPath':
      return (sent) => samePath(pathOf(sent), url.path);
    case 'urlPathPattern': {
      const whole = new RegExp(`^(?:${url.pattern})$`);
      return (sent) => whole.test(pathOf(sent));
    }
    case 'urlPattern': {
      const whole = new RegExp(`^(?:${url.pattern})$`);
      return (sent) => whole.test(sent);
    }
    case 'urlPathTemplate': {
      const shape = new RegExp(
        `^${url.template
          .split(/\{[^}/]+\}/)
          .map(escapeRegExp)
          .join('[^/]+')}$`,
      );
      return (sent) => shape.test(pathOf(sent));
    }
    case 'any':
      return undefined;
  }
}

function samePath(sent: string, wanted: string): boolean {
  if (sent === wanted) return true;
  try {
    return decodeURIComponent(sent) === decodeURIComponent(wanted);
  } catch {
    return false;
  }
}
