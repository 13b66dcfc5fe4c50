import { promiseHooks } from 'node:v8';
import { type CoreRequest, type Engine, firstUserFrame, type HandlerGuard, type Rule } from '@mockstack/core';
import { RunawayWatchdog } from './watchdog.js';

/** The handler run that an async continuation (a promise reaction, a timer) descends from. */
class HandlerRun {
  constructor(
    readonly engine: Engine,
    readonly rule: Rule,
    readonly request: CoreRequest,
    readonly limit: number,
  ) {}
}

/** Where a promise made by a handler's code notes the run it descends from. */
const RUN_OF = Symbol('mockstack.handlerRun');
type Traced = { [RUN_OF]?: HandlerRun | undefined };

/** The handler run whose code runs now: its synchronous part, or a continuation of it. */
let current: HandlerRun | undefined;
/** The run of the promise reaction running now, if it is a handler's. */
let reaction: HandlerRun | undefined;

/** Node's `process.nextTick`, and the one that carries the current run (once scenario code runs contained). */
let nextTickOutsideRuns: typeof process.nextTick | undefined;
let nextTickInRuns: typeof process.nextTick | undefined;

/** `process`, read once: the global is a getter, read twice a request here. */
const nodeProcess = process;

/**
 * Makes `run` the run whose code runs now. `process.nextTick` carries runs only while there is one:
 * node's streams call it several times per request, and going through the wrapper each time (and
 * keeping V8 from inlining node's nextTick) cost more than the handler's whole engine call.
 */
function setCurrent(run: HandlerRun | undefined): void {
  current = run;
  if (nextTickInRuns !== undefined) nodeProcess.nextTick = run === undefined ? (nextTickOutsideRuns as typeof process.nextTick) : nextTickInRuns;
}

const nativeQueueMicrotask = globalThis.queueMicrotask;
const settled = Promise.resolve();

/**
 * Runs `callback` as a promise reaction. Not node's queueMicrotask: that runs its callback inside an
 * async resource's scope, and a loop the watchdog stops there leaves the scope on node's async id
 * stack; when that microtask ran between two timers due at once, node then aborted the whole process
 * ("async hook stack has become corrupted"). A promise reaction opens no such scope.
 */
function queueReaction(callback: () => void): void {
  void settled.then(callback);
}

/** Engines served in this process: where errors that no handler run owns are logged. */
const engines = new Set<Engine>();

let watchdog: RunawayWatchdog | undefined;
/** Code the watchdog watches: its run, its watchdog number, and whether the run's request still waits for the handler. */
interface Watched {
  run: HandlerRun;
  number: number;
  synchronous: boolean;
}
/** What the watchdog watches now. */
let watched: Watched | undefined;
/**
 * Watched code that has not returned, by watchdog number: other code may run between the watchdog
 * stopping a loop and its message saying which number it stopped. Code that returns takes its entry
 * out (`unwatch`): a finished run's request (and the whole answer it points to) is not kept alive.
 */
const RECENT = 256;
const recent: Array<Watched | undefined> = new Array(RECENT);

function watch(run: HandlerRun, synchronous: boolean, dog: RunawayWatchdog): Watched {
  const entry = { run, number: dog.enter(run.limit), synchronous };
  recent[entry.number & (RECENT - 1)] = entry;
  return entry;
}

/** Watched code returned (a stopped loop never does: its entry stays for `onHandlerStopped`). */
function unwatch(entry: Watched | undefined): void {
  if (entry !== undefined && recent[entry.number & (RECENT - 1)] === entry) recent[entry.number & (RECENT - 1)] = undefined;
}

/**
 * Runs `body` as code of `run`: what it makes carries the run, and under the watchdog it is stopped
 * once it runs past the run's limit without yielding.
 */
function runAs<T>(run: HandlerRun, synchronous: boolean, body: () => T): T {
  noteStop();
  const outerRun = current;
  const outerWatched = watched;
  setCurrent(run);
  const entry = watchdog ? watch(run, synchronous, watchdog) : undefined;
  if (entry) watched = entry;
  try {
    return body();
  } finally {
    // Before its entry goes: a stop that took this run as it returned lands in `leave`/`resume`, and is reported from the entry.
    if (watchdog) {
      if (outerWatched) watchdog.resume(outerWatched.number, outerWatched.run.limit);
      else watchdog.leave();
    }
    unwatch(entry);
    watched = outerWatched;
    setCurrent(outerRun);
  }
}

/**
 * Takes note at once of a loop the watchdog stopped, before its message arrives: the stopped code's
 * `finally` blocks and `after` hook did not run, so what it set here must not be carried on.
 */
