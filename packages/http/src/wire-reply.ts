import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { BodyCapture, type WireBody } from './body.js';
import { HTTP2_CODES, http2StreamOf, resetHttp2Stream } from './http-app.js';
import { headerFields } from './reply.js';

/** How a body that was not JSON went: the status to journal, what the journal shows of the body, and what went wrong. */
export interface WireResult {
  status: number | string;
  body: string;
  error?: string | undefined;
}

/**
 * Writes a binary, streamed or faulty body (see `wireBodyOf`) with `status` and `headers`, and calls
 * `done` once when it is over: at once for bytes, when the last chunk is written for a stream (or the
 * client left, or the stream failed), after the bad chunk for a malformed one. `journalBytes` bounds
 * what the journal keeps of a streamed body.
 */
export function sendWireBody(
  reply: FastifyReply,
  status: number,
  headers: Record<string, string> | undefined,
  wire: WireBody,
  journalBytes: number,
  done: (result: WireResult) => void,
): void {
  reply.code(status);
  if (headers) reply.headers(headerFields(headers));
  if (!reply.hasHeader('content-type')) reply.type(wire.type);
  const type = String(reply.getHeader('content-type'));
  if (wire.kind === 'bytes') {
    reply.send(wire.bytes);
    const capture = new BodyCapture(journalBytes);
    capture.add(wire.bytes);
    done({ status, body: capture.describe(type) });
    return;
  }
  if (wire.kind === 'malformed') {
    sendMalformed(reply, status, type, wire.first);
    done({ status, body: `${wire.first.length} bytes, then a malformed chunk`, error: 'malformed chunk sent (fault): the connection was cut mid-body' });
    return;
  }
  if (wire.length !== undefined) reply.header('content-length', String(wire.length));
  if (type.startsWith('text/event-stream')) reply.header('cache-control', 'no-cache');
  const capture = new BodyCapture(journalBytes);
  let failure: string | undefined;
  async function* captured(): AsyncIterable<Buffer> {
    try {
      for await (const chunk of wire.kind === 'stream' ? wire.chunks : []) {
        capture.add(chunk);
        yield chunk;
      }
    } catch (error) {
      failure = `the streamed body failed after ${capture.bytes} bytes: ${error instanceof Error ? error.message : String(error)}`;
      throw error;
    }
  }
  const raw = reply.raw;
  let sent = false;
  raw.once('finish', () => {
    sent = true;
  });
  raw.once('close', () => {
    const finished = sent && failure === undefined;
    done({
      status: finished ? status : failure ? status : 499,
      body: capture.describe(type),
      error: finished ? undefined : (failure ?? `the client left after ${capture.bytes} bytes of the streamed body`),
    });
  });
  reply.send(Readable.from(captured(), { objectMode: false }));
}

/**
 * A body cut by a broken frame: over HTTP/1.1 the head and a first chunk as sent, then a chunk whose
 * size line is not hexadecimal, and the connection closed; over HTTP/2 (no chunks there) the first
 * bytes, then the stream reset with PROTOCOL_ERROR.
 */
function sendMalformed(reply: FastifyReply, status: number, type: string, first: Buffer): void {
  reply.hijack();
  const raw = reply.raw;
  const stream = http2StreamOf(raw);
  if (stream) {
    raw.writeHead(status, { 'content-type': type });
    raw.write(first, () => resetHttp2Stream(stream, HTTP2_CODES.protocolError));
    return;
  }
  const socket = raw.socket;
  if (!socket) return;
  const head = `HTTP/1.1 ${status} OK\r\ncontent-type: ${type}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`;
  socket.write(`${head}${first.length.toString(16)}\r\n`);
  socket.write(first);
  socket.end('\r\nzz-not-a-chunk-size\r\n');
}
