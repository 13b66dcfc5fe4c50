import { type DelaySpec, type FallThrough, fallThroughMarker, makeReply, makeSequence, type Responder, type Sequence } from '@mockstack/core';
import type { TypedReply } from './contracts.js';

export interface ReplyInit {
  /** HTTP status (default 200), ignored by gRPC. */
  status?: number;
  headers?: Record<string, string>;
  /** gRPC trailing metadata. */
  trailers?: Record<string, string>;
  delay?: DelaySpec;
}

/**
 * An explicit reply: a body with a status, headers or a delay. A plain value returned from a
 * handler is the same as `respond(value)`.
 *
 * @example
 * rest.post('/orders', ({ body }) => respond({ id: 'ord_1' }, { status: 201, headers: { location: '/orders/ord_1' } }))
 */
export function respond<const Body = undefined, const Status extends number = 200>(
  body?: Body,
  init: ReplyInit & { status?: Status } = {},
): TypedReply<Body, Status> {
  return makeReply({ body, status: init.status, headers: init.headers, trailers: init.trailers, delay: init.delay });
}

/**
 * Answers with each step in turn, one per call; after the last it repeats the last step
 * (default), starts again (`cycle`), or stops matching so later rules answer (`unmatched`).
 *
 * @example
 * rest.get('/jobs/1', sequence([{ state: 'pending' }, { state: 'pending' }, { state: 'done' }]))
 */
export function sequence(steps: readonly Responder[], options: { after?: Sequence['after'] } = {}): Sequence {
  return makeSequence(steps, options.after);
}

/**
 * Answers as if this rule had not matched: a later rule answers, or the contract's auto-mock
 * (gRPC, GraphQL, OpenAPI), or the unmatched 404. Handy in a handler that only cares about some calls.
 *
 * @example
 * Authorize: ({ request }) => (request.cardToken === 'tok_declined' ? fault.grpc('FAILED_PRECONDITION') : fallThrough())
 */
export function fallThrough(): FallThrough {
  return fallThroughMarker;
}
