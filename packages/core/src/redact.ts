import { JsonText } from './json-text.js';
import type { CoreRequest, Headers, Query } from './model.js';

/** What a redacted value is written as. */
export const REDACTED = '[redacted]';

/** Headers (and gRPC metadata) whose values are never journaled or logged, unless redaction is off. */
export const defaultRedactedHeaders: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
];

/** Query parameters whose values are never journaled or logged, unless redaction is off. */
export const defaultRedactedQuery: readonly string[] = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'api_key',
  'apikey',
  'key',
  'client_secret',
  'password',
  'secret',
  'signature',
  'sig',
  'x-amz-signature',
  'x-amz-credential',
];

/**
 * What to keep out of the journal and logs besides the defaults (header/metadata and query
 * parameter names, any case), or `false` to journal everything verbatim.
 */
export type RedactSetting = { headers?: readonly string[] | undefined; query?: readonly string[] | undefined } | false;

/**
 * Blanks secrets (credentials in headers, gRPC metadata and query strings) in what mockstack
 * writes down: the journal, the logs built from it, and anything else that keeps requests (a
 * recorder takes `engine.redactor`). Handlers and matching see the request as sent.
 */
export class Redactor {
  readonly #headers: NameSet;
  readonly #query: NameSet;

  /** Redaction of the defaults plus every setting's names; any `false` turns it off. */
  constructor(...settings: readonly (RedactSetting | undefined)[]) {
    const off = settings.includes(false);
    const lower = (names: readonly string[] | undefined): string[] => (names ?? []).map((n) => n.toLowerCase());
    const given = settings.filter((s): s is Exclude<RedactSetting, false> => Boolean(s));
    this.#headers = new NameSet(off ? [] : [...defaultRedactedHeaders, ...given.flatMap((s) => lower(s.headers))]);
    this.#query = new NameSet(off ? [] : [...defaultRedactedQuery, ...given.flatMap((s) => lower(s.query))]);
  }

  /** The request with secrets blanked; the same object when it carries none (the usual case, no copy). */
  request<Request extends CoreRequest>(request: Request): Request {
    const headers = this.headers(request.headers);
    const query = this.query(request.query);
    const target = request.targetHasQuery === false ? request.target : this.target(request.target);
    if (headers === request.headers && query === request.query && target === request.target) return request;
    return { ...request, headers, query, target };
  }

