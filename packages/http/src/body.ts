import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { parseDuration, sendPaced, sleep } from '@mockstack/core';

/**
 * Bodies that are not JSON values, shared with the DSL by well-known symbols (neither package imports
 * the other): `sse(events)`, `fault.dribble(body, { over })` and `fault.malformedChunk(body)`.
 */
export const SSE = Symbol.for('mockstack.http.sse');
export const DRIBBLE = Symbol.for('mockstack.http.dribble');
export const MALFORMED_CHUNK = Symbol.for('mockstack.http.malformed-chunk');

/** One server-sent event as a scenario writes it; a string is its `data`. */
export interface SseEventInit {
  data: unknown;
  event?: string | undefined;
  id?: string | undefined;
  /** Milliseconds the client should wait before reconnecting. */
  retry?: number | undefined;
}

type Duration = number | string;

export interface SseBody {
  [SSE]: { events: Iterable<unknown> | AsyncIterable<unknown>; interval?: Duration | undefined };
}
export interface DribbleBody {
  [DRIBBLE]: { body: unknown; over: Duration; chunks?: number | undefined };
}
export interface MalformedChunkBody {
  [MALFORMED_CHUNK]: { body: unknown };
}

/** What an answer's body is on the wire when it is not a JSON value or text: bytes, or chunks over time. */
export type WireBody =
  | { kind: 'bytes'; bytes: Buffer; type: string }
  | { kind: 'stream'; chunks: AsyncIterable<Buffer>; type: string; length?: number | undefined }
  | { kind: 'malformed'; first: Buffer; type: string };

/**
 * The wire form of a body that is binary (Uint8Array, Buffer, ArrayBuffer, a typed array), a stream
 * (a web ReadableStream, a node Readable, an async iterable, a Blob), server-sent events, a dribble
 * or a malformed chunk; undefined for everything else (JSON values and text, as before).
 * `request.signal` (read only for timed bodies: a request makes it on first use) stops timed bodies when
 * the client leaves. The request itself, not a function giving the signal: this is on every answer's path.
 */
export function wireBodyOf(body: unknown, request: SignalSource): WireBody | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const prototype = Object.getPrototypeOf(body);
  if (prototype === Object.prototype || prototype === null) return markedBodyOf(body, request);
  if (body instanceof Uint8Array) return { kind: 'bytes', bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength), type: OCTETS };
  if (body instanceof ArrayBuffer) return { kind: 'bytes', bytes: Buffer.from(body), type: OCTETS };
  if (ArrayBuffer.isView(body)) return { kind: 'bytes', bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength), type: OCTETS };
  if (body instanceof Blob) return { kind: 'stream', chunks: bytesOf(Readable.fromWeb(body.stream() as never)), type: body.type || OCTETS, length: body.size };
  if (body instanceof ReadableStream) return { kind: 'stream', chunks: bytesOf(Readable.fromWeb(body as never)), type: OCTETS };
  if (body instanceof Readable || Symbol.asyncIterator in body) return { kind: 'stream', chunks: bytesOf(body as AsyncIterable<unknown>), type: OCTETS };
  return undefined;
}

/** The DSL's marked bodies are plain objects: checked by their symbol, not by class (most bodies are plain JSON objects). */
function markedBodyOf(body: object, request: SignalSource): WireBody | undefined {
  if (SSE in body) {
    const { events, interval } = (body as SseBody)[SSE];
    return { kind: 'stream', chunks: timed(events, interval, request.signal, sseEvent), type: 'text/event-stream; charset=utf-8' };
  }
  if (DRIBBLE in body) {
    const { body: inner, over, chunks } = (body as DribbleBody)[DRIBBLE];
    const { bytes, type } = bytesAndType(inner);
    return { kind: 'stream', chunks: dribbled(bytes, parseDuration(over) ?? 0, chunks ?? 10, request.signal), type, length: bytes.length };
  }
  if (MALFORMED_CHUNK in body) {
    const { bytes, type } = bytesAndType((body as MalformedChunkBody)[MALFORMED_CHUNK].body);
    return { kind: 'malformed', first: bytes.subarray(0, Math.ceil(bytes.length / 2)), type };
  }
  return undefined;
}

/** What `wireBodyOf` reads the client's signal from: a request whose `signal` is made when first read. */
export interface SignalSource {
  readonly signal?: AbortSignal | undefined;
}

const OCTETS = 'application/octet-stream';

/** A dribbled or malformed body's bytes and default content type: text, bytes, or JSON. */
function bytesAndType(body: unknown): { bytes: Buffer; type: string } {
  if (typeof body === 'string') return { bytes: Buffer.from(body), type: 'text/plain; charset=utf-8' };
  if (body instanceof Uint8Array) return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength), type: OCTETS };
  if (body === undefined) return { bytes: Buffer.alloc(0), type: OCTETS };
  return { bytes: Buffer.from(JSON.stringify(body) ?? ''), type: 'application/json; charset=utf-8' };
}

