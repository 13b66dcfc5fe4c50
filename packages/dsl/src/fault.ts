import { type Code, codeOfHttpStatus, type Duration, type Fault, isCode, makeFault, makeReply, type Reply, type Webhook } from '@mockstack/core';

/** Shared with `@mockstack/http` by well-known symbols, so that neither package imports the other. */
const DRIBBLE = Symbol.for('mockstack.http.dribble');
const MALFORMED_CHUNK = Symbol.for('mockstack.http.malformed-chunk');

/** How a dribbled body goes out. */
export interface DribbleInit {
  /** How long the body takes to arrive: `'5s'`, or milliseconds. */
  over: Duration;
  /** Pieces it is cut into, sent evenly over `over` (default 10). */
  chunks?: number;
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
}

export interface FaultInit {
  /** Extra data: in the HTTP error body, GraphQL `extensions`, gRPC status details. */
  details?: unknown;
  headers?: Record<string, string>;
  /** Seconds; sent as Retry-After over HTTP. */
  retryAfter?: number;
  /** Over HTTP, use this status instead of the one the code maps to. */
  httpStatus?: number;
  /**
   * Outbound calls made when a rule answers with this fault, as beside any answer.
   * @example fault.unavailable('card network down', { webhooks: [webhook(body.callbackUrl, { status: 'failed' })] })
   */
  webhooks?: readonly Webhook[];
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

  /**
   * REST: the answer arrives slowly, its body cut into `chunks` pieces spread over `over` (a slow or
   * congested upstream; for testing client read timeouts). The body is text, bytes, or JSON.
   * @example rest.get('/report', fault.dribble({ rows: [] }, { over: '5s', chunks: 20 }))
   */
  dribble(body: unknown, init: DribbleInit): Reply {
    return makeReply({ body: { [DRIBBLE]: { body, over: init.over, chunks: init.chunks } }, status: init.status, headers: init.headers });
  },

  /**
   * REST: the head and the first half of the body, then a broken frame: over HTTP/1.1 a chunk whose size
   * is not hexadecimal and the connection closed; over HTTP/2 the stream reset with PROTOCOL_ERROR.
   * Clients see a parse error mid-body.
   * @example rest.get('/export', fault.malformedChunk('id,name\n1,Ada\n'))
   */
  malformedChunk(body: unknown = 'partial body', init: { status?: number; headers?: Record<string, string> } = {}): Reply {
    return makeReply({ body: { [MALFORMED_CHUNK]: { body } }, status: init.status, headers: init.headers });
  },
};
