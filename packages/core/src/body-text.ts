/**
 * Where a parsed request body keeps the text it was parsed from (a form's `a=1&b=2`, JSON as sent):
 * a symbol, not enumerable, so that it is in no JSON, journal or state made from the body.
 */
const BODY_TEXT: unique symbol = Symbol.for('mockstack.body-text') as never;

/** Gives a parsed body the text it was parsed from (see `bodyText`); returns the body. */
export function withBodyText<Body>(parsed: Body, text: string): Body {
  if (typeof parsed === 'object' && parsed !== null) Object.defineProperty(parsed, BODY_TEXT, { value: text });
  return parsed;
}

/** The text a parsed body was parsed from, when the server kept it. */
export function sentBodyText(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? (body as { [BODY_TEXT]?: string })[BODY_TEXT] : undefined;
}

/**
 * A request body as text, as the client sent it where that is known: a form's own `a=1&b=2` (not its
 * parsed fields), JSON as written; else text as it is, bytes read as UTF-8, a value written as JSON,
 * and '' for no body. What text matchers (WireMock's `contains`, Mountebank's predicates) read.
 *
 * @example
 * rest.post('/oauth/token', { match: { when: ({ body }) => bodyText(body).includes('grant_type=client_credentials') } }, { access_token: 't' })
 */
export function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return sentBodyText(body) ?? JSON.stringify(body) ?? '';
}
