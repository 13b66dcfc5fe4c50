import type { Code } from '@mockstack/core';

/**
 * `extensions.code` of each Code in GraphQL errors. Where Apollo Server defines a code that
 * clients' error links look for (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT,
 * INTERNAL_SERVER_ERROR), that one; otherwise the Code's own name. Exhaustive by construction.
 */
export const graphqlCodeOf: Readonly<Record<Code, string>> = {
  CANCELLED: 'CANCELLED',
  UNKNOWN: 'INTERNAL_SERVER_ERROR',
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  PERMISSION_DENIED: 'FORBIDDEN',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  ABORTED: 'ABORTED',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  UNIMPLEMENTED: 'UNIMPLEMENTED',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  UNAVAILABLE: 'UNAVAILABLE',
  DATA_LOSS: 'DATA_LOSS',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
};