function noteStop(): void {
  const number = watchdog?.takeStopped() ?? 0;
  if (number !== 0) onHandlerStopped(number);
}

function onHandlerStopped(number: number): void {
  const stopped = recent[number & (RECENT - 1)];
  recent[number & (RECENT - 1)] = undefined;
  if (stopped?.number !== number) return;
  if (watched === stopped) {
    watched = undefined;
    setCurrent(undefined);
    reaction = undefined;
  }
  // Reported from a microtask of its own: this may run inside a promise hook.
  nativeQueueMicrotask(() => reportStopped(stopped));
}

function reportStopped({ run: { engine, rule, request, limit }, synchronous }: Watched): void {
  // The synchronous part: its request waits for an answer. A continuation: the engine's own timeout answers the request.
  if (synchronous) engine.handlerStopped(rule, request, limit);
  else engine.strayError(rule, request, new Error(`a loop in code the handler left running ran for more than ${limit} ms and was stopped`), undefined);
}

/*
 * Tracing through promises uses V8's promise hooks, not async_hooks: with any async_hooks hook
 * enabled, Node 20 aborts the process (`execution_async_id() == 0` assertion) when the watchdog stops
 * a loop inside a promise reaction. Only the handlers' own promises are touched.
 */
let stopPromiseHooks: (() => void) | undefined;

function startPromiseHooks(): void {
  const stop = promiseHooks.createHook({
    init(promise) {
      if (current === undefined) return;
      noteStop();
      if (current !== undefined) (promise as Traced)[RUN_OF] = current;
    },
    before(promise) {
      const run = (promise as Traced)[RUN_OF];
      if (run === undefined) return;
      noteStop();
      reaction = run;
      setCurrent(run);
      if (watchdog) watched = watch(run, false, watchdog);
    },
    after(promise) {
      if ((promise as Traced)[RUN_OF] === undefined || reaction === undefined) return;
      watchdog?.leave();
      reaction = undefined;
      setCurrent(undefined);
      unwatch(watched);
      watched = undefined;
    },
  });
  stopPromiseHooks = () => stop();
}

/*
 * Timers and ticks a handler sets carry its run through a wrapper around the scheduling functions,
 * installed when the first handler runs while scenario code is contained (as the promise hooks are), so a
 * scenario of static answers never pays for it; timers set before then are no handler's. `process.nextTick`
 * is swapped for its wrapper only while a run is current (`setCurrent`). A timer or immediate callback is run in a microtask:
 * stopping a loop inside a timer callback itself corrupts Node's async id stack and aborts the process.
 */
type Scheduler = (callback: (...args: unknown[]) => void, ...rest: unknown[]) => unknown;
const originals = new Map<string, Scheduler>();

/** The run an error was thrown from, for `uncaughtException`, which gets no async context. */
const thrownIn = new WeakMap<object, HandlerRun>();
let lastThrownIn: HandlerRun | undefined;

function callAs(run: HandlerRun, callback: (...args: unknown[]) => void, args: unknown[]): void {
  runAs(run, false, () => {
    try {
      callback(...args);
    } catch (error) {
      if (typeof error === 'object' && error !== null) thrownIn.set(error, run);
      else lastThrownIn = run;
      throw error;
    }
  });
}

function wrapScheduler(name: string, original: Scheduler, deferToMicrotask: boolean): Scheduler {
  const wrapped: Scheduler = (callback, ...rest) => {
    const run = current;
    if (run === undefined || typeof callback !== 'function') return original(callback, ...rest);
    const inRun = deferToMicrotask
      ? (...args: unknown[]) => queueReaction(() => callAs(run, callback, args))
      : (...args: unknown[]) => callAs(run, callback, args);
    return original(inRun, ...rest);
  };
  // util.promisify(setTimeout) and friends look for this.
  for (const key of Object.getOwnPropertySymbols(original))
    Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key) as PropertyDescriptor);
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}

const SCHEDULERS: Array<{ name: 'setTimeout' | 'setInterval' | 'setImmediate' | 'queueMicrotask'; deferToMicrotask: boolean }> = [
  { name: 'setTimeout', deferToMicrotask: true },
  { name: 'setInterval', deferToMicrotask: true },
  { name: 'setImmediate', deferToMicrotask: true },
  { name: 'queueMicrotask', deferToMicrotask: false },
];

