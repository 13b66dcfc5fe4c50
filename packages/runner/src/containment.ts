import { createHook, executionAsyncResource } from 'node:async_hooks';
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

/**
 * Where a resource (a promise, a timer, a tick…) notes the handler run it descends from. Only
 * resources made by a handler's code carry it: the others keep their shape.
 */
const RUN_OF = Symbol('mockstack.handlerRun');
type Traced = { [RUN_OF]?: HandlerRun | undefined };

/**
 * Passes a handler run on to every async resource made while code that descends from it runs. What
 * an AsyncLocalStorage does, minus its cost on every other resource: ALS writes its slot on every
 * promise and tick of every request (undefined outside a run), through a list of stores; this writes
 * only on the handler's own. Enabled at the first handler call, so routes without handlers pay nothing.
 */
const tracer = createHook({
  init(_asyncId, _type, _triggerAsyncId, resource) {
    const run = (executionAsyncResource() as Traced)[RUN_OF];
    if (run !== undefined) (resource as Traced)[RUN_OF] = run;
  },
});
let tracing = false;

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

/** Calls the handler with its run noted on the current async resource, which passes it on to what it makes. */
function traced(run: HandlerRun, handler: (context: never) => unknown, context: unknown): unknown {
  if (!tracing) {
    tracing = true;
    tracer.enable();
  }
  const resource = executionAsyncResource() as Traced;
  const outer = resource[RUN_OF];
  resource[RUN_OF] = run;
  try {
    return handler(context as never);
  } finally {
    resource[RUN_OF] = outer;
  }
}

/**
 * Runs every handler so that what it leaves behind (a rejection nobody handled, a throw in a timer
 * it set, however many awaits and timers later) is charged to its rule and request: the resources it
 * makes carry its run (see `tracer`). Under the watchdog, a handler that does not return within its
 * timeout is stopped.
 */
export const contextGuard: HandlerGuard = {
  run: (engine, rule, request, handler, context) => {
    const run = new HandlerRun(engine, rule, request);
    if (!watchdog) return traced(run, handler, context);
    const limit = engine.handlerTimeoutOf(rule, request.service);
    const outer = running;
    running = { run, number: watchdog.enter(limit), limit };
    try {
      return traced(run, handler, context);
    } finally {
      watchdog.leave();
      running = outer;
    }
  },
};

function onStrayError(error: unknown): void {
  // Node runs these listeners in the async context of the promise rejected or the callback that threw.
  const run = (executionAsyncResource() as Traced)[RUN_OF];
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
    if (tracing) tracer.disable();
    tracing = false;
  };
}
