import { createHook } from 'node:async_hooks';

let kept: object | undefined;

/**
 * Keeps one entry of node's `process.nextTick` queue alive for the life of the process.
 *
 * Node makes each entry with an object literal whose first keys are symbols. When a full GC runs
 * while no entry is alive, V8 frees the hidden classes of those objects and the next entries get
 * new ones; the literal's inline caches then see more than one class, turn megamorphic, and every
 * nextTick (about 15 per HTTP request) takes V8's slow runtime path: in about one `mockstack up`
 * in five, a static REST answer cost 1.5× the instructions. A live entry keeps the classes alive.
 */
export function keepNextTickFast(): void {
  if (kept) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') kept = resource;
    },
  }).enable();
  process.nextTick(() => {});
  hook.disable();
}