function wrapSchedulers(): void {
  const target = globalThis as unknown as Record<string, Scheduler>;
  for (const { name, deferToMicrotask } of SCHEDULERS) {
    const original = target[name] as Scheduler;
    originals.set(name, original);
    target[name] = wrapScheduler(name, original, deferToMicrotask);
  }
  nextTickOutsideRuns = process.nextTick;
  nextTickInRuns = wrapScheduler('nextTick', process.nextTick.bind(process) as unknown as Scheduler, false) as unknown as typeof process.nextTick;
  if (current !== undefined) process.nextTick = nextTickInRuns;
}

function unwrapSchedulers(): void {
  const target = globalThis as unknown as Record<string, Scheduler>;
  for (const { name } of SCHEDULERS) target[name] = originals.get(name) as Scheduler;
  if (nextTickOutsideRuns !== undefined) process.nextTick = nextTickOutsideRuns;
  nextTickOutsideRuns = undefined;
  nextTickInRuns = undefined;
  originals.clear();
}

/**
 * Runs every handler so that what it leaves behind (a rejection nobody handled, a throw in a timer
 * it set, however many awaits and timers later) is charged to its rule and request, and so that a
 * loop in its code, before or after an await, is stopped after the handler's timeout by the watchdog.
 */
export const contextGuard: HandlerGuard = {
  run: (engine, rule, request, handler, context) => {
    if (stopPromiseHooks === undefined) startPromiseHooks();
    if (originals.size === 0 && engines.size > 0) wrapSchedulers();
    const run = new HandlerRun(engine, rule, request, engine.handlerTimeoutOf(rule, request.service));
    return runAs(run, true, () => handler(context as never));
  },
};

function onStrayError(error: unknown, promise?: Promise<unknown>): void {
  let run = promise === undefined ? undefined : (promise as Traced)[RUN_OF];
  if (run === undefined && typeof error === 'object' && error !== null) run = thrownIn.get(error);
  if (run === undefined && promise === undefined) run = lastThrownIn;
  lastThrownIn = undefined;
  const thrownAt = error instanceof Error && typeof error.stack === 'string' ? firstUserFrame(error.stack) : undefined;
  if (run) {
    run.engine.strayError(run.rule, run.request, error, thrownAt);
    return;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  for (const engine of engines) engine.logger.error(`uncaught error outside any handler (serving goes on): ${message}`);
}

const onUncaught = (error: unknown): void => onStrayError(error);

/** Settles once the watchdog thread watches (at once when there is none): the stack says it serves after that. */
export function containmentStarted(): Promise<void> {
  return watchdog?.started ?? Promise.resolve();
}

/** A watchdog started ahead of serving, for the next `containScenarioCode` to adopt, and how many callers still wait to. */
let prestarted: { dog: RunawayWatchdog; holders: number } | undefined;

/**
 * Starts the watchdog thread now, ahead of `containScenarioCode`, which adopts it: its boot (a node
 * environment of its own, ~50 ms) then overlaps with loading and compiling the scenario on the other
 * core instead of delaying the moment the stack serves. Call it as soon as a scenario is to be served.
 * Returns the function that stops it again if nothing adopted it (the scenario failed to load); once
 * adopted, or when a watchdog already runs, that function does nothing.
 */
export function prestartContainment(): () => void {
  if (watchdog !== undefined) return () => {};
  prestarted ??= { dog: new RunawayWatchdog(onHandlerStopped), holders: 0 };
  const held = prestarted;
  held.holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--held.holders > 0 || prestarted !== held) return;
    prestarted = undefined;
    void held.dog.close();
  };
}

/** The thread ids of the watchdog that watches and of one started ahead that waits to be adopted (for tests). */
export function watchdogThreads(): { watching: number | undefined; prestarted: number | undefined } {
  return { watching: watchdog?.threadId, prestarted: prestarted?.dog.threadId };
}

/**
 * Keeps the process serving when scenario code goes wrong. While `engine` serves, stray
 * rejections and uncaught exceptions are logged (and journaled against the rule whose handler caused
 * them) instead of ending the process, and a watchdog thread stops handler code stuck in a loop.
 * Returns the function that stops this for `engine`.
 */
export function containScenarioCode(engine: Engine): () => void {
  if (engines.size === 0) {
    process.on('unhandledRejection', onStrayError);
    process.on('uncaughtException', onUncaught);
    watchdog = prestarted?.dog ?? new RunawayWatchdog(onHandlerStopped);
    prestarted = undefined;
  }
  engines.add(engine);
  return () => {
    if (!engines.delete(engine) || engines.size > 0) return;
    process.off('unhandledRejection', onStrayError);
    process.off('uncaughtException', onUncaught);
    void watchdog?.close();
    watchdog = undefined;
    watched = undefined;
    if (originals.size) unwrapSchedulers();
    stopPromiseHooks?.();
    stopPromiseHooks = undefined;
  };
}
