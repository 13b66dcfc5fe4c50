import { type DelaySpec, makeReply, type Reply } from '@mockstack/core';
import { type Duration, grpc, type Pause } from './grpc.js';

/** Shared with `@mockstack/http` by well-known symbols, so that neither package imports the other. */
const SSE = Symbol.for('mockstack.http.sse');

/** One server-sent event: `data` (an object is sent as JSON), and optionally its `event` type, `id` and `retry` (ms). */
export interface SseEvent<Data = unknown> {
  data: Data;
  event?: string;
  id?: string;
  retry?: number;
}

/** An item of `sse(...)`: an event, a bare value (the event's `data`), or `sse.pause(d)`. */
export type SseItem = SseEvent | Pause | object | string | number | boolean | null;

/** Timing and head of an SSE answer: the same vocabulary as `grpc.stream`. */
export interface SseInit {
  /** Waited between two events: `'200ms'`, `'1s'` or milliseconds. */
  interval?: Duration;
  /** Waited before the first event (and the head). */
  delay?: DelaySpec;
  /** Extra response headers (content type is `text/event-stream`). */
  headers?: Record<string, string>;
  /** Default 200. */
  status?: number;
}

/**
 * A REST answer of server-sent events (`text/event-stream`), sent one by one with `interval` between
 * them; `sse.pause(d)` waits inside the list. Events are `{ data, event?, id?, retry? }` or a bare value
 * (its `data`). An async generator streams events as it yields them. The response ends after the last.
 *
 * @example
 * rest.get('/orders/:id/events', sse([{ event: 'status', data: { status: 'paid' } }, sse.pause('1s'), { event: 'status', data: { status: 'shipped' } }], { interval: '200ms' }))
 */
export function sse(events: Iterable<SseItem> | AsyncIterable<SseItem>, init: SseInit = {}): Reply {
  return makeReply({ body: { [SSE]: { events, interval: init.interval } }, status: init.status, headers: init.headers, delay: init.delay });
}

/**
 * A pause between two events (the same marker as `grpc.pause`).
 * @example sse([{ data: 1 }, sse.pause('1s'), { data: 2 }])
 */
sse.pause = (delay: Duration): Pause => grpc.pause(delay);
