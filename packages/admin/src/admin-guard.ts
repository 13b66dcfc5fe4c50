import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost, isLoopbackOrigin } from '@mockstack/core';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';

/** The header clients send the admin token in (`Authorization: Bearer <token>` works too). */
export const ADMIN_TOKEN_HEADER = 'x-mockstack-admin-token';

/** The environment variable `mockstack up` and `mockstack variant` read the admin token from. */
export const ADMIN_TOKEN_ENV = 'MOCKSTACK_ADMIN_TOKEN';

export interface AdminGuardOptions {
  /** The host the admin API binds to. */
  host: string;
  /** Required on every request when set; mandatory (generated when missing) off loopback. */
  token: string | undefined;
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
    const refusal = refusalOf(request, expected, loopback);
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

function refusalOf(request: FastifyRequest, expected: Buffer | undefined, loopback: boolean): Refusal | undefined {
  const origin = request.headers.origin;
  if (expected && !tokenMatches(request, expected)) {
    return {
      status: 401,
      code: 'ADMIN_UNAUTHORIZED',
      message: `send the admin token (printed by \`mockstack up\`, or set with --admin-token / ${ADMIN_TOKEN_ENV}) as "Authorization: Bearer <token>" or "${ADMIN_TOKEN_HEADER}: <token>"`,
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

function tokenMatches(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers[ADMIN_TOKEN_HEADER];
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const given = Buffer.from((typeof header === 'string' ? header : bearer) ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `localhost:9900` → `localhost`, `[::1]:9900` → `[::1]`. */
function hostnameOf(host: string): string {
  return host.replace(/:\d+$/, '');
}

/** JSON, or no body at all (`POST /reset` from curl or fetch without one). */
function jsonOrEmpty(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  if (type === undefined) return !hasBody(request);
  return /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type);
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Sends the token the way adminGuard expects; for clients of the admin API (the CLI, tests). */
export function adminTokenHeaders(token: string | undefined): Record<string, string> {
  return token ? { [ADMIN_TOKEN_HEADER]: token } : {};
}
