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

/**
 * The failures GraphQL services answer at the HTTP level, not as a GraphQL error: the service down (503),
 * rate limited (429), the caller not authenticated (401, as GitHub's and Shopify's APIs answer), a gateway
 * timing out (504). An operation fault with another code is a GraphQL error in a 200 answer.
 */
export const httpLevelCodes: ReadonlySet<Code> = new Set<Code>(['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'UNAUTHENTICATED', 'DEADLINE_EXCEEDED']);
