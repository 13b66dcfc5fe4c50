import { randomUUID } from 'node:crypto';
import { type CoreRequest, compileMatchers, isRecord, type JournalEntry } from '@mockstack/core';
import { requestUrlOf } from './conditions.js';
import { WiremockMappingInvalid } from './errors.js';
import { stubMatchSpec } from './live-stub.js';
import { parseStub, regexProblems } from './stub.js';

/** Keys only WireMock's request patterns have (mockstack's own have `method` and `headers` too, with plain values). */
const WIREMOCK_PATTERN_KEYS = [
  'url',
  'urlPath',
  'urlPattern',
  'urlPathPattern',
  'urlPathTemplate',
  'queryParameters',
  'bodyPatterns',
  'pathParameters',
  'cookies',
  'basicAuthCredentials',
  'formParameters',
  'multipartPatterns',
  'customMatcher',
  'host',
  'port',
  'scheme',
  'clientIp',
];

/**
 * Whether a request pattern is WireMock's: it has a key only WireMock's have, header matchers that are
 * objects (`{ "equalTo": "x" }`), or method ANY. `{}` and `{ "method": "GET" }` read the same in both and
 * stay mockstack's.
 */
export function isWiremockPattern(body: unknown): boolean {
  if (!isRecord(body)) return false;
  if (WIREMOCK_PATTERN_KEYS.some((key) => key in body)) return true;
  if (isRecord(body.headers) && Object.values(body.headers).some(isRecord)) return true;
  return body.method === 'ANY';
}

/** A WireMock request pattern as a test of journal entries (REST ones); throws WiremockMappingInvalid listing what it cannot test. */
export function wiremockRequestTest(pattern: unknown): (entry: JournalEntry) => boolean {
  if (!isRecord(pattern))
    throw new WiremockMappingInvalid(['a request pattern is a JSON object (e.g. { "method": "GET", "urlPath": "/orders" })'], 'the request pattern');
  const parsed = parseStub({ request: pattern });
  const problems = [...parsed.untranslated, ...regexProblems(parsed)];
  if (problems.length) throw new WiremockMappingInvalid(problems, 'the request pattern');
  const matchers = compileMatchers(stubMatchSpec(parsed, { path: '', urlChecked: false }));
  return (entry) =>
    entry.protocol === 'rest' && (parsed.method === 'ANY' || methodOf(entry) === parsed.method) && matchers.every((matcher) => matcher.test(requestOf(entry)));
}

/**
 * A WireMock content pattern (`equalToJson`, `matchesJsonPath`, `contains`…) as a test of a mapping's
 * metadata, as find-by-metadata and remove-by-metadata read it; throws WiremockMappingInvalid.
 */
export function metadataTest(pattern: unknown): (metadata: Record<string, unknown>) => boolean {
  if (!isRecord(pattern))
    throw new WiremockMappingInvalid(
      ['a metadata pattern is a JSON object (e.g. { "matchesJsonPath": { "expression": "$.team", "equalTo": "checkout" } })'],
      'the metadata pattern',
    );
  const parsed = parseStub({ request: { bodyPatterns: [pattern] } });
  const problems = [...parsed.untranslated, ...regexProblems(parsed)];
  if (problems.length) throw new WiremockMappingInvalid(problems, 'the metadata pattern');
  const matchers = compileMatchers(stubMatchSpec(parsed, { path: '', urlChecked: true }));
  return (metadata) => {
    const request: CoreRequest = { protocol: 'rest', service: '', operation: '', params: {}, query: {}, headers: {}, body: metadata, target: '' };
    return matchers.every((matcher) => matcher.test(request));
  };
}

/** A journal entry as WireMock's LoggedRequest (the request of a serve event). */
export function loggedRequestOf(entry: JournalEntry, baseUrl: string | undefined): Record<string, unknown> {
  const url = requestUrlOf(entry.target);
  const body = entry.request.body === undefined ? '' : typeof entry.request.body === 'string' ? entry.request.body : JSON.stringify(entry.request.body);
  const time = Date.parse(entry.time);
  return {
    url,
    absoluteUrl: baseUrl ? `${baseUrl}${url}` : url,
    method: methodOf(entry),
    headers: entry.request.headers,
    cookies: {},
    queryParams: Object.fromEntries(
      Object.entries(entry.request.query).map(([key, value]) => [key, { key, values: value === undefined ? [] : Array.isArray(value) ? value : [value] }]),
    ),
    body,
    bodyAsBase64: Buffer.from(body).toString('base64'),
    browserProxyRequest: false,
    loggedDate: time,
    loggedDateString: new Date(time).toISOString(),
  };
}

/**
 * What WireMock's serve event of a request no stub answered names as its stub (its `StubMapping.NOT_CONFIGURED`):
 * method ANY answering 404, with one id for the life of the process. Clients read `stubMapping.id` of every event.
 */
const NOT_CONFIGURED_ID = randomUUID();
const NOT_CONFIGURED_RESPONSE = { status: 404, fromConfiguredStub: false };
const NOT_CONFIGURED = { id: NOT_CONFIGURED_ID, request: { method: 'ANY' }, response: NOT_CONFIGURED_RESPONSE, uuid: NOT_CONFIGURED_ID };

/** A journal entry as WireMock's serve event: the request, what answered it, whether a stub matched. */
export function serveEventOf(entry: JournalEntry, baseUrl: string | undefined, mapping: Record<string, unknown> | undefined): Record<string, unknown> {
  const response = { status: entry.response?.status ?? entry.status, headers: entry.response?.headers ?? {}, body: entry.response?.body };
  const matched = entry.rule !== null;
  const stubMapping = mapping ?? (matched ? undefined : NOT_CONFIGURED);
  return {
    id: String(entry.id),
    request: loggedRequestOf(entry, baseUrl),
    // A miss: as WireMock's, no stub's definition (the answer itself is in `response`).
    responseDefinition: matched ? response : { ...NOT_CONFIGURED_RESPONSE, status: response.status },
    response,
    wasMatched: matched,
    timing: { totalTime: entry.durationMs },
    ...(stubMapping && { stubMapping }),
    // Which mockstack service and rule answered (not WireMock's).
    service: entry.service,
    rule: entry.rule,
  };
}

function methodOf(entry: JournalEntry): string {
  return entry.target.slice(0, entry.target.indexOf(' '));
}

/** The request a journal entry keeps, as matchers read requests. */
function requestOf(entry: JournalEntry): CoreRequest {
  return {
    protocol: entry.protocol,
    service: entry.service,
    operation: entry.operation,
    params: entry.request.params,
    query: entry.request.query,
    headers: entry.request.headers,
    body: entry.request.body,
    target: entry.target,
  };
}
