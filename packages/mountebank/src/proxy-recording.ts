import { FRAMING_HEADERS, isRecord, parseJsonOrUndefined } from '@mockstack/core';
import { JSONPath } from 'jsonpath-plus';
import type { MountebankIs, MountebankResponse, MountebankStub } from './imposter.js';
import type { MountebankRequest } from './predicates.js';
import { selectXPath, type XPathSelector } from './xpath.js';

/** A proxy response of a stub: where to, how it records, and what it sends on. */
export interface MountebankProxy {
  to: string;
  /** `proxyOnce` (the default) records the first answer per generated predicates, `proxyAlways` every answer, `proxyTransparent` none. */
  mode?: 'proxyOnce' | 'proxyAlways' | 'proxyTransparent';
  predicateGenerators?: PredicateGenerator[];
  /** Headers set on the request sent on. */
  injectHeaders?: Record<string, string>;
  /** The recorded answer waits as long as the real service took. */
  addWaitBehavior?: boolean;
}

/** Which request fields the predicates of a recorded stub match on (`true`: the field's value), with predicate parameters. */
export interface PredicateGenerator {
  matches: Record<string, unknown>;
  /** Keys of a field left out of a `deepEquals` (`{ query: 'startDate' }`). */
  ignore?: Record<string, unknown>;
  caseSensitive?: boolean;
  keyCaseSensitive?: boolean;
  except?: string;
  jsonpath?: { selector: string };
  xpath?: XPathSelector;
}

/** An answer of the real service, as the proxy got it. */
export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body: bytes, text, or the JSON value it held. */
  body: unknown;
  /** How long the real service took, in milliseconds. */
  ms: number;
}

/**
 * The predicates Mountebank writes for a recorded stub from the request that was proxied, one per
 * field each generator `matches`: a field set to `true` is matched whole (`deepEquals`), an object of
 * fields by those fields (`equals`); `jsonpath`/`xpath` match on what they select from the field, and
 * the generator's other parameters (`caseSensitive`, `except`) are copied onto each predicate.
 */
export function generatedPredicates(request: MountebankRequest, generators: readonly PredicateGenerator[]): Record<string, unknown>[] {
  const fields = request as unknown as Record<string, unknown>;
  const predicates = generators.flatMap((generator) => {
    const { matches, ignore, ...parameters } = generator;
    const selected = selectorOf(generator);
    return Object.entries(matches).map(([field, wanted]) => {
      if (wanted === true) return { ...parameters, deepEquals: { [field]: selected(withoutIgnored(structuredClone(fields[field]), ignore?.[field])) } };
      return { ...parameters, equals: { [field]: equalsOf(fields[field], wanted, selected) } };
    });
  });
  // As JSON: a field the request lacks is no part of the predicate (Mountebank keeps them as JSON too).
  return JSON.parse(JSON.stringify(predicates)) as Record<string, unknown>[];
}

/** The value a generator's `jsonpath` or `xpath` selects from a field ('' when nothing; one value, or all), else the field. */
function selectorOf(generator: PredicateGenerator): (value: unknown) => unknown {
  const one = (values: unknown) => (values === undefined ? '' : Array.isArray(values) && values.length === 1 ? values[0] : values);
  const { xpath, jsonpath } = generator;
  if (xpath) return (value) => one(typeof value === 'string' ? selectXPath(value, xpath) : undefined);
  if (jsonpath)
    return (value) => {
      const json = isRecord(value) ? value : typeof value === 'string' ? parseJsonOrUndefined(value) : undefined;
      if (json === undefined || json === null || typeof json !== 'object') return '';
      const found = JSONPath({ path: jsonpath.selector, json, wrap: true }) as unknown[];
      return one(found.length ? found : undefined);
    };
  return (value) => value;
}

/**
 * `{ query: { q: true } }` → the request's `q`, each wanted field in turn, named exactly as the request
 * has it (as Mountebank: header names are lower-case here, so `X-Tenant` finds none and matches any).
 */
function equalsOf(value: unknown, wanted: unknown, selected: (value: unknown) => unknown): unknown {
  const result: Record<string, unknown> = {};
  if (!isRecord(wanted)) return selected(value);
  for (const key of Object.keys(wanted)) {
    const found = isRecord(value) ? value[key] : undefined;
    result[key] = isRecord(found) ? equalsOf(found, wanted[key], selected) : selected(found);
  }
  return result;
}

/** A field without the keys `ignore` names (a name, a list of names, or nested by key), as Mountebank's `ignore`. */
function withoutIgnored(value: unknown, ignore: unknown): unknown {
  if (ignore === undefined || !isRecord(value)) return value;
  if (typeof ignore === 'string') delete value[ignore];
  else if (Array.isArray(ignore)) for (const key of ignore) withoutIgnored(value, key);
  else if (isRecord(ignore)) for (const [key, inner] of Object.entries(ignore)) withoutIgnored(value[key], inner);
  return value;
}

/**
 * The response Mountebank saves for a proxied answer: `is` with its status, headers (without the
 * framing ones, which a replay sets itself) and body (JSON when it parses, base64 in `binary` mode when
 * it is not text), and `_proxyResponseTime`; with `addWaitBehavior`, a `wait` as long as the real service took.
 */
export function recordedResponse(answer: ProxiedAnswer, proxy: MountebankProxy): MountebankResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) if (!FRAMING_HEADERS.has(name.toLowerCase())) headers[name] = value;
  let body: unknown = answer.body ?? '';
  let binary = false;
  if (body instanceof Uint8Array) {
    const bytes = Buffer.from(body);
    const text = bytes.toString('utf8');
    binary = !Buffer.from(text, 'utf8').equals(bytes);
    body = binary ? bytes.toString('base64') : text;
  }
  if (typeof body === 'string' && !binary) body = parseJsonOrUndefined(body) ?? body;
  const is: MountebankIs = { statusCode: answer.status, headers, body, _mode: binary ? 'binary' : 'text', _proxyResponseTime: answer.ms };
  return { is, ...(proxy.addWaitBehavior && { behaviors: [{ wait: answer.ms }] }) };
}

/**
 * The stubs once an answer is recorded, as Mountebank keeps it: `proxyOnce` puts a new stub in front
 * of the proxy's (so the next such request is answered by it, never proxied); `proxyAlways` adds the
 * answer to the stub after the proxy's with the same predicates, or a new stub at the end (answered once
 * the proxies are removed: `mb replay`).
 */
export function withRecorded(
  stubs: readonly MountebankStub[],
  proxyStub: number,
  predicates: Record<string, unknown>[],
  response: MountebankResponse,
  mode: 'proxyOnce' | 'proxyAlways',
): MountebankStub[] {
  const next = [...stubs];
  if (mode === 'proxyOnce') {
    next.splice(proxyStub, 0, { predicates, responses: [response] });
    return next;
  }
  const same = JSON.stringify(predicates);
  const found = next.findIndex((stub, i) => i > proxyStub && JSON.stringify(stub.predicates ?? []) === same);
  if (found < 0) next.push({ predicates, responses: [response] });
  else next[found] = { ...next[found], responses: [...(next[found]?.responses ?? []), response] };
  return next;
}
