// The global `Buffer` is a getter in Node; an import is a plain binding (read on every answer).
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFault, isReply, isSequence, type Responder } from '@mockstack/core';

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * Whether fastify would hand this request to its route without reading a body: GET, HEAD and TRACE
 * always; other methods when nothing announces a body (no content type, no length above 0, no
 * transfer encoding). QUERY must carry one.
 */
export function isBodiless(request: IncomingMessage): boolean {
  const method = request.method;
  if (method === 'GET' || method === 'HEAD' || method === 'TRACE') return true;
  const headers = request.headers;
  return (
    method !== 'QUERY' &&
    headers['content-type'] === undefined &&
    headers['transfer-encoding'] === undefined &&
    (headers['content-length'] === undefined || headers['content-length'] === '0')
  );
}

/**
 * Static bodies of the rules (see prepareStaticAnswers): null until their first answer; then their
 * JSON text and its length in bytes, or false for a body that is not plain JSON data. Text, not
 * bytes: node writes a string body in one write with the head, a Buffer in a second one (which cost
 * more than encoding the text).
 */
const staticBodies = new WeakMap<object, { text: string; length: string } | null | false>();

/**
 * Makes the static answers among `responders` constants (rules that answer a value, not a function):
 * on its first answer, a JSON body of plain objects, arrays and primitives is frozen and its JSON text
 * made, reused for every later answer. Frozen, because a body changed after its text was made would
 * otherwise be answered stale without a word: changing one then fails where it is changed. An answer
 * that changes is a function. (Checked and frozen on first use, not here: 10,000 rules start faster.)
 */
export function prepareStaticAnswers(responders: Iterable<Responder>): void {
  for (const responder of responders) {
    if (typeof responder === 'function' || isFault(responder)) continue;
    if (isSequence(responder)) prepareStaticAnswers(responder.steps);
    else {
      const body = isReply(responder) ? responder.body : responder;
      if (typeof body === 'object' && body !== null && !staticBodies.has(body)) staticBodies.set(body, null);
    }
  }
}

/** Plain objects and arrays of data properties down to primitives: what JSON.stringify writes the same every time. */
function isPlainJson(value: object, depth: number): boolean {
  if (depth > 64) return false;
  const prototype = Object.getPrototypeOf(value);
  if (Array.isArray(value) ? prototype !== Array.prototype : prototype !== Object.prototype && prototype !== null) return false;
  // Symbol keys: the DSL's marked bodies (SSE, dribble, malformed chunks).
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  const descriptors = Object.getOwnPropertyDescriptors(value);
  for (const key in descriptors) {
    const descriptor = descriptors[key] as PropertyDescriptor;
    if (!('value' in descriptor)) return false;
    const field: unknown = descriptor.value;
    if (typeof field === 'object' && field !== null) {
      if (!isPlainJson(field, depth + 1)) return false;
    } else if (typeof field === 'function' || typeof field === 'symbol' || typeof field === 'bigint') return false;
  }
  return true;
}

function deepFreeze(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const field of Object.values(value)) if (typeof field === 'object' && field !== null) deepFreeze(field);
}

/** The JSON text of a static body (made on its first answer), or undefined for any other body. */
function staticTextOf(body: object): { text: string; length: string } | undefined {
  const known = staticBodies.get(body);
  if (known !== null) return known || undefined;
  if (!isPlainJson(body, 0)) {
    staticBodies.set(body, false);
    return undefined;
  }
  deepFreeze(body);
  const text = JSON.stringify(body);
  const made = { text, length: String(Buffer.byteLength(text)) };
  staticBodies.set(body, made);
  return made;
}

/**
 * Writes an answer on node's response as `sendBody` writes it through fastify: the same status,
 * headers (names lower-cased, the content type and length fastify would add) and bytes, in one
 * `writeHead` and `end`. Returns false, having written nothing, for the one case it leaves to
 * fastify: a body on a 204 or 304 (fastify drops it). Throws, having written nothing, when the body
 * has no JSON form after all (a BigInt inside, a cycle, a throwing toJSON). `mayBeStatic`: the body
 * may be a rule's own value, whose JSON is made once (see prepareStaticAnswers).
 */
export function writeDirectly(
  response: ServerResponse,
  method: string,
  status: number,
  headers: Readonly<Record<string, string>> | undefined,
  body: unknown,
  mayBeStatic = false,
): boolean {
  const fields: Record<string, string | string[]> = {};
  if (headers) {
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      const value = headers[name] as string;
      // Several cookies, one a line (see headerFields).
      fields[lower] = lower === 'set-cookie' && value.includes('\n') ? value.split('\n') : value;
    }
  }
  const constant = mayBeStatic && typeof body === 'object' && body !== null ? staticTextOf(body) : undefined;
  if (constant) {
    if (status === 204 || status === 304) return false;
    fields['content-type'] ??= JSON_TYPE;
    if (method !== 'HEAD' || fields['content-length'] === undefined) fields['content-length'] = constant.length;
    response.writeHead(status, fields);
    response.end(constant.text);
    return true;
  }
  const payload: string | undefined = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  if (payload === undefined) {
    // A body whose toJSON gave undefined: fastify's serialiser path, not worth a copy here.
    if (body !== undefined) return false;
    if (status !== 204 && status !== 304 && method !== 'HEAD') fields['content-length'] = '0';
  } else {
    if (status === 204 || status === 304) return false;
    fields['content-type'] ??= typeof body === 'string' ? TEXT_TYPE : JSON_TYPE;
    if (method !== 'HEAD' || fields['content-length'] === undefined) fields['content-length'] = String(Buffer.byteLength(payload));
  }
  response.writeHead(status, fields);
  response.end(payload);
  return true;
}
