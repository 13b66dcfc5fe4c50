/**
 * The one closed vocabulary of failures. A scenario says `fault.notFound()` once and each adapter
 * maps the code to its protocol with an exhaustive table (HTTP status, gRPC status,
 * GraphQL `extensions.code`). The names follow gRPC's canonical codes.
 */
export const Code = {
  Cancelled: 'CANCELLED',
  Unknown: 'UNKNOWN',
  InvalidArgument: 'INVALID_ARGUMENT',
  DeadlineExceeded: 'DEADLINE_EXCEEDED',
  NotFound: 'NOT_FOUND',
  AlreadyExists: 'ALREADY_EXISTS',
  PermissionDenied: 'PERMISSION_DENIED',
  ResourceExhausted: 'RESOURCE_EXHAUSTED',
  FailedPrecondition: 'FAILED_PRECONDITION',
  Aborted: 'ABORTED',
  OutOfRange: 'OUT_OF_RANGE',
  Unimplemented: 'UNIMPLEMENTED',
  Internal: 'INTERNAL',
  Unavailable: 'UNAVAILABLE',
  DataLoss: 'DATA_LOSS',
  Unauthenticated: 'UNAUTHENTICATED',
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export const codes: readonly Code[] = Object.values(Code);

export function isCode(value: unknown): value is Code {
  return typeof value === 'string' && (codes as readonly string[]).includes(value);
}
