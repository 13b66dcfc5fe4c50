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
  readonly #headers: ReadonlySet<string>;
  readonly #query: ReadonlySet<string>;

  /** Redaction of the defaults plus every setting's names; any `false` turns it off. */
  constructor(...settings: readonly (RedactSetting | undefined)[]) {
    const off = settings.includes(false);
    const lower = (names: readonly string[] | undefined): string[] => (names ?? []).map((n) => n.toLowerCase());
    const given = settings.filter((s): s is Exclude<RedactSetting, false> => Boolean(s));
    this.#headers = new Set(off ? [] : [...defaultRedactedHeaders, ...given.flatMap((s) => lower(s.headers))]);
    this.#query = new Set(off ? [] : [...defaultRedactedQuery, ...given.flatMap((s) => lower(s.query))]);
  }

  /** The request with secrets blanked; the same object when it carries none (the usual case, no copy). */
  request<Request extends CoreRequest>(request: Request): Request {
    const headers = this.headers(request.headers);
    const query = this.query(request.query);
    const target = this.target(request.target);
    if (headers === request.headers && query === request.query && target === request.target) return request;
    return { ...request, headers, query, target };
  }

  headers(headers: Headers): Headers {
    return blanked(headers, this.#headers);
  }

  query(query: Query): Query {
    return blanked(query, this.#query);
  }

  /** `GET /x?access_token=abc&a=1` → `GET /x?access_token=[redacted]&a=1`. */
  target(target: string): string {
    const start = target.indexOf('?');
    if (start < 0 || this.#query.size === 0) return target;
    let changed = false;
    const pairs = target
      .slice(start + 1)
      .split('&')
      .map((pair) => {
        const equals = pair.indexOf('=');
        const name = equals < 0 ? pair : pair.slice(0, equals);
        if (equals < 0 || !this.#query.has(decodeName(name))) return pair;
        changed = true;
        return `${name}=${REDACTED}`;
      });
    return changed ? `${target.slice(0, start)}?${pairs.join('&')}` : target;
  }
}

function blanked<Values extends Headers | Query>(values: Values, names: ReadonlySet<string>): Values {
  let copy: Values | undefined;
  for (const name in values) {
    if (!names.has(name.toLowerCase()) || values[name] === undefined) continue;
    copy ??= { ...values };
    const value = values[name];
    (copy as Record<string, string | string[]>)[name] = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
  }
  return copy ?? values;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}
