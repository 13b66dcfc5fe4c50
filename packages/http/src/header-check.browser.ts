// The browser's twin of header-check.ts: the Fetch API's rules, as a Response built from the answer applies them.

/** Throws when a Fetch `Headers` cannot hold this header. */
export function checkHeader(name: string, value: unknown): void {
  if (value === undefined) throw new TypeError(`header ${JSON.stringify(name)} has no value`);
  // Several cookies, one a line: each is a header of its own (see headerFields).
  const values = typeof value === 'string' && name.toLowerCase() === 'set-cookie' ? value.split('\n') : [String(value)];
  const headers = new Headers();
  for (const one of values) headers.append(name, one);
}
