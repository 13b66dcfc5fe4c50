// The global `Buffer` is a getter in Node; an import is a plain binding (read on every answer).
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

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
 * Writes an answer on node's response as `sendBody` writes it through fastify: the same status,
 * headers (names lower-cased, the content type and length fastify would add) and bytes, in one
 * `writeHead` and `end`. Returns false, having written nothing, for the one case it leaves to
 * fastify: a body on a 204 or 304 (fastify drops it). Throws, having written nothing, when the body
 * has no JSON form after all (a BigInt inside, a cycle, a throwing toJSON).
 */
export function writeDirectly(
  response: ServerResponse,
  method: string,
  status: number,
  headers: Readonly<Record<string, string>> | undefined,
  body: unknown,
): boolean {
  const payload: string | undefined = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  const fields: Record<string, string> = {};
  if (headers) for (const name of Object.keys(headers)) fields[name.toLowerCase()] = headers[name] as string;
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
