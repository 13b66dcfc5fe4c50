import { compileMatchers, isRecord, type JournalEntry, parseJsonOrUndefined, REDACTED } from '@mockstack/core';
import { bodyMeets, requestUrlOf, urlTest, valueMatches } from './conditions.js';
import { WiremockMappingInvalid } from './errors.js';
import type { LiveMapping } from './live-mappings.js';
import { conditionsTest } from './matchers.js';
import { type ParsedStub, parseStub, regexProblems } from './stub.js';

/**
 * WireMock's near misses: how far a request is from a stub (or a logged request from a request
 * pattern), as the share of the stub's parts the request fails — method, URL, each query parameter,
 * header and body condition — from 0 (it matches) to 1. WireMock's clients show the nearest three
 * when a verification fails; here they are ranked the same way, with the parts compared as the rules
 * the stub became compare them.
 */

/** A request as near misses compare it: method, URL as sent, headers (lower-case), query, body. */
export interface ProbedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** One near miss in WireMock's shape: the request, the stub (or pattern) it missed, and by how much. */
export interface NearMiss {
  request: Record<string, unknown>;
  stubMapping?: Record<string, unknown>;
  requestPattern?: Record<string, unknown>;
  matchResult: { distance: number };
}

/** WireMock answers at most this many near misses per request. */
const NEAR_MISS_COUNT = 3;

/** The share of a stub's parts a request fails (0: it matches); a redacted header is not judged. */
export function distanceTo(stub: ParsedStub, request: ProbedRequest): number {
  const parts: boolean[] = [];
  if (stub.method !== 'ANY') parts.push(stub.method === request.method.toUpperCase());
  const onUrl = urlTest(stub.url);
  if (onUrl) parts.push(onUrl(request.url));
  for (const [name, value] of Object.entries(stub.match.query ?? {})) parts.push(valueMatches(value, request.query[name]));
  for (const [name, value] of Object.entries(stub.match.headers ?? {})) {
    const actual = request.headers[name.toLowerCase()];
    // The journal keeps secrets (cookies, credentials) redacted: such a part cannot be judged, so it does not count.
    if (actual !== REDACTED) parts.push(valueMatches(value, actual));
  }
  const { body, bodyEquals } = stub.match;
  const core = { protocol: 'rest', service: '', operation: '', params: {}, query: request.query, headers: request.headers, body: request.body, target: '' };
  for (const matcher of compileMatchers({ ...(body !== undefined && { body }), ...(bodyEquals !== undefined && { bodyEquals }) }))
    parts.push(matcher.test(core));
  for (const condition of stub.match.bodyConditions ?? []) parts.push(bodyMeets(request.body, condition));
  for (const condition of stub.match.matchers ?? []) {
    const redacted = condition.on === 'headers' && request.headers[(condition.name ?? '').toLowerCase()] === REDACTED;
    if (!redacted) parts.push(conditionsTest([condition])({ ...core, params: {} }));
  }
  if (parts.length === 0) return 0;
  return round(parts.filter((met) => !met).length / parts.length);
}

/** The mappings nearest to a request that none of them matched, nearest first. */
export function nearMissesOfMappings(request: ProbedRequest, logged: Record<string, unknown>, mappings: readonly LiveMapping[]): NearMiss[] {
  return mappings
    .map((mapping) => ({ mapping, distance: distanceTo(parseStub(mapping.mapping), request) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, NEAR_MISS_COUNT)
    .map(({ mapping, distance }) => ({ request: logged, stubMapping: mapping.mapping, matchResult: { distance } }));
}

/** The logged requests nearest to a WireMock request pattern, nearest first; throws WiremockMappingInvalid for a pattern it cannot read. */
export function nearMissesOfPattern(pattern: unknown, requests: readonly { probed: ProbedRequest; logged: Record<string, unknown> }[]): NearMiss[] {
  if (!isRecord(pattern))
    throw new WiremockMappingInvalid(['a request pattern is a JSON object (e.g. { "method": "GET", "urlPath": "/orders" })'], 'the request pattern');
  const stub = parseStub({ request: pattern });
  const problems = [...stub.untranslated, ...regexProblems(stub)];
  if (problems.length) throw new WiremockMappingInvalid(problems, 'the request pattern');
  return requests
    .map(({ probed, logged }) => ({ logged, distance: distanceTo(stub, probed) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, NEAR_MISS_COUNT)
    .map(({ logged, distance }) => ({ request: logged, requestPattern: pattern, matchResult: { distance } }));
}

/** A REST journal entry as near misses compare it. */
export function probedOfEntry(entry: JournalEntry): ProbedRequest {
  return {
    method: entry.target.slice(0, entry.target.indexOf(' ')),
    url: requestUrlOf(entry.target),
    headers: entry.request.headers,
    query: entry.request.query,
    body: entry.request.body,
  };
}

/**
 * WireMock's LoggedRequest, as its clients send it to `near-misses/request` (`url` and `method`
 * required; headers as values or `{ values }`; the body as text, JSON read from it), as near misses
 * compare it. Throws WiremockMappingInvalid naming what is missing.
 */
export function probedOfLoggedRequest(logged: unknown): ProbedRequest {
  if (!isRecord(logged) || typeof logged.url !== 'string' || typeof logged.method !== 'string')
    throw new WiremockMappingInvalid(['a logged request has "url" and "method" (e.g. { "url": "/orders/1", "method": "GET" })'], 'the logged request');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(isRecord(logged.headers) ? logged.headers : {})) {
    const values = isRecord(value) && Array.isArray(value.values) ? value.values.map(String) : Array.isArray(value) ? value.map(String) : [String(value)];
    headers[name.toLowerCase()] = values.length === 1 ? (values[0] as string) : values;
  }
  const query: Record<string, string | string[]> = {};
  let search: URLSearchParams;
  try {
    search = new URL(logged.url, 'http://wiremock').searchParams;
  } catch {
    throw new WiremockMappingInvalid([`the url ${JSON.stringify(logged.url)} is not a URL (e.g. "/orders/1?expand=lines")`], 'the logged request');
  }
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const text = typeof logged.body === 'string' ? logged.body : undefined;
  const body = text === undefined || text === '' ? undefined : (parseJsonOrUndefined(text) ?? text);
  return { method: logged.method, url: logged.url, headers, query, body };
}

function round(distance: number): number {
  return Math.round(distance * 1000) / 1000;
}
