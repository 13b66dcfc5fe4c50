// The browser's twin of header-check.ts: the Fetch API's rules, as a Response built from the answer applies them.

/** Throws when a Fetch `Headers` cannot hold this header. */
export function checkHeader(name: string, value: unknown): void {
  if (value === undefined) throw new TypeError(`header ${JSON.stringify(name)} has no value`);
  new Headers().set(name, String(value));
}
