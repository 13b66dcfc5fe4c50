import type { SourceLocation } from './model.js';

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;
// Frames from mockstack's own packages are skipped so that the location is the author's line.
const INTERNAL = /[/\\](?:packages[/\\](?:core|dsl|mockstack|rest|graphql|grpc|runner|testing|contracts|cli|admin)[/\\](?:src|dist)|node_modules)[/\\]/;

/** The first frame of a stack that is the user's code: not node's, not mockstack's, not a dependency's. */
export function firstUserFrame(stack: string, skip: (file: string) => boolean = () => false): SourceLocation | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m?.[1] || m[1].startsWith('node:') || !/[/\\]/.test(m[1])) continue;
    const file = m[1].startsWith('file://') ? decodeURIComponent(new URL(m[1]).pathname) : m[1];
    if (INTERNAL.test(file) || skip(file)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/**
 * The file:line of the first caller outside mockstack, taken from the stack.
 * DSL factories record it so that compile errors point at the scenario line that declared a rule.
 */
export function captureSource(): SourceLocation | undefined {
  return firstUserFrame(stackOf(NEAR_FRAMES)) ?? firstUserFrame(new Error().stack ?? '');
}

/**
 * Frames taken first: enough for a DSL factory called from the scenario (stackOf, this function, the
 * factory's helper, the factory, the author's line). Each frame of a stack costs a source-map lookup
 * when source maps are on (a scenario has them): with 10,000 rules, taking node's default 10 frames
 * was a third of the start-up. A deeper author's line is found from a whole stack.
 */
const NEAR_FRAMES = 6;

/** The stack here, at most `frames` deep (where the engine can limit it). */
function stackOf(frames: number): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = frames;
  try {
    return new Error().stack ?? '';
  } finally {
    Error.stackTraceLimit = limit;
  }
}
