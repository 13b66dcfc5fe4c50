// Web-standard fetch only: the proxy fallback runs wherever a scenario does (Node, MSW in the browser).

/** An HTTP request to send on to a real service. */
export interface ForwardRequest {
  method: string;
  /** Path and query string, as received (`/orders/1?x=2`). */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body: bytes or text as received, or a parsed JSON value (sent as JSON). */
  body?: unknown;
}

/** The real service's answer, decompressed. */
export interface ForwardedAnswer {
  status: number;
  /** Lower-cased names, without those that describe one transfer (length, encoding, connection). */
  headers: Record<string, string>;
  /** JSON parsed, text as a string, other content as bytes; undefined when empty. */
  body: unknown;
  /** The body's bytes as received. */
  raw: Uint8Array;
}

/** Headers that belong to one hop, never sent on. */
const HOP_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'upgrade',
  'te',
  'trailer',
  'accept-encoding',
  'expect',
]);

/**
 * Sends a request on to `upstream` (`http://host:port`, optionally with a base path) and returns its
 * answer: what the proxy fallback (`rest({ proxy })`, `proxy(url)` in a rule) and `mockstack record`
 * do with a request. Rejects when the upstream cannot be reached.
 */
export async function forwardHttp(upstream: string, request: ForwardRequest, signal?: AbortSignal): Promise<ForwardedAnswer> {
  const base = upstream.replace(/\/+$/, '');
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_HEADERS.has(name.toLowerCase())) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : bodyInit(request.body);
  if (body !== undefined && typeof request.body === 'object' && !(request.body instanceof Uint8Array) && !headers.has('content-type')) {
    headers.set('content-type', 'application/json');
  }
  const response = await fetch(`${base}${request.url}`, {
    method: request.method,
    headers,
    ...(body !== undefined && { body }),
    redirect: 'manual',
    ...(signal && { signal }),
  });
  const answer: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!HOP_HEADERS.has(name)) answer[name] = value;
  });
  // fetch joins several Set-Cookie headers with ", ": keep them apart, one a line.
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 1) answer['set-cookie'] = cookies.join('\n');
  const raw = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: answer, body: decodeBody(raw, answer['content-type']), raw };
}

function bodyInit(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return JSON.stringify(body);
}

/** Bytes as JSON (by content type), text (text, XML, forms, no type and valid UTF-8), else the bytes. */
export function decodeBody(raw: Uint8Array, type: string | undefined): unknown {
  if (raw.byteLength === 0) return undefined;
  const base = type?.split(';')[0]?.trim().toLowerCase() ?? '';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return raw;
  }
  if (base === 'application/json' || base.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (base === '' || base.startsWith('text/') || /xml|x-www-form-urlencoded|javascript|graphql/.test(base)) return text;
  return raw;
}
