import { parseDuration } from '@mockstack/core';

/** Marks a server-stream reply built by the DSL's `grpc.stream(items, { interval })`. */
const STREAM = Symbol.for('mockstack.grpc.stream');
/**
 * The items of a stream answer and the wait between two of them: `grpc.stream(items, { interval })`,
 * an array or (async) iterable, or a single message.
 */
export function streamOf(body: unknown): { items: Iterable<unknown> | AsyncIterable<unknown>; interval: number } {
  const marked = (body as { [STREAM]?: { items: Iterable<unknown> | AsyncIterable<unknown>; interval?: number | string } })[STREAM];
  if (marked) return { items: marked.items, interval: marked.interval === undefined ? 0 : (parseDuration(marked.interval) ?? 0) };
  return { items: isIterable(body) ? body : [body], interval: 0 };
}

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    Array.isArray(value) ||
    (typeof value === 'object' && value !== null && (Symbol.asyncIterator in value || (Symbol.iterator in value && typeof value !== 'string')))
  );
}
