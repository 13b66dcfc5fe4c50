import type { HandlerContext } from '@mockstack/core';
import { FRAMING_HEADERS, isRecord, isReply, parseJsonOrUndefined } from '@mockstack/core';
import { fault, respond, rest } from '@mockstack/dsl';
import { JSONPath } from 'jsonpath-plus';
import { type CopyBehavior, type MountebankIs, type MountebankResponse, waitMs } from './imposter.js';
import type { MountebankRequest } from './predicates.js';
import { type ProxiedAnswer, recordedResponse } from './proxy-recording.js';
import { selectXPath } from './xpath.js';

/** A stub's responses in the order they answer: each `repeat`ed; none is one empty `is` (Mountebank's default). */
export function responseCycle(responses: readonly MountebankResponse[] | undefined): MountebankResponse[] {
  const list = responses?.length ? responses : [{ is: {} }];
  return list.flatMap((response) => Array.from({ length: repeatOf(response) }, () => response));
}

function repeatOf(response: MountebankResponse): number {
  const fromArray = response.behaviors?.find((b) => b.repeat !== undefined)?.repeat;
  return Number(response.repeat ?? response._behaviors?.repeat ?? fromArray ?? 1);
}

/** The behaviours of a response as one list of [name, config], from `behaviors` (2.x) and `_behaviors` (1.x). */
function behaviorsOf(response: MountebankResponse): [string, unknown][] {
  return [...(response.behaviors ?? []).flatMap((b) => Object.entries(b)), ...Object.entries(response._behaviors ?? {})];
}

/**
 * What mockstack answers for one Mountebank response to a request: `is` merged field by field over
 * the imposter's `defaultResponse` (status 200, no body when neither says), `copy` tokens replaced,
 * `wait` as the answer's delay; a fault drops the connection or sends garbage and closes; a
 * transparent proxy forwards the request as it came.
 */
