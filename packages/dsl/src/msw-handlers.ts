import { answerHeadersOf, decodeBody, FRAMING_HEADERS, fetchInitOf, type HandlerContext, type RuleDefinition } from '@mockstack/core';
import { fault } from './fault.js';
import { fallThrough, respond } from './respond.js';
import { rest } from './rest.js';

/**
 * An MSW 2.x request handler (`http.get(…)`, `graphql.query(…)`), as mockstack uses it: its own
 * `run`, which matches a Fetch request and resolves the response, so no `msw` is imported here and
 * the handlers' own copy of msw does the matching. WebSocket handlers (`ws.link`) have no `run` of
 * this shape and are left out.
 */
export interface MswRequestHandler {
  readonly kind?: string;
  readonly info: { readonly header: string; readonly path?: unknown; readonly method?: unknown };
  readonly endpoint?: unknown;
  run(args: { request: Request; requestId: string; resolutionContext?: { baseUrl?: string } }): Promise<{ response?: Response | undefined } | null | undefined>;
}

/** How `mswHandlers` shows requests to the handlers. */
export interface MswHandlersOptions {
  /**
   * The origin the handlers were written for (`https://api.example.com`): each request is shown to
   * them as sent there, so that `http.get('https://api.example.com/user', …)` answers
   * `GET http://localhost:4000/user`. Default: the address the request was sent to. Relative paths
   * (`/user`) match either way.
   */
  origin?: string;
  /** The rules' name in the journal and the request log (default `msw`). */
  name?: string;
}

/** The methods a REST service asks the handlers about (a route each). */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** What MSW's `bypass()` adds to a request's `accept` header. */
const BYPASSED = 'msw/passthrough';

/** The header `passthrough()` marks its response with: MSW's "let the real server answer". */
const PASSTHROUGH = 'x-msw-intention';

/**
 * Your MSW request handlers as a REST service's rules: each request is shown to them as a Fetch
 * request and the first handler's response is the answer, with mockstack's journal, request log,
 * delays, variants and dashboard around it. A request no handler answers (or one answered
 * `passthrough()`, or a handler's `fetch(bypass(request))`) goes on to the service's next rules, its `proxy`, or the unmatched answer;
 * `HttpResponse.error()` cuts the connection. Rules before these win over the handlers.
 *
 * @example
 * import { handlers } from '../src/mocks/handlers';
 * export default scenario('app').services({
 *   api: rest({ port: 4000 }, [rest.get('/health', { ok: true }), ...mswHandlers(handlers, { origin: 'https://api.example.com' })]),
 * });
 */
export function mswHandlers(handlers: readonly unknown[], options: MswHandlersOptions = {}): RuleDefinition[] {
  const requestHandlers = handlers.filter(isMswRequestHandler);
  const origin = options.origin === undefined ? undefined : new URL(options.origin).origin;
  const answer = (ctx: HandlerContext) => answerFromHandlers(requestHandlers, ctx, origin);
  return METHODS.map((method) => rest.route(method, '/*', { name: options.name ?? 'msw' }, answer));
}

/** True for an MSW request handler (not a WebSocket one, not anything else). */
export function isMswRequestHandler(value: unknown): value is MswRequestHandler {
  if (typeof value !== 'object' || value === null) return false;
  const handler = value as Partial<MswRequestHandler>;
  return typeof handler.run === 'function' && typeof handler.info?.header === 'string' && handler.kind !== 'websocket';
}

async function answerFromHandlers(handlers: readonly MswRequestHandler[], ctx: HandlerContext, origin: string | undefined): Promise<unknown> {
  // A handler's `fetch(bypass(request))` (MSW marks it so): the real service's answer is wanted, not the handlers' again.
  if (String(ctx.headers.accept ?? '').includes(BYPASSED)) return fallThrough();
  const space = ctx.target.indexOf(' ');
  const method = ctx.target.slice(0, space);
  const path = ctx.target.slice(space + 1);
  const base = origin ?? `http://${ctx.headers.host ?? 'localhost'}`;
  const request = new Request(`${base}${path}`, fetchInitOf({ method, headers: ctx.headers, body: ctx.body }, RECEIVED_BODY_HEADERS));
  const requestId = crypto.randomUUID();
  for (const handler of handlers) {
    const result = await handler.run({ request, requestId, resolutionContext: { baseUrl: base } });
    if (result?.response) return answerOf(result.response);
  }
  return fallThrough();
}

/** Headers that described the body as received; the body is encoded again (see fetchInitOf). */
const RECEIVED_BODY_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'expect']);

/** A handler's Response as mockstack's answer: JSON parsed, text as text, other bytes as bytes, an event stream as a stream. */
async function answerOf(response: Response): Promise<unknown> {
  if (response.type === 'error') return fault.drop();
  if (response.headers.has(PASSTHROUGH)) return fallThrough();
  // The body is written again: its length and framing are the server's to say.
  const headers = answerHeadersOf(response, FRAMING_HEADERS);
  const type = headers['content-type'];
  if (response.body && type?.startsWith('text/event-stream')) return respond(response.body, { status: response.status, headers });
  const body = decodeBody(new Uint8Array(await response.arrayBuffer()), type);
  return respond(body, { status: response.status, headers });
}
