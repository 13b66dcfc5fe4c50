import { type CoreRequest, ErrorCode, isRecord, MockstackError } from '@mockstack/core';
import { compileMatcher, compileMultipartPattern, compileValuesMatcher, conditionsTest, type MatcherCondition, type WiremockMatcher } from './matchers.js';

/** The parts of a WireMock request pattern `wiremock.matching` tests: matchers by name, and body patterns. */
export interface WiremockMatchers {
  pathParameters?: Record<string, WiremockMatcher>;
  queryParameters?: Record<string, WiremockMatcher>;
  headers?: Record<string, WiremockMatcher>;
  bodyPatterns?: WiremockMatcher[];
  multipartPatterns?: WiremockMatcher[];
}

/**
 * A rule's `when` from WireMock matchers, evaluated as WireMock does: XML (`equalToXml`, `matchesXPath`),
 * logical (`and`, `or`, `not`), multi-value (`hasExactly`, `includes`), dates and times, numbers
 * (what `mockstack import` writes where the DSL has no form of its own). `also`, when given, must hold
 * too. Throws a MockstackError (MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID) naming each malformed matcher.
 *
 * @example
 * rest.post('/soap/orders', { match: { when: wiremock.matching({ bodyPatterns: [{ matchesXPath: '//GetOrder[@id="7"]' }] }) } }, soapReply)
 */
export function matching(matchers: WiremockMatchers, also?: (request: CoreRequest) => boolean): (request: CoreRequest) => boolean {
  const conditions: MatcherCondition[] = [];
  const problems: string[] = [];
  const named = [
    ['params', 'pathParameters', 'path parameter'],
    ['query', 'queryParameters', 'query parameter'],
    ['headers', 'headers', 'header'],
  ] as const;
  for (const [on, key, what] of named) {
    for (const [name, matcher] of Object.entries(matchers[key] ?? {})) {
      if (compileValuesMatcher(matcher, problems, `${what} ${name}`)) conditions.push({ on, name, matcher });
    }
  }
  for (const [i, matcher] of (matchers.bodyPatterns ?? []).entries()) {
    if (compileMatcher(matcher, problems, `bodyPatterns[${i}]`)) conditions.push({ on: 'body', matcher });
  }
  for (const [i, matcher] of (matchers.multipartPatterns ?? []).entries()) {
    if (compileMultipartPattern(matcher, problems, `multipartPatterns[${i}]`)) conditions.push({ on: 'multipart', matcher });
  }
  for (const key of Object.keys(matchers))
    if (!['pathParameters', 'queryParameters', 'headers', 'bodyPatterns', 'multipartPatterns'].includes(key))
      problems.push(`${key} is not tested by wiremock.matching (pathParameters, queryParameters, headers, bodyPatterns and multipartPatterns are)`);
  if (!isRecord(matchers)) problems.push('wiremock.matching takes { pathParameters?, queryParameters?, headers?, bodyPatterns?, multipartPatterns? }');
  if (problems.length)
    throw new MockstackError(
      ErrorCode.WiremockMappingInvalid,
      `wiremock.matching: ${problems.length === 1 ? problems[0] : `\n${problems.map((p) => `  - ${p}`).join('\n')}`}`,
    );
  const test = conditionsTest(conditions);
  return also ? (request) => test(request) && also(request) : test;
}

/**
 * WireMock's matchers in a scenario: `wiremock.matching(...)` is a rule's `when` that evaluates them
 * as WireMock does. This entry has no admin API in it, so scenarios that import `mockstack` type-check
 * and bundle without it.
 */
export const wiremock = { matching } as const;

/** The conditions of a parsed stub as `wiremock.matching` takes them (what `mockstack import` writes). */
export function matchersOf(conditions: readonly MatcherCondition[]): WiremockMatchers {
  const matchers: WiremockMatchers = {};
  for (const { on, name, matcher } of conditions) {
    if (on === 'body') matchers.bodyPatterns = [...(matchers.bodyPatterns ?? []), matcher];
    else if (on === 'multipart') matchers.multipartPatterns = [...(matchers.multipartPatterns ?? []), matcher];
    else {
      const key = on === 'params' ? 'pathParameters' : on === 'query' ? 'queryParameters' : 'headers';
      matchers[key] = { ...matchers[key], [name ?? '']: matcher };
    }
  }
  return matchers;
}