/** Each item of a stream as bytes: strings as UTF-8, bytes as they are, any other value as one line of JSON (NDJSON). */
async function* bytesOf(items: AsyncIterable<unknown>): AsyncIterable<Buffer> {
  for await (const item of items) yield chunkOf(item);
}

function chunkOf(item: unknown): Buffer {
  if (typeof item === 'string') return Buffer.from(item);
  if (item instanceof Uint8Array) return Buffer.from(item.buffer, item.byteOffset, item.byteLength);
  if (item instanceof ArrayBuffer) return Buffer.from(item);
  return Buffer.from(`${JSON.stringify(item)}\n`);
}

/**
 * Items with `interval` between them (and `pause` items waited), paced by core's `sendPaced` as gRPC and
 * Connect streams and subscriptions are; read as chunks, one item handed over per read (backpressure),
 * stopping when the client leaves.
 */
function timed(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  interval: Duration | undefined,
  signal: AbortSignal | undefined,
  encode: (item: unknown) => Buffer,
): AsyncIterable<Buffer> {
  const gap = interval === undefined ? 0 : (parseDuration(interval) ?? 0);
  /** Resolves the pending send: true once the reader wants the next chunk, false once it is gone. */
  let wanted: ((more: boolean) => void) | undefined;
  let started = false;
  const chunks = new Readable({
    objectMode: true,
    highWaterMark: 1,
    read() {
      if (started) {
        const resume = wanted;
        wanted = undefined;
        resume?.(true);
        return;
      }
      started = true;
      const send = (item: unknown): boolean | Promise<boolean> =>
        chunks.destroyed ? false : chunks.push(encode(item)) || new Promise<boolean>((resolve) => (wanted = resolve));
      sendPaced(items, gap, send, signal).then(
        () => chunks.push(null),
        (error: unknown) => chunks.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      wanted?.(false);
      wanted = undefined;
      callback(error);
    },
  });
  return chunks;
}

/** One event in the text/event-stream format: `event:`, `id:`, `retry:`, one `data:` line per line of data. */
function sseEvent(item: unknown): Buffer {
  const event: SseEventInit =
    typeof item === 'object' && item !== null && 'data' in item && Object.keys(item).every((k) => SSE_FIELDS.has(k)) ? (item as SseEventInit) : { data: item };
  const lines: string[] = [];
  if (event.event !== undefined) lines.push(`event: ${oneLine(event.event)}`);
  if (event.id !== undefined) lines.push(`id: ${oneLine(event.id)}`);
  if (event.retry !== undefined) lines.push(`retry: ${Math.max(0, Math.round(event.retry))}`);
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  for (const line of (data ?? '').split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return Buffer.from(`${lines.join('\n')}\n\n`);
}

const SSE_FIELDS = new Set(['data', 'event', 'id', 'retry']);

function oneLine(value: string): string {
  return String(value).replace(/[\r\n]/g, ' ');
}

/**
 * The bytes in `chunks` pieces spread evenly over `overMs`, none of them empty, so the last byte goes
 * out `overMs` after the first (pieces of a rounded-up size ran out early: 11 bytes in 10 pieces
 * of 2 ended after 6, half-way through the duration).
 */
async function* dribbled(bytes: Buffer, overMs: number, chunks: number, signal: AbortSignal | undefined): AsyncIterable<Buffer> {
  const count = Math.max(1, Math.min(Math.floor(chunks), bytes.length || 1));
  const gap = count > 1 ? overMs / (count - 1) : 0;
  for (let i = 0; i < count; i++) {
    if (i > 0 && gap > 0 && !(await sleep(gap, signal))) return;
    yield bytes.subarray(Math.floor((i * bytes.length) / count), Math.floor(((i + 1) * bytes.length) / count));
  }
}

/**
 * Keeps the first `max` bytes of a streamed body for the journal, and counts them all. A stream is
 * journaled when it ends, as text (cut with a marker past `max`).
 */
export class BodyCapture {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  bytes = 0;

  constructor(readonly max: number) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.#kept >= this.max) return;
    const part = chunk.subarray(0, this.max - this.#kept);
    this.#chunks.push(part);
    this.#kept += part.length;
  }

  /** What the journal shows of the body: text as sent, or a note with the size for binary content. */
  describe(type: string): string {
    const cut = this.bytes > this.#kept ? `… (${this.bytes} bytes streamed; the journal keeps ${this.max})` : '';
    if (!/^text\/|json|xml|event-stream|ndjson/i.test(type)) return `<${this.bytes} bytes of ${type}>`;
    return `${Buffer.concat(this.#chunks).toString('utf8')}${cut}`;
  }
}
