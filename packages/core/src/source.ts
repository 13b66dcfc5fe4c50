import type { SourceLocation } from './model.js';

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;
// Frames from mockstack's own packages are skipped so that the location is the author's line.
const INTERNAL =
  /[/\\](?:packages[/\\](?:core|dsl|mockstack|rest|graphql|grpc|stack|testing|contracts|cli|admin)[/\\](?:src|dist)|node_modules[/\\](?:@mockstack|mockstack))[/\\]/;

/**
 * The file:line of the first caller outside mockstack, taken from the stack.
 * Used by DSL factories so that compile errors point at the scenario line that declared a rule.
 */
export function captureSource(): SourceLocation | undefined {
  const stack = new Error().stack?.split('\n') ?? [];
  for (const line of stack.slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m?.[1] || INTERNAL.test(m[1]) || m[1].startsWith('node:')) continue;
    const file = m[1].startsWith('file://') ? decodeURIComponent(new URL(m[1]).pathname) : m[1];
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
