// Node's own header rules (what its HTTP server would refuse to write); the `browser` condition of
// `@mockstack/http/header-check` swaps in header-check.browser.ts, the Fetch API's rules.
import { validateHeaderName, validateHeaderValue } from 'node:http';

/** Throws when node's HTTP server cannot send this header. */
export function checkHeader(name: string, value: unknown): void {
  validateHeaderName(name);
  // Several cookies, one a line: each is a header of its own (see headerFields).
  if (typeof value === 'string' && value.includes('\n') && name.toLowerCase() === 'set-cookie') {
    for (const cookie of value.split('\n')) validateHeaderValue(name, cookie);
  } else validateHeaderValue(name, value as string);
}