export async function answerOf(
  response: MountebankResponse,
  ctx: HandlerContext,
  request: MountebankRequest,
  defaultResponse: MountebankIs | undefined,
  /** Keeps what a recording proxy (`proxyOnce`, `proxyAlways`) got; without it, proxies only forward. */
  record?: (answer: ProxiedAnswer) => void,
): Promise<unknown> {
  const behaviors = behaviorsOf(response);
  const wait = behaviors.filter(([name]) => name === 'wait').reduce((sum, [, ms]) => sum + (waitMs(ms) ?? 0), 0);
  if (response.fault !== undefined || response.proxy !== undefined) {
    // A fault or forwarded call has no delay of its own: wait here (Mountebank waits before either).
    if (wait) await new Promise((done) => setTimeout(done, wait));
    if (response.proxy) {
      const { to, mode = 'proxyOnce', injectHeaders } = response.proxy;
      const started = performance.now();
      let reply: unknown;
      try {
        reply = await rest.proxy(to, injectHeaders ? { headers: injectHeaders } : {})(ctx as never);
      } catch (error) {
        // As mb answers it: 500 `invalid proxy`, and nothing kept.
        const message = `Unable to connect to ${JSON.stringify(to)}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`;
        return respond(JSON.stringify({ errors: [{ code: 'invalid proxy', message }] }), { status: 500, headers: { 'content-type': 'application/json' } });
      }
      if (!isReply(reply)) return reply;
      const answer = { status: reply.status ?? 200, headers: reply.headers ?? {}, body: reply.body, ms: Math.round(performance.now() - started) };
      if (record && mode !== 'proxyTransparent') record(answer);
      // Mountebank answers what it got as it would answer it recorded (a JSON body indented by 4).
      return answerOf({ is: recordedResponse(answer, response.proxy).is ?? {} }, ctx, request, undefined);
    }
    return response.fault === 'CONNECTION_RESET_BY_PEER' ? fault.drop() : fault.malformedChunk(randomText());
  }
  let is: MountebankIs = structuredClone(response.is ?? {});
  for (const [name, config] of behaviors)
    if (name === 'copy') for (const copy of (Array.isArray(config) ? config : [config]) as CopyBehavior[]) is = copyInto(is, copy, request);
  const fallback = defaultResponse ?? {};
  const status = Number(is.statusCode || fallback.statusCode || 200);
  if (!(Number.isInteger(status) && status >= 100 && status <= 599))
    return fault.internal(`the stub's statusCode ${JSON.stringify(is.statusCode)} is not an HTTP status once its copy behaviours ran`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(is.headers ?? fallback.headers ?? {}))
    if (!FRAMING_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  const rawBody = is.body || fallback.body || '';
  const mode = is._mode ?? fallback._mode ?? 'text';
  let body: unknown = rawBody;
  if (mode === 'binary' && typeof rawBody === 'string') {
    body = Uint8Array.from(atob(rawBody.replace(/[^A-Za-z0-9=+/]+/g, '')), (c) => c.charCodeAt(0));
    headers['content-type'] ??= 'application/octet-stream';
  } else if (typeof rawBody === 'object' && rawBody !== null) {
    // Mountebank sends a JSON body indented by 4; mockstack names its type too.
    body = JSON.stringify(rawBody, null, 4);
    headers['content-type'] ??= 'application/json';
  } else {
    body = String(rawBody);
    if (body !== '') headers['content-type'] ??= 'text/plain; charset=utf-8';
  }
  return respond(body, { status, headers, ...(wait && { delay: wait }) });
}

/** Mountebank's RANDOM_DATA_THEN_CLOSE: some garbage, then the connection closes. */
function randomText(): string {
  return Array.from({ length: 16 }, () => String.fromCharCode(33 + Math.floor(Math.random() * 94))).join('');
}

/** The `is` with `into` (and `into[i]`) replaced in every string and key by what `using` selects from the request field `from`. */
function copyInto(is: MountebankIs, copy: CopyBehavior, request: MountebankRequest): MountebankIs {
  const from = fieldOf(request as unknown as Record<string, unknown>, copy.from);
  const text = typeof from === 'string' ? from : from === undefined ? undefined : JSON.stringify(from);
  const values = text === undefined ? [] : selected(text, copy.using);
  if (values.length === 0) return is;
  const replace = (s: string) => {
    let out = s;
    values.forEach((value, i) => {
      out = out.split(`${copy.into}[${i}]`).join(value);
    });
    return out.split(copy.into).join(values[0] as string);
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return replace(value);
    if (Array.isArray(value)) return value.map(walk);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [replace(k), walk(v)]));
    return value;
  };
  return walk(is) as MountebankIs;
}

/** A request field by name (any case), or nested (`{ query: "id" }`); the first of repeated values. */
function fieldOf(value: unknown, from: CopyBehavior['from']): unknown {
  if (!isRecord(value)) return undefined;
  if (isRecord(from)) {
    const [key, inner] = Object.entries(from)[0] ?? [];
    return key === undefined ? undefined : fieldOf(value[keyIgnoringCase(value, key)], inner as CopyBehavior['from']);
  }
  const found = value[keyIgnoringCase(value, from)];
  return Array.isArray(found) ? found[0] : found;
}

function keyIgnoringCase(record: Record<string, unknown>, key: string): string {
  return Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
}

function selected(text: string, using: CopyBehavior['using']): string[] {
  if (using.method === 'regex') {
    const flags = `${using.options?.ignoreCase ? 'i' : ''}${using.options?.multiline ? 'm' : ''}`;
    const match = new RegExp(using.selector, flags).exec(text);
    return match ? [...match].map((m) => m ?? '') : [];
  }
  if (using.method === 'xpath') {
    // Mountebank copies the nodes' text; a number or boolean (`count(…)`) copies nothing.
    const found = selectXPath(text, using);
    return Array.isArray(found) ? found : [];
  }
  const json = parseJsonOrUndefined(text);
  if (json === undefined || json === null) return [];
  const found = JSONPath({ path: using.selector, json: json as object, wrap: true }) as unknown[];
  return found.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}
