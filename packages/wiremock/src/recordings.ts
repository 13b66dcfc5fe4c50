import type { Engine, JournalEntry } from '@mockstack/core';
import { FRAMING_HEADERS, isRecord, JsonText } from '@mockstack/core';
import { requestUrlOf } from './conditions.js';
import { WiremockMappingInvalid } from './errors.js';
import type { LiveMapping, LiveMappings } from './live-mappings.js';
import { wiremockRequestTest } from './requests.js';

/**
 * WireMock's record and snapshot over a running stack. `start` serves a proxy mapping to the real
 * service (every request of the REST service goes there, answered and journaled); `stop` turns what
 * it answered into stub mappings and serves them, as WireMock's recorder does; `snapshot` does the
 * same for the proxied requests already in the journal.
 */

/** WireMock's record spec, the parts read (`service` is mockstack's: which REST service records, when there are several). */
interface RecordSpec {
  targetBaseUrl?: string;
  service?: string;
  filters?: Record<string, unknown>;
  captureHeaders?: Record<string, { caseInsensitive?: boolean }>;
  requestBodyPattern?: { matcher?: string; ignoreArrayOrder?: boolean; ignoreExtraElements?: boolean; caseInsensitive?: boolean };
  persist?: boolean;
  repeatsAsScenarios?: boolean;
}

export type RecordingStatus = 'NeverStarted' | 'Recording' | 'Stopped';

const SPEC_KEYS = ['targetBaseUrl', 'service', 'filters', 'captureHeaders', 'requestBodyPattern', 'persist', 'repeatsAsScenarios', 'extractBodyCriteria'];

export class Recordings {
  readonly #mappings: LiveMappings;
  readonly #engine: Engine;
  #status: RecordingStatus = 'NeverStarted';
  #session: { spec: RecordSpec; proxy: LiveMapping; since: number } | undefined;

  constructor(mappings: LiveMappings, engine: Engine) {
    this.#mappings = mappings;
    this.#engine = engine;
  }

  get status(): RecordingStatus {
    // A reset removes the proxy mapping's rules: the recording is over.
    if (this.#session && !this.#mappings.list().some((mapping) => mapping.id === this.#session?.proxy.id)) {
      this.#session = undefined;
      this.#status = 'Stopped';
    }
    return this.#status;
  }

  /** Starts recording: every request of the service goes to `targetBaseUrl`; throws WiremockMappingInvalid for a bad spec or while recording. */
  async start(body: unknown): Promise<void> {
    if (this.status === 'Recording') throw new WiremockMappingInvalid(['a recording is already running: POST /__admin/recordings/stop first'], 'the recording');
    const spec = recordSpec(body, true);
    const since = this.#engine.journal.list().at(-1)?.id ?? 0;
    const proxy = await this.#mappings.add({
      id: `recording-${Date.now()}`,
      name: `recording of ${spec.targetBaseUrl}`,
      priority: 1,
      request: { method: 'ANY' },
      response: { proxyBaseUrl: spec.targetBaseUrl },
      ...(spec.service !== undefined && { metadata: { service: spec.service } }),
    });
    this.#session = { spec, proxy, since };
    this.#status = 'Recording';
  }

  /** Stops recording: the proxy mapping goes, and what it answered is served as stub mappings (returned). */
  async stop(): Promise<{ mappings: Record<string, unknown>[] }> {
    const session = this.status === 'Recording' ? this.#session : undefined;
    if (!session) throw new WiremockMappingInvalid(['no recording is running: POST /__admin/recordings/start { "targetBaseUrl": "…" } first'], 'the recording');
    await this.#mappings.remove(session.proxy.id);
    this.#session = undefined;
    this.#status = 'Stopped';
    const proxied = new Set(session.proxy.ruleIds);
    const entries = this.#engine.journal.list({ protocol: 'rest', after: session.since }).filter((entry) => entry.rule !== null && proxied.has(entry.rule));
    return this.#serve(entries, session.spec);
  }

  /** Stub mappings for the proxied requests already in the journal (proxy mappings, `rest({ proxy })`, `rest.proxy`). */
  async snapshot(body: unknown): Promise<{ mappings: Record<string, unknown>[] }> {
    const spec = recordSpec(body ?? {}, false);
    const proxying = new Set(
      this.#mappings.list().flatMap((mapping) => (isRecord(mapping.mapping.response) && mapping.mapping.response.proxyBaseUrl ? mapping.ruleIds : [])),
    );
    const ids = Array.isArray(spec.filters?.ids) ? new Set(spec.filters.ids.map(String)) : undefined;
    const allowNonProxied = spec.filters?.allowNonProxied === true;
    const entries = this.#engine.journal
      .list({ protocol: 'rest' })
      .filter((entry) => (ids ? ids.has(String(entry.id)) : true))
      .filter((entry) => allowNonProxied || (entry.rule !== null && (proxying.has(entry.rule) || entry.rule.startsWith('proxy:'))));
    return this.#serve(entries, spec);
  }

  async #serve(entries: readonly JournalEntry[], spec: RecordSpec): Promise<{ mappings: Record<string, unknown>[] }> {
    const { ids: _, allowNonProxied: __, ...pattern } = spec.filters ?? {};
    const test = Object.keys(pattern).length ? wiremockRequestTest(pattern) : undefined;
    const kept = entries.filter((entry) => entry.response !== undefined && entry.response.truncatedBytes === undefined && (!test || test(entry)));
    const mappings = recordedMappings(kept, spec);
    if (spec.persist !== false)
      for (const mapping of mappings) await this.#mappings.add({ ...mapping, ...(spec.service !== undefined && { metadata: { service: spec.service } }) });
    return { mappings };
  }
}

