import { AsyncLocalStorage } from 'node:async_hooks';
import { type CoreRequest, type Engine, firstUserFrame, type HandlerGuard, type Rule } from '@mockstack/core';
import { RunawayWatchdog } from './watchdog.js';

/** The handler run that an async continuation (a promise, a timer) descends from. */
class HandlerRun {
  constructor(
    readonly engine: Engine,
    readonly rule: Rule,
    readonly request: CoreRequest,
  ) {}
}

const handlerRuns = new AsyncLocalStorage<HandlerRun>();

/** Engines served in this process: where errors that no handler run owns are logged. */
const engines = new Set<Engine>();

let watchdog: RunawayWatchdog | undefined;
/** The handler running now (synchronously), and its watchdog run number. */
let running: { run: HandlerRun; number: number; limit: number } | undefined;

function onHandlerStopped(number: number): void {
  const stopped = running;
  running = undefined;
  if (stopped?.number !== number) return;
  stopped.run.engine.handlerStopped(stopped.run.rule, stopped.run.request, stopped.limit);
}

/**
 * Runs every handler in an async context naming its rule and request, so that what it leaves behind
 * (a rejection nobody handled, a throw in a timer it set) is charged to that rule; and under the
 * watchdog, which stops a handler that does not return within its timeout.
 */
export const contextGuard: HandlerGuard = {
  run: (engine, rule, request, handler, context) => {
    const run = new HandlerRun(engine, rule, request);
    if (!watchdog) return handlerRuns.run(run, handler, context);
    const limit = engine.handlerTimeoutOf(rule, request.service);
    const outer = running;
    running = { run, number: watchdog.enter(limit), limit };
    try {
      return handlerRuns.run(run, handler, context);
    } finally {
      watchdog.leave();
      running = outer;
    }
  },
};

function onStrayError(error: unknown): void {
  const run = handlerRuns.getStore();
  const thrownAt = error instanceof Error && typeof error.stack === 'string' ? firstUserFrame(error.stack) : undefined;
  if (run) {
    run.engine.strayError(run.rule, run.request, error, thrownAt);
    return;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  for (const engine of engines) engine.logger.error(`uncaught error outside any handler (serving goes on): ${message}`);
}

/**
 * Keeps the process serving when scenario code goes wrong. While `engine` serves, stray
 * rejections and uncaught exceptions are logged (and journaled against the rule whose handler caused
 * them) instead of ending the process, and a watchdog thread stops handlers stuck in a synchronous
 * loop. Returns the function that stops this for `engine`.
 */
export function containScenarioCode(engine: Engine): () => void {
  if (engines.size === 0) {
    process.on('unhandledRejection', onStrayError);
    process.on('uncaughtException', onStrayError);
    watchdog = new RunawayWatchdog(onHandlerStopped);
  }
  engines.add(engine);
  return () => {
    if (!engines.delete(engine) || engines.size > 0) return;
    process.off('unhandledRejection', onStrayError);
    process.off('uncaughtException', onStrayError);
    void watchdog?.close();
    watchdog = undefined;
  };
}
