import { type Code, codeOfHttpStatus, type Fault, isCode, makeFault } from '@mockstack/core';

export interface FaultInit {
  /** Extra data: in the HTTP error body, GraphQL `extensions`, gRPC status details. */
  details?: unknown;
  headers?: Record<string, string>;
  /** Seconds; sent as Retry-After over HTTP. */
  retryAfter?: number;
  /** Over HTTP, use this status instead of the one the code maps to. */
  httpStatus?: number;
}

const make =
  (code: Code, fallback: string) =>
  (message?: string, init: FaultInit = {}): Fault =>
    makeFault(code, message ?? fallback, init);

/**
 * One vocabulary of failures that every protocol speaks in its own terms:
 * `fault.notFound()` is a 404 over REST, NOT_FOUND over gRPC, `extensions.code: NOT_FOUND` in GraphQL.
 *
 * @example
 * rest.get('/orders/:id', ({ params, state }) => state.orders.get(params.id) ?? fault.notFound(`order ${params.id}`))
 */
export const fault = {
  /** 400 / INVALID_ARGUMENT. */
  invalidArgument: make('INVALID_ARGUMENT', 'invalid argument'),
  /** 401 / UNAUTHENTICATED. */
  unauthenticated: make('UNAUTHENTICATED', 'authentication required'),
  /** 403 / PERMISSION_DENIED. */
  permissionDenied: make('PERMISSION_DENIED', 'permission denied'),
  /** 404 / NOT_FOUND. */
  notFound: make('NOT_FOUND', 'not found'),
  /** 409 / ALREADY_EXISTS. */
  alreadyExists: make('ALREADY_EXISTS', 'already exists'),
  /** 422 / FAILED_PRECONDITION. */
  failedPrecondition: make('FAILED_PRECONDITION', 'failed precondition'),
  /** 500 / INTERNAL. */
  internal: make('INTERNAL', 'internal error'),
  /** 501 / UNIMPLEMENTED. */
  unimplemented: make('UNIMPLEMENTED', 'not implemented'),
  /** 503 / UNAVAILABLE. */
  unavailable: make('UNAVAILABLE', 'service unavailable'),
  /** 504 / DEADLINE_EXCEEDED. */
  deadlineExceeded: make('DEADLINE_EXCEEDED', 'deadline exceeded'),

  /**
   * 429 with `Retry-After` / RESOURCE_EXHAUSTED.
   * @example fault.rateLimited({ retryAfter: 30 })
   */
  rateLimited(init: FaultInit & { message?: string } = {}): Fault {
    const { message, ...rest } = init;
    return makeFault('RESOURCE_EXHAUSTED', message ?? 'rate limit exceeded', { retryAfter: 1, ...rest });
  },

  /**
   * A gRPC status by name; over HTTP it becomes the mapped status.
   * @example fault.grpc('FAILED_PRECONDITION', 'limit exceeded')
   */
  grpc(code: Code, message?: string, init: FaultInit = {}): Fault {
    if (!isCode(code)) throw new TypeError(`fault.grpc: "${String(code)}" is not a gRPC status code name (e.g. 'UNAVAILABLE')`);
    return makeFault(code, message ?? code.toLowerCase().replaceAll('_', ' '), init);
  },

  /**
   * An HTTP status with an exact body; other protocols see the closest code.
   * @example fault.http(422, { errors: [{ field: 'items', message: 'must not be empty' }] })
   */
  http(status: number, body?: unknown, headers?: Record<string, string>): Fault {
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new RangeError(`fault.http: status ${status} is not an error status (400–599); use respond(body, { status }) for others`);
    return makeFault(codeOfHttpStatus(status), `HTTP ${status}`, { httpStatus: status, body, headers });
  },

  /** The connection is reset without an answer (a crashed or cut-off upstream). */
  drop(): Fault {
    return makeFault('UNAVAILABLE', 'connection dropped', { transport: 'reset' });
  },

  /** The connection is closed with an empty reply. */
  empty(): Fault {
    return makeFault('UNAVAILABLE', 'empty reply', { transport: 'empty' });
  },
};