function recordSpec(body: unknown, needsTarget: boolean): RecordSpec {
  if (!isRecord(body))
    throw new WiremockMappingInvalid(['a record spec is a JSON object (e.g. { "targetBaseUrl": "http://localhost:8080" })'], 'the record spec');
  const problems: string[] = [];
  for (const key of Object.keys(body)) if (!SPEC_KEYS.includes(key)) problems.push(`${key} is not translated`);
  const { targetBaseUrl, service, filters, captureHeaders, requestBodyPattern, persist, repeatsAsScenarios } = body;
  if (needsTarget && (typeof targetBaseUrl !== 'string' || !/^https?:\/\/[^/]/.test(targetBaseUrl)))
    problems.push(`targetBaseUrl must be the real service's http(s) URL, e.g. "http://localhost:8080"; got ${JSON.stringify(targetBaseUrl)}`);
  if (service !== undefined && typeof service !== 'string') problems.push('service must be the name of a REST service of the scenario');
  if (filters !== undefined && !isRecord(filters)) problems.push('filters must be a request pattern, e.g. { "urlPathPattern": "/api/.*" }');
  if (captureHeaders !== undefined && !isRecord(captureHeaders)) problems.push('captureHeaders must be an object, e.g. { "Accept": {} }');
  if (requestBodyPattern !== undefined && !isRecord(requestBodyPattern))
    problems.push('requestBodyPattern must be an object, e.g. { "matcher": "equalToJson" }');
  for (const [key, value] of [
    ['persist', persist],
    ['repeatsAsScenarios', repeatsAsScenarios],
  ] as const)
    if (value !== undefined && typeof value !== 'boolean') problems.push(`${key} must be true or false`);
  if (problems.length) throw new WiremockMappingInvalid(problems, 'the record spec');
  return body as RecordSpec;
}

/** Stub mappings for recorded exchanges: one per distinct request, repeats with other answers as a scenario's steps (unless `repeatsAsScenarios: false`). */
function recordedMappings(entries: readonly JournalEntry[], spec: RecordSpec): Record<string, unknown>[] {
  const groups = new Map<string, { request: Record<string, unknown>; responses: Record<string, unknown>[] }>();
  for (const entry of entries) {
    const request = recordedRequest(entry, spec);
    const key = JSON.stringify(request);
    const group = groups.get(key) ?? { request, responses: [] };
    group.responses.push(recordedResponse(entry));
    groups.set(key, group);
  }
  const mappings: Record<string, unknown>[] = [];
  let scenarios = 0;
  for (const { request, responses } of groups.values()) {
    const distinct = responses.filter((response, i) => responses.findIndex((other) => JSON.stringify(other) === JSON.stringify(response)) === i);
    if (distinct.length === 1 || spec.repeatsAsScenarios === false) {
      mappings.push({ request, response: responses[0] });
      continue;
    }
    // WireMock's recorder: the first answer in state Started, each next in the state the one before moved to.
    const name = `recording-${++scenarios}-${String(request.method).toLowerCase()}${pathSlug(String(request.url))}`;
    responses.forEach((response, i) => {
      mappings.push({
        scenarioName: name,
        requiredScenarioState: i === 0 ? 'Started' : `${name}-${i + 1}`,
        ...(i < responses.length - 1 && { newScenarioState: `${name}-${i + 2}` }),
        request,
        response,
      });
    });
  }
  return mappings;
}

function recordedRequest(entry: JournalEntry, spec: RecordSpec): Record<string, unknown> {
  const method = entry.target.slice(0, entry.target.indexOf(' '));
  const request: Record<string, unknown> = { url: requestUrlOf(entry.target), method };
  const headers: Record<string, unknown> = {};
  for (const [name, options] of Object.entries(spec.captureHeaders ?? {})) {
    const value = entry.request.headers[name.toLowerCase()];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = { equalTo: first, ...(isRecord(options) && options.caseInsensitive === true && { caseInsensitive: true }) };
  }
  if (Object.keys(headers).length) request.headers = headers;
  const { body } = entry.request;
  if (body !== undefined && body !== '') {
    const bodyPattern = spec.requestBodyPattern ?? {};
    const asJson = typeof body === 'object' && body !== null && !(body instanceof Uint8Array) && bodyPattern.matcher !== 'equalTo';
    request.bodyPatterns = [
      asJson
        ? { equalToJson: body, ignoreArrayOrder: bodyPattern.ignoreArrayOrder ?? true, ignoreExtraElements: bodyPattern.ignoreExtraElements ?? true }
        : { equalTo: typeof body === 'string' ? body : JSON.stringify(body), ...(bodyPattern.caseInsensitive === true && { caseInsensitive: true }) },
    ];
  }
  return request;
}

function recordedResponse(entry: JournalEntry): Record<string, unknown> {
  const answer = entry.response;
  const headers = Object.fromEntries(
    Object.entries(answer?.headers ?? {}).filter(([name]) => !FRAMING_HEADERS.has(name.toLowerCase()) && name.toLowerCase() !== 'date'),
  );
  const response: Record<string, unknown> = { status: typeof entry.status === 'number' ? entry.status : 200 };
  let body = answer?.body;
  if (body instanceof JsonText) body = JSON.parse(body.text) as unknown;
  if (body instanceof Uint8Array) response.base64Body = Buffer.from(body).toString('base64');
  else if (typeof body === 'string') response.body = body;
  else if (body !== undefined) response.jsonBody = body;
  if (Object.keys(headers).length) response.headers = headers;
  return response;
}

/** `/orders/1?x=2` → `-orders-1`: a scenario name's readable part. */
function pathSlug(url: string): string {
  return url
    .replace(/[?#].*$/, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/-+$/, '')
    .slice(0, 60);
}
