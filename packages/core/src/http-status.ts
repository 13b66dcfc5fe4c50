import { Code } from './code.js';
import type { Fault } from './model.js';

/**
 * The HTTP status of each Code, for every adapter that answers over HTTP (REST, GraphQL's
 * HTTP-level failures). Exhaustive by construction: adding a Code fails to compile here.
 */
export const httpStatusOfCode: Readonly<Record<Code, number>> = {
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 422,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

const codeOfStatus: ReadonlyMap<number, Code> = new Map([
  [400, Code.InvalidArgument],
  [401, Code.Unauthenticated],
  [403, Code.PermissionDenied],
  [404, Code.NotFound],
  [408, Code.DeadlineExceeded],
  [409, Code.AlreadyExists],
  [412, Code.FailedPrecondition],
  [422, Code.FailedPrecondition],
  [429, Code.ResourceExhausted],
  [499, Code.Cancelled],
  [501, Code.Unimplemented],
  [502, Code.Unavailable],
  [503, Code.Unavailable],
  [504, Code.DeadlineExceeded],
]);

/** The Code closest to an HTTP status, so `fault.http(503)` reads as UNAVAILABLE over gRPC. */
export function codeOfHttpStatus(status: number): Code {
  return codeOfStatus.get(status) ?? (status >= 500 ? Code.Internal : status >= 400 ? Code.InvalidArgument : Code.Unknown);
}

/** The HTTP status and headers of a fault: its own status or its code's, its headers, and Retry-After. */
export function faultStatusAndHeaders(fault: Fault): { status: number; headers: Record<string, string> } {
  const headers: Record<string, string> = { ...fault.headers };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  return { status: fault.httpStatus ?? httpStatusOfCode[fault.code], headers };
}