  headers(headers: Headers): Headers {
    return blanked(headers, this.#headers);
  }

  /**
   * An answer with secrets blanked: headers and trailers by name, and any secret of `carrier` (the
   * request as sent, when it carried secrets) that the answer repeats, as a handler that echoes the
   * Authorization header does, wherever it appears in a string of the body. The same object when
   * there is nothing to blank (no copy).
   */
  answer<
    Answer extends {
      headers?: Record<string, string> | undefined;
      trailers?: Record<string, string> | undefined;
      body?: unknown;
      messages?: unknown[] | undefined;
    },
  >(answer: Answer | undefined, carrier: CoreRequest | undefined): Answer | undefined {
    if (!answer || this.#headers.size === 0) return answer;
    const headers = answer.headers && (blanked(answer.headers, this.#headers) as Record<string, string>);
    const trailers = answer.trailers && (blanked(answer.trailers, this.#headers) as Record<string, string>);
    const secrets = carrier && (answer.body !== undefined || answer.messages) ? this.#secretsOf(carrier) : NO_SECRETS;
    const body = secrets.length ? scrubbed(answer.body, secrets, 0) : answer.body;
    // A stream's messages (both ways: what came in repeats the request's secrets as much as what went out)
    const messages = secrets.length && answer.messages ? (scrubbed(answer.messages, secrets, 0) as unknown[]) : answer.messages;
    if (headers === answer.headers && trailers === answer.trailers && body === answer.body && messages === answer.messages) return answer;
    return { ...answer, headers, trailers, body, messages };
  }

  /** The secret values a request carries: each redacted value, and its parts (the token of `Bearer <token>`, a cookie's value). */
  #secretsOf(request: CoreRequest): string[] {
    const values: string[] = [];
    const add = (value: string | string[] | undefined): void => {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        values.push(one, ...one.split(/[\s;,=]+/).filter((part) => part.length >= MIN_SECRET_LENGTH));
      }
    };
    for (const name in request.headers) if (this.#headers.has(name)) add(request.headers[name]);
    for (const name in request.query) if (this.#query.has(name)) add(request.query[name]);
    return [...new Set(values.filter((v) => v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  }

  query(query: Query): Query {
    return blanked(query, this.#query);
  }

  /**
   * `GET /x?access_token=abc&a=1` → `GET /x?access_token=[redacted]&a=1`. The query ends at a space (a
   * URL has none): what follows is the adapter's, as in `GET /chat?token=abc (WebSocket)`.
   */
  target(target: string): string {
    const start = target.indexOf('?');
    if (start < 0 || this.#query.size === 0) return target;
    const space = target.indexOf(' ', start);
    const end = space < 0 ? target.length : space;
    let changed = false;
    const pairs = target
      .slice(start + 1, end)
      .split('&')
      .map((pair) => {
        const equals = pair.indexOf('=');
        const name = equals < 0 ? pair : pair.slice(0, equals);
        if (equals < 0 || !this.#query.has(decodeName(name))) return pair;
        changed = true;
        return `${name}=${REDACTED}`;
      });
    return changed ? `${target.slice(0, start)}?${pairs.join('&')}${target.slice(end)}` : target;
  }
}

function blanked<Values extends Headers | Query>(values: Values, names: NameSet): Values {
  let copy: Values | undefined;
  for (const name in values) {
    if (!names.has(name) || values[name] === undefined) continue;
    copy ??= { ...values };
    const value = values[name];
    (copy as Record<string, string | string[]>)[name] = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
  }
  return copy ?? values;
}

/**
 * Lower-case names, asked for in any case. Each name asked for is answered once and remembered as it
 * was written: every request's headers are checked on its path, the same names come again and again,
 * and a lookup of the name as written is one hash lookup (lower-casing it first scanned it and took a
 * second lookup). Bounded: past its limit (a client sending ever new names) it starts over.
 */
class NameSet {
  readonly #lowerCase: ReadonlySet<string>;
  readonly #asked = new Map<string, boolean>();

  constructor(lowerCase: Iterable<string>) {
    this.#lowerCase = new Set(lowerCase);
  }

  get size(): number {
    return this.#lowerCase.size;
  }

  has(name: string): boolean {
    let known = this.#asked.get(name);
    if (known === undefined) {
      if (this.#asked.size >= MAX_ASKED_NAMES) this.#asked.clear();
      known = this.#lowerCase.has(name.toLowerCase());
      this.#asked.set(name, known);
    }
    return known;
  }
}

const MAX_ASKED_NAMES = 1024;

/** What a request without secrets carries (one array for all: this is on every journaled request's path). */
const NO_SECRETS: readonly string[] = [];

/** Shorter values are not searched for in answers: a short "secret" would blank ordinary words. */
const MIN_SECRET_LENGTH = 8;

/** Deep copy of `value` with every secret in its strings blanked; the same value when none appears (bounded in depth). */
function scrubbed(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (value instanceof JsonText) {
    // Scrubbed as the body it encodes: a secret with a quote or a backslash is escaped in the text.
    const body = value.value();
    const next = scrubbed(body, secrets, depth);
    return next === body ? value : next;
  }
  if (typeof value === 'string') {
    let text = value;
    for (const secret of secrets) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
    return text;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_SCRUB_DEPTH || value instanceof Uint8Array) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  for (const [key, item] of entries) {
    const next = scrubbed(item, secrets, depth + 1);
    if (next === item) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
    (copy as Record<string | number, unknown>)[key] = next;
  }
  return copy ?? value;
}

const MAX_SCRUB_DEPTH = 64;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}
