// Node's own header rules (what its HTTP server would refuse to write); the `browser` condition of
// `@mockstack/http/header-check` swaps in header-check.browser.ts, the Fetch API's rules.
import { validateHeaderName, validateHeaderValue } from 'node:http';

/** Throws when node's HTTP server cannot send this header. */
export function checkHeader(name: string, value: unknown): void {
  validateHeaderName(name);
  validateHeaderValue(name, value as string);
}
