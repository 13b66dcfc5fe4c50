import { parseDuration, sleep } from './delay.js';

/** Marks a pause between stream items (`grpc.pause('200ms')`, `graphql.pause`, `sse.pause` all make it). */
export const PAUSE = Symbol.for('mockstack.grpc.pause');

/** The milliseconds of a pause item; undefined for any other item. */
export function pauseOf(item: unknown): number | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const spec = (item as { [PAUSE]?: number | string })[PAUSE];
  return spec === undefined ? undefined : (parseDuration(spec) ?? 0);
}

/**
 * Sends a stream's items at their pace, the one timing vocabulary of gRPC streams and GraphQL subscriptions:
 * `intervalMs` between two items (none before the first), a pause item waited and not sent. `send` gets
 * every other item (a Fault item too: the caller says what it means) and returns false to stop, or a
 * promise of that (backpressure). Resolves true once the items ran out, false when `send` stopped or
 * `signal` aborted a wait. Awaits only for waits, `send`'s promises and async sources, so a sync source
 * without pace goes out in one tick. A throw of the source or of `send` rejects. Stopped early, it closes
 * the source (its `return()`), as a `for…of` that breaks does.
 */
export async function sendPaced(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  intervalMs: number,
  send: (item: unknown) => boolean | Promise<boolean>,
  signal?: AbortSignal,
): Promise<boolean> {
  const sync = Symbol.iterator in items;
  const iterator = sync ? (items as Iterable<unknown>)[Symbol.iterator]() : (items as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let first = true;
  let done = false;
  try {
    for (;;) {
      const next = sync ? (iterator as Iterator<unknown>).next() : await iterator.next();
      if (next.done) {
        done = true;
        return true;
      }
      const pause = pauseOf(next.value);
      if (pause !== undefined) {
        if (!(await sleep(pause, signal))) return false;
        continue;
      }
      if (!(first || intervalMs <= 0 || (await sleep(intervalMs, signal)))) return false;
      first = false;
      const sent = send(next.value);
      if (!(sent === true || (sent !== false && (await sent)))) return false;
    }
  } finally {
    // Stopped early (the client left, `send` stopped or threw): the source's `finally` runs, as after a `for…of` break.
    if (!done) await Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
