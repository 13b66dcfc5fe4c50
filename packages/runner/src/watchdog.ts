import { Worker } from 'node:worker_threads';

// Cells shared with the watchdog thread: the run whose code runs now (0: none; STOPPING: the watchdog
// took the run it saw to stop it), its time limit (ms), and the run it stopped last (0 once the main thread took note).
const ACTIVE = 0;
const LIMIT = 1;
const STOPPED = 2;
const STOPPING = -1;

/**
 * The watchdog thread. It sees the main thread only through the shared cells, so it runs while a
 * handler loops. When one run has lasted past its limit, it takes it (ACTIVE from that run to
 * STOPPING: code that returned in the meantime keeps it from being taken), stops the main thread's
 * JavaScript through an inspector session (Runtime.terminateExecution: it unwinds to the event loop,
 * which goes on) and says which run it stopped.
 */
const WATCHDOG_SOURCE = `
const { workerData: cells, parentPort } = require('node:worker_threads');
const { Session } = require('node:inspector');
const session = new Session();
session.connectToMainThread();
let seen = 0;
let since = 0;
setInterval(() => {
  const run = Atomics.load(cells, ${ACTIVE});
  if (run <= 0) return;
  const now = Date.now();
  if (run !== seen) {
    seen = run;
    since = now;
  } else if (now - since >= Atomics.load(cells, ${LIMIT}) && Atomics.compareExchange(cells, ${ACTIVE}, run, ${STOPPING}) === run) {
    seen = 0;
    Atomics.store(cells, ${STOPPED}, run);
    session.post('Runtime.terminateExecution', () => parentPort.postMessage(run));
  }
}, 50);
parentPort.postMessage(0);
`;

/** How long code that was taken to be stopped as it returned waits for the stop before going on regardless. */
const STOP_ARRIVES_WITHIN_MS = 1000;

/**
 * Notices handler code stuck in a loop (which would freeze every protocol, the admin API and signal
 * handling) and stops it after its time limit. `enter`/`leave` around each handler run cost a
 * few shared-memory writes; the watching happens on another thread.
 */
export class RunawayWatchdog {
  readonly #cells = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  readonly #worker: Worker;
  #run = 0;
  /** Settles once the thread watches (or could not start): its start-up is then over. */
  readonly started: Promise<void>;

  /**
   * `onStopped(run)` is called on the main thread once the handler run `run` was stopped, at the
   * latest when the watchdog's message arrives (see `takeStopped` for sooner).
   */
  constructor(onStopped: (run: number) => void) {
    this.#worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: this.#cells });
    this.#worker.unref();
    // Its first message (0) says it watches; later ones, that it stopped a run.
    this.started = new Promise((resolve) => {
      this.#worker.once('message', () => resolve());
      this.#worker.once('error', () => resolve());
      this.#worker.once('exit', () => resolve());
    });
    this.#worker.on('message', () => {
      const run = this.takeStopped();
      if (run !== 0) onStopped(run);
    });
  }

  /**
   * The run the watchdog stopped since the last call, or 0: one plain shared-memory read when none was
   * (an Atomics call is a builtin call, not inlined by node 20's compiler). A stop this read misses is
   * taken by the next call, or by the watchdog's message.
   */
  takeStopped(): number {
    return this.#cells[STOPPED] === 0 ? 0 : Atomics.exchange(this.#cells, STOPPED, 0);
  }

  /** A handler starts running; returns its run number. */
  enter(limitMs: number): number {
    this.#run = this.#run === 0x7fffffff ? 1 : this.#run + 1;
    this.resume(this.#run, limitMs);
    return this.#run;
  }

  /** Code of run `run` goes on (after a nested run it started ended). */
  resume(run: number, limitMs: number): void {
    this.#cells[LIMIT] = Math.min(limitMs, 2 ** 31 - 1);
    this.#switchTo(run);
  }

  /** The handler returned (or threw). */
  leave(): void {
    this.#switchTo(0);
  }

  /**
   * Makes `run` the active one. When the watchdog took the run that was active, its stop is on its way
   * and would land in whatever code runs when it arrives (another request's, node's own): it is waited
   * for here, where it unwinds only what the taken run started, and that run is then answered as stopped.
   */
  #switchTo(run: number): void {
    // No run active: the watchdog only ever takes a run that is, so a plain write cannot race with it
    // (the usual case, a handler starting; an Atomics call costs ~100 instructions a request).
    if (this.#cells[ACTIVE] === 0) {
      this.#cells[ACTIVE] = run;
      return;
    }
    if (Atomics.exchange(this.#cells, ACTIVE, run) !== STOPPING) return;
    Atomics.store(this.#cells, ACTIVE, 0);
    const until = Date.now() + STOP_ARRIVES_WITHIN_MS;
    while (Date.now() < until) {
      // The stop ends this loop (and everything above it on the stack).
    }
  }

  get threadId(): number {
    return this.#worker.threadId;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
