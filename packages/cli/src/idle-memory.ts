import { performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

export interface IdleMemoryOptions {
  /** How often the process looks whether it is idle, in ms. Default 500. */
  checkEveryMs?: number | undefined;
  /** Share of the last check's interval the event loop may have been busy and still count as idle. Default 0.02. */
  idleUtilization?: number | undefined;
  /** Bytes the heap must have grown by since it was last given back before it is worth giving back again. Default 8 MB. */
  minGrowthBytes?: number | undefined;
  /** Called after each release with the heap's committed bytes before and after, and how long the process had been idle. */
  onRelease?: ((release: { heapBefore: number; heapAfter: number; idleMs: number }) => void) | undefined;
}

/**
 * Load that came back (the heap grew by `minGrowthBytes` again, in a busy interval) within this many
 * check intervals of a release (10 s at the default) makes the next release wait for twice as many
 * idle intervals, up to MAX_IDLE_CHECKS; load after a longer quiet starts over at one. A release also
 * throws away the code V8 optimised for the request path, so the first second of load after it runs
 * cold again: bursts with short pauses between them (a test suite's batches) would pay that after
 * every pause.
 */
const LOAD_RETURNED_WITHIN_CHECKS = 20;
/** The longest wait for a release, in check intervals (8 s at the default). */
const MAX_IDLE_CHECKS = 16;

/**
 * Gives the heap that load made grow back to the system once the process is idle: `up` as a
 * long-lived process in CI or on a laptop otherwise keeps the RSS of its busiest moment for good.
 *
 * V8 grows its young generation under load (to 32 MB in node 20) and its old generation up to a limit
 * set from the last full collection, and shrinks them only in a memory-reducing collection. Node
 * never asks for one (no idle notification), and V8's own memory reducer does not fire in a node
 * process that went quiet. So when a check interval found the event loop (nearly) idle and the heap
 * has grown by `minGrowthBytes` since the last release, this asks V8 for a low-memory collection
 * (the inspector's `HeapProfiler.collectGarbage`: full collections that compact the old generation,
 * shrink the young one and return the freed pages). It blocks while it runs (0.3 s for the checkout
 * stack on a loaded 2-core machine), and runs only when nothing was served for a whole interval (or
 * longer, when load keeps coming back soon after releases: see LOAD_RETURNED_WITHIN_CHECKS); a request
 * arriving meanwhile waits for it.
 *
 * Returns the function that stops the checks. Without an inspector in this node build, it does nothing.
 */
export async function releaseMemoryWhenIdle(options: IdleMemoryOptions = {}): Promise<() => void> {
  const { checkEveryMs = 500, idleUtilization = 0.02, minGrowthBytes = 8 * 1024 * 1024, onRelease } = options;
  let inspector: typeof import('node:inspector');
  try {
    inspector = await import('node:inspector');
  } catch {
    return () => {};
  }
  let last = performance.eventLoopUtilization();
  let released = 0;
  // Only after busy time since the last release (or since the checks began): a stack that just started
  // has nothing of load's to give back, and its first requests must not wait for a collection.
  let busySinceRelease = false;
  let releasing = false;
  /** Idle intervals in a row, and how many a release waits for. */
  let idleChecks = 0;
  let idleChecksNeeded = 1;
  /** Intervals since the last release, until load is back (undefined: no release since the last load). */
  let checksSinceRelease: number | undefined;
  const check = (): void => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (releasing) return;
    if (busy > idleUtilization) {
      busySinceRelease = true;
      idleChecks = 0;
      // Load is back once the heap grows again: a health probe or a timer now and then does not count.
      if (checksSinceRelease !== undefined && getHeapStatistics().total_heap_size - released >= minGrowthBytes) {
        idleChecksNeeded = checksSinceRelease <= LOAD_RETURNED_WITHIN_CHECKS ? Math.min(idleChecksNeeded * 2, MAX_IDLE_CHECKS) : 1;
        checksSinceRelease = undefined;
      }
      return;
    }
    if (checksSinceRelease !== undefined) checksSinceRelease++;
    idleChecks++;
    if (!busySinceRelease || idleChecks < idleChecksNeeded) return;
    const heapBefore = getHeapStatistics().total_heap_size;
    if (heapBefore - released < minGrowthBytes) return;
    releasing = true;
    const session = new inspector.Session();
    session.connect();
    session.post('HeapProfiler.collectGarbage', () => {
      // Disconnecting from inside the session's own callback never returns: afterwards.
      setImmediate(() => {
        session.disconnect();
        releasing = false;
        released = getHeapStatistics().total_heap_size;
        busySinceRelease = false;
        checksSinceRelease = 0;
        last = performance.eventLoopUtilization();
        onRelease?.({ heapBefore, heapAfter: released, idleMs: idleChecks * checkEveryMs });
      });
    });
  };
  const timer = setInterval(check, checkEveryMs).unref();
  return () => clearInterval(timer);
}

/**
 * V8 grows the young generation by this factor at a time; node 20's default is 2 (1, 2, 4, 8, 16 MB a
 * semi-space). With 16, the step after a fresh young generation's first reaches node 20's 16 MB.
 */
const YOUNG_GENERATION_GROWTH_FACTOR = 16;
const NODE_YOUNG_GENERATION_GROWTH_FACTOR = 2;
const GROWTH_FACTOR_FLAG = '--semi-space-growth-factor';

/**
 * Lets the young generation grow to its full size in a step or two once load makes it grow, not in
 * doublings. The journal keeps the last 1,000 requests alive: V8 grows the young generation only after
 * the bytes surviving its collections add up to its size, so under load it went 8 MB to 16 MB a
 * semi-space only after ~15,000 requests. Until then a collection came every ~750 requests, before the
 * journal had let go of them, and every entry was copied twice (into the survivor space, then into the
 * old generation). At 16 MB one comes every ~1,500 requests and an entry is copied once, or not at all:
 * the handler route measured 73.4k instructions per request instead of 76.5k in that window (issue 17). The
 * size reached is the one load reached before (a busy `up` got there anyway), and `releaseMemoryWhenIdle`
 * gives it back when idle as it did. A factor the user gave node is left as it is.
 *
 * Returns the function that sets node's factor back, to call before the process saves its code cache:
 * V8 stamps a code cache with a hash of its flags, and refuses one made under other flags than its own
 * at start (the next `up` would compile everything again, and save the cache again).
 */
export function growYoungGenerationAtOnce(): () => void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => arg.startsWith(GROWTH_FACTOR_FLAG));
  if (given) return () => {};
  setFlagsFromString(`${GROWTH_FACTOR_FLAG}=${YOUNG_GENERATION_GROWTH_FACTOR}`);
  return () => setFlagsFromString(`${GROWTH_FACTOR_FLAG}=${NODE_YOUNG_GENERATION_GROWTH_FACTOR}`);
}
