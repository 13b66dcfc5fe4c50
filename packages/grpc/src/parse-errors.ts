import type { UniversalServerResponse } from '@connectrpc/connect/protocol';

// Connect's binary parser reports a request message it cannot decode as `internal` ("parse binary: …"),
// where its JSON parser and native gRPC say `invalid_argument`: the client sent it, the server did not fail.
// The server parses only requests, so "parse binary" always names the client's message.
const PARSE_ERROR = /^parse(?: |%20)binary/i;
const INTERNAL = '13';
const INVALID_ARGUMENT = '3';
const GRPC_WEB_TRAILER = 0x80;
const CONNECT_END_STREAM = 0x02;

/**
 * The answer with a request message Connect could not decode reported as `invalid_argument`, in each
 * wire's own place: a Connect unary error body (HTTP 400), a Connect end-stream message, gRPC-Web's
 * trailer frame, and gRPC status headers or trailers.
 */
export async function parseErrorsAsInvalidArgument(answer: UniversalServerResponse): Promise<UniversalServerResponse> {
  if (answer.header) rewriteStatus(answer.header);
  if (!answer.body) return answer;
  if (answer.status !== 200 && /^application\/json/i.test(answer.header?.get('content-type') ?? '')) {
    const body = await readAll(answer.body);
    const error = parseConnectError(body.toString('utf8'));
    if (!error) return { ...answer, body: once(body) };
    const rewritten = Buffer.from(JSON.stringify({ ...error, code: 'invalid_argument' }));
    answer.header?.set('content-length', String(rewritten.byteLength));
    return { ...answer, status: 400, body: once(rewritten) };
  }
  // Enveloped wires only: a Connect unary body is one bare message.
  if (!/^application\/(?:grpc|connect\+)/i.test(answer.header?.get('content-type') ?? '')) return answer;
  return { ...answer, body: rewriteEnvelopes(answer.body, answer.trailer) };
}

function rewriteStatus(headers: Headers): void {
  if (headers.get('grpc-status') === INTERNAL && PARSE_ERROR.test(headers.get('grpc-message') ?? '')) headers.set('grpc-status', INVALID_ARGUMENT);
}

function parseConnectError(text: string): { code: string; message: string } | undefined {
  try {
    const error: unknown = JSON.parse(text);
    if (typeof error !== 'object' || error === null) return undefined;
    const { code, message } = error as { code?: unknown; message?: unknown };
    return code === 'internal' && typeof message === 'string' && PARSE_ERROR.test(message) ? { ...error, code, message } : undefined;
  } catch {
    return undefined;
  }
}

/** Passes enveloped messages through whole, rewriting the closing frame of a call refused for its message. */
async function* rewriteEnvelopes(body: AsyncIterable<Uint8Array>, trailer: Headers | undefined): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of body) {
    pending = pending.byteLength ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.byteLength >= 5) {
      const length = new DataView(pending.buffer, pending.byteOffset, pending.byteLength).getUint32(1);
      if (pending.byteLength < 5 + length) break;
      yield rewriteFrame(pending.subarray(0, 5 + length));
      pending = pending.subarray(5 + length);
    }
  }
  if (pending.byteLength) yield pending;
  // gRPC's trailers are written once the body is done.
  if (trailer) rewriteStatus(trailer);
}

function rewriteFrame(frame: Uint8Array): Uint8Array {
  const flags = frame[0] ?? 0;
  const payload = Buffer.from(frame.buffer, frame.byteOffset + 5, frame.byteLength - 5);
  if (flags & GRPC_WEB_TRAILER) {
    const text = payload.toString('latin1');
    if (!/grpc-status: ?13\r?\n/i.test(text) || !/grpc-message: ?parse(?: |%20)binary/i.test(text)) return frame;
    return envelope(flags, Buffer.from(text.replace(/(grpc-status: ?)13/i, `$1${INVALID_ARGUMENT}`), 'latin1'));
  }
  if (flags & CONNECT_END_STREAM) {
    let end: { error?: unknown };
    try {
      end = JSON.parse(payload.toString('utf8')) as { error?: unknown };
    } catch {
      return frame;
    }
    const error = parseConnectError(JSON.stringify(end.error ?? null));
    if (!error) return frame;
    return envelope(flags, Buffer.from(JSON.stringify({ ...end, error: { ...error, code: 'invalid_argument' } })));
  }
  return frame;
}

function envelope(flags: number, payload: Buffer): Uint8Array {
  const frame = Buffer.alloc(5 + payload.byteLength);
  frame.writeUInt8(flags, 0);
  frame.writeUInt32BE(payload.byteLength, 1);
  payload.copy(frame, 5);
  return frame;
}

/** The bytes of a whole body (none: empty). */
export async function readAll(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  if (body) for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A body of `bytes`, none when empty. */
export async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.byteLength) yield bytes;
}
