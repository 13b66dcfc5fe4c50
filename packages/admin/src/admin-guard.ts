import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost, isLoopbackOrigin } from '@mockstack/core';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';

/** The header clients send the admin token in (`Authorization: Bearer <token>` works too). */
export const ADMIN_TOKEN_HEADER = 'x-mockstack-admin-token';

/** The environment variable `mockstack up` and `mockstack variant` read the admin token from. */
export const ADMIN_TOKEN_ENV = 'MOCKSTACK_ADMIN_TOKEN';

/** The cookie the dashboard's browser holds the admin token in, once opened with `/__admin/ui?token=…`. */
export const ADMIN_TOKEN_COOKIE = 'mockstack_admin_token';

export interface AdminGuardOptions {
  /** The host the admin API binds to. */
  host: string;
  /** Required on every request when set; mandatory (generated when missing) off loopback. */
  token: string | undefined;
  /** The one path (the dashboard's page) where a GET may carry the token as `?token=`, to be turned into a cookie. */
  tokenInQueryAt?: string | undefined;
}

/**
 * The token the admin API on `host` requires: the one given, else a generated one when the API is
 * reachable from other machines, else none (loopback is guarded by Host, Origin and content type).
 */
export function adminTokenFor(host: string, given: string | undefined): string | undefined {
  if (given) return given;
  return isLoopbackHost(host) ? undefined : randomBytes(24).toString('base64url');
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The admin API's access check, run before any route: a token when one is set; on loopback, a
 * loopback Host (a page on evil.example that re-points its DNS at 127.0.0.1 sends `Host: evil.example`),
 * no foreign Origin, and a JSON body on state-changing requests (a page can POST text/plain or a
 * form across sites without a preflight; JSON needs one, which the admin API never grants).
 */
export function adminGuard(options: AdminGuardOptions): onRequestHookHandler {
  const expected = options.token === undefined ? undefined : Buffer.from(options.token);
  const loopback = isLoopbackHost(options.host);
  return (request, reply, done) => {
    const refusal = refusalOf(request, expected, loopback, options.tokenInQueryAt);
    if (refusal) {
      void reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } });
      return;
    }
    done();
  };
}

interface Refusal {
  status: number;
  code: string;
  message: string;
}

function refusalOf(request: FastifyRequest, expected: Buffer | undefined, loopback: boolean, tokenInQueryAt: string | undefined): Refusal | undefined {
  const origin = request.headers.origin;
  const carried = expected && tokenCarried(request, expected, tokenInQueryAt);
  if (expected && !carried) {
    return {
      status: 401,
      code: 'ADMIN_UNAUTHORIZED',
      message: `send the admin token (printed by \`mockstack up\`, or set with --admin-token / ${ADMIN_TOKEN_ENV}) as "Authorization: Bearer <token>" or "${ADMIN_TOKEN_HEADER}: <token>"; in a browser, open the dashboard once as ${tokenInQueryAt ?? '/__admin/ui'}?token=<token>`,
    };
  }
  // A cookie rides along with any request the browser makes, so a cookie alone proves nothing about the page
  // that sent it: a state-changing request carrying only the cookie must come from the dashboard's own origin.
  if (carried === 'cookie' && STATE_CHANGING.has(request.method) && !sameOrigin(origin, request.headers.host)) {
    return {
      status: 403,
      code: 'ADMIN_FORBIDDEN_ORIGIN',
      message:
        'a state-changing request authorised by the dashboard cookie must come from the dashboard itself (same Origin); tools send the token as a header',
    };
  }
  if (loopback && !isLoopbackHost(hostnameOf(request.headers.host ?? ''))) {
    return {
      status: 403,
      code: 'ADMIN_FORBIDDEN_HOST',
      message: 'the admin API on loopback answers only Host: localhost, 127.0.0.1 or [::1] (other names could be DNS rebinding)',
    };
  }
  if (origin !== undefined && !isLoopbackOrigin(origin) && !expected) {
    return { status: 403, code: 'ADMIN_FORBIDDEN_ORIGIN', message: `the admin API does not answer pages from ${origin}` };
  }
  if (STATE_CHANGING.has(request.method) && !jsonOrEmpty(request)) {
    return {
      status: 415,
      code: 'ADMIN_UNSUPPORTED_MEDIA_TYPE',
      message: `send state-changing admin requests with content-type: application/json (got ${request.headers['content-type'] ?? 'a body without a content type'})`,
    };
  }
  return undefined;
}

/** How the request carries the right token: a header (tools), the dashboard's cookie, `?token=` on the dashboard page; or not at all. */
function tokenCarried(request: FastifyRequest, expected: Buffer, tokenInQueryAt: string | undefined): 'header' | 'cookie' | 'query' | undefined {
  const header = request.headers[ADMIN_TOKEN_HEADER];
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (header !== undefined || bearer !== undefined) return matches(typeof header === 'string' ? header : bearer, expected) ? 'header' : undefined;
  const cookie = decoded(cookieOf(request.headers.cookie, ADMIN_TOKEN_COOKIE));
  if (cookie !== undefined && matches(cookie, expected)) return 'cookie';
  if (tokenInQueryAt !== undefined && request.method === 'GET' && request.url.split('?')[0] === tokenInQueryAt) {
    const query = (request.query as Record<string, unknown> | undefined)?.token;
    if (typeof query === 'string' && matches(query, expected)) return 'query';
  }
  return undefined;
}

function matches(given: string | undefined, expected: Buffer): boolean {
  const bytes = Buffer.from(given ?? '');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/** The value of cookie `name` in a Cookie header. */
export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A cookie value as the dashboard set it (URI-encoded); undefined when it is not. */
function decoded(value: string | undefined): string | undefined {
  try {
    return value === undefined ? undefined : decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || host === undefined) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** `localhost:9900` → `localhost`, `[::1]:9900` → `[::1]`. */
function hostnameOf(host: string): string {
  return host.replace(/:\d+$/, '');
}

/**
 * JSON, or no body at all (`POST /reset` from curl or fetch without one). An empty body naming another
 * type is taken from tools only (axios, so wiremock-captain, names a form on a POST without data): a
 * browser sends `Sec-Fetch-Site` or `Origin` with every form it posts.
 */
function jsonOrEmpty(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  if (takesJsonFromTools(request)) return true;
  if (type === undefined) return !hasBody(request);
  if (!hasBody(request) && request.headers['sec-fetch-site'] === undefined && request.headers.origin === undefined) return true;
  return /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type);
}

/**
 * A route that reads any body as JSON (AdminRoute.jsonFromTools), sent by a tool: a browser names itself
 * with `Origin` or `Sec-Fetch-*` on every request that could change state.
 */
export function takesJsonFromTools(request: FastifyRequest): boolean {
  const config = request.routeOptions?.config as { jsonFromTools?: boolean } | undefined;
  if (config?.jsonFromTools !== true) return false;
  return request.headers.origin === undefined && !Object.keys(request.headers).some((name) => name.startsWith('sec-fetch-'));
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Sends the token the way adminGuard expects; for clients of the admin API (the CLI, tests). */
export function adminTokenHeaders(token: string | undefined): Record<string, string> {
  return token ? { [ADMIN_TOKEN_HEADER]: token } : {};
}
