import { Worker } from 'node:worker_threads';

// Cells shared with the watchdog thread: whether a handler runs, which run it is, its time limit (ms),
// and the run it stopped last (0 once the main thread took note).
const RUNNING = 0;
const RUN = 1;
const LIMIT = 2;
const STOPPED = 3;

/**
 * The watchdog thread. It sees the main thread only through the shared cells, so it runs while a
 * handler loops. When one run has lasted past its limit, it stops the main thread's JavaScript through
 * an inspector session (Runtime.terminateExecution: it unwinds to the event loop, which goes on) and
 * says which run it stopped.
 */
const WATCHDOG_SOURCE = `
const { workerData: cells, parentPort } = require('node:worker_threads');
const { Session } = require('node:inspector');
const session = new Session();
session.connectToMainThread();
let seen = 0;
let since = 0;
setInterval(() => {
  if (Atomics.load(cells, ${RUNNING}) !== 1) return;
  const run = Atomics.load(cells, ${RUN});
  const now = Date.now();
  if (run !== seen) {
    seen = run;
    since = now;
  } else if (now - since >= Atomics.load(cells, ${LIMIT})) {
    seen = 0;
    Atomics.store(cells, ${STOPPED}, run);
    Atomics.store(cells, ${RUNNING}, 0);
    session.post('Runtime.terminateExecution', () => parentPort.postMessage(run));
  }
}, 50);
parentPort.postMessage(0);
`;

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

  /** The run the watchdog stopped since the last call, or 0: one shared-memory read when none was. */
  takeStopped(): number {
    return Atomics.load(this.#cells, STOPPED) === 0 ? 0 : Atomics.exchange(this.#cells, STOPPED, 0);
  }

  /** A handler starts running; returns its run number. */
  enter(limitMs: number): number {
    this.#run = (this.#run + 1) | 0;
    const run = this.#run;
    this.#cells[LIMIT] = Math.min(limitMs, 2 ** 31 - 1);
    this.#cells[RUN] = run;
    Atomics.store(this.#cells, RUNNING, 1);
    return run;
  }

  /** Code of run `run` goes on (after a nested run it started ended). */
  resume(run: number, limitMs: number): void {
    this.#cells[LIMIT] = Math.min(limitMs, 2 ** 31 - 1);
    this.#cells[RUN] = run;
    Atomics.store(this.#cells, RUNNING, 1);
  }

  /** The handler returned (or threw). */
  leave(): void {
    Atomics.store(this.#cells, RUNNING, 0);
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
