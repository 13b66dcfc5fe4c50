// Web-standard fetch only: the proxy fallback runs wherever a scenario does (Node, MSW in the browser).
import { sentBodyText } from './body-text.js';

/** An HTTP request to send on to a real service. */
export interface ForwardRequest {
  method: string;
  /** Path and query string, as received (`/orders/1?x=2`). */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body: bytes or text as received, or as the REST service parsed it (sent again in its media type: see encodeRequestBody). */
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
  /** With `streams`, an event stream's body as it comes (`body` and `raw` are then empty): it never ends by itself. */
  stream?: ReadableStream<Uint8Array> | undefined;
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
 * do with a request. Rejects when the upstream cannot be reached. `streams`: an answer of server-sent
 * events is handed over as it comes (see ForwardedAnswer.stream), not read to its end first.
 */
export async function forwardHttp(upstream: string, request: ForwardRequest, signal?: AbortSignal, streams = false): Promise<ForwardedAnswer> {
  const base = upstream.replace(/\/+$/, '');
  const response = await fetch(`${base}${request.url}`, { ...fetchInitOf(request, HOP_HEADERS), redirect: 'manual', ...(signal && { signal }) });
  const answer = answerHeadersOf(response, HOP_HEADERS);
  if (streams && response.body && answer['content-type']?.startsWith('text/event-stream')) {
    return { status: response.status, headers: answer, body: undefined, raw: new Uint8Array(0), stream: response.body };
  }
  const raw = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: answer, body: decodeBody(raw, answer['content-type']), raw };
}

/**
 * A Fetch response's headers as an answer's (lower-case names), but those named in `dropped`; several
 * Set-Cookie headers (which fetch would join with ", ") kept apart, one a line.
 */
export function answerHeadersOf(response: Response, dropped: ReadonlySet<string>): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!dropped.has(name)) headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 1) headers['set-cookie'] = cookies.join('\n');
  return headers;
}

/**
 * The method, headers and body of a Fetch request made from a request as a service received it: its
 * headers but those named in `dropped` (lower case), its body encoded again in its media type (see
 * encodeRequestBody; JSON when a parsed body names none).
 */
export function fetchInitOf(
  request: Omit<ForwardRequest, 'url'>,
  dropped: ReadonlySet<string>,
): { method: string; headers: Headers; body?: string | Uint8Array | FormData } {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || dropped.has(name.toLowerCase())) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : encodeRequestBody(request.body, headers.get('content-type') ?? undefined);
  // A multipart body is encoded again, with a boundary of its own that fetch names in the content type.
  if (body instanceof FormData) headers.delete('content-type');
  else if (body !== undefined && typeof request.body === 'object' && !(request.body instanceof Uint8Array) && !headers.has('content-type')) {
    headers.set('content-type', 'application/json');
  }
  return { method: request.method, headers, ...(body !== undefined && { body }) };
}

/**
 * A request body as a REST service parsed it, as bytes to send again in its own media type: a form's
 * fields (nested `metadata[plan]`, repeated `tags`) URL-encoded, a multipart body's fields and files
 * (`{ filename, mimeType, data }`) as FormData (fetch writes its parts and boundary), any other object
 * as JSON; text and bytes as they are. Sending the parsed value as JSON under a form's content type
 * broke every proxied form post (an OAuth token request) and upload.
 */
function encodeRequestBody(body: unknown, contentType: string | undefined): string | Uint8Array | FormData | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  // The text the body was parsed from, where the server kept it: sent on exactly as it came.
  const sent = type === 'multipart/form-data' ? undefined : sentBodyText(body);
  if (sent !== undefined) return sent;
  if (typeof body === 'object' && type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams();
    for (const [name, value] of formFields(body, '')) if (typeof value === 'string') form.append(name, value);
    return form.toString();
  }
  if (typeof body === 'object' && type === 'multipart/form-data') {
    const form = new FormData();
    for (const [name, value] of formFields(body, '')) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, new Blob([value.data], { type: value.mimeType }), value.filename);
    }
    return form;
  }
  return JSON.stringify(body);
}

/** A file of a multipart body as the REST service parsed it. */
interface FormFile {
  filename: string;
  mimeType: string;
  data: Uint8Array;
}

function isFormFile(value: unknown): value is FormFile {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<FormFile>).data instanceof Uint8Array &&
    typeof (value as Partial<FormFile>).filename === 'string'
  );
}

/**
 * The fields of a parsed form as name and value pairs, as a browser would send them: nested objects
 * as `outer[inner]`, a list of values as the name repeated (a list of objects as `list[0][field]`).
 */
function* formFields(value: unknown, name: string): Generator<[string, string | FormFile]> {
  if (isFormFile(value)) yield [name, value];
  else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      yield* formFields(item, typeof item === 'object' && item !== null && !isFormFile(item) ? `${name}[${index}]` : name);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* formFields(item, name === '' ? key : `${name}[${key}]`);
  } else if (value !== undefined) yield [name, String(value)];
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
