import { AsyncLocalStorage } from 'node:async_hooks';
import { type CoreRequest, type Engine, firstUserFrame, type HandlerGuard, type Rule } from '@mockstack/core';

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

/**
 * Runs every handler in an async context naming its rule and request, so that what it leaves behind
 * (a rejection nobody handled, a throw in a timer it set) is charged to that rule.
 */
export const contextGuard: HandlerGuard = {
  run: (engine, rule, request, handler, context) => handlerRuns.run(new HandlerRun(engine, rule, request), handler, context),
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
 * Keeps the process serving when scenario code leaves an error behind: while `engine` serves, stray
 * rejections and uncaught exceptions are logged (and journaled against the rule whose handler caused
 * them) instead of ending the process. Returns the function that stops this for `engine`.
 */
export function containStrayErrors(engine: Engine): () => void {
  if (engines.size === 0) {
    process.on('unhandledRejection', onStrayError);
    process.on('uncaughtException', onStrayError);
  }
  engines.add(engine);
  return () => {
    if (!engines.delete(engine) || engines.size > 0) return;
    process.off('unhandledRejection', onStrayError);
    process.off('uncaughtException', onStrayError);
  };
}
