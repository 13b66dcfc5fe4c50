import {
  type DelaySpec,
  type Duration,
  type FallThrough,
  fallThroughMarker,
  makeReply,
  makeSequence,
  makeWebhook,
  type Responder,
  type Sequence,
  type Webhook,
} from '@mockstack/core';
import type { TypedReply } from './contracts.js';

export interface ReplyInit {
  /** HTTP status (default 200), ignored by gRPC. */
  status?: number;
  /** Response headers (gRPC: metadata); several cookies go in one `set-cookie`, one a line. */
  headers?: Record<string, string>;
  /** gRPC trailing metadata. */
  trailers?: Record<string, string>;
  delay?: DelaySpec;
  /** Outbound calls made beside this answer, with `webhook(url, body, options)`; each is journaled. */
  webhooks?: readonly Webhook[];
}

/** How a webhook is sent. */
export interface WebhookInit {
  /** Default POST. */
  method?: string;
  headers?: Record<string, string>;
  /** Waited before the call (after the answer is decided): `'2s'`, a range… */
  delay?: DelaySpec;
  /** How long the target may take before the call is cut and journaled as failed (default 5 s). */
  timeout?: Duration;
  /** The call's operation in the journal (default `POST <url>`). */
  name?: string;
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
  return makeReply({ body, status: init.status, headers: init.headers, trailers: init.trailers, delay: init.delay, webhooks: init.webhooks });
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

/**
 * An outbound call made beside an answer, from any protocol's handler: `body` is sent as JSON (a string
 * or bytes as they are) to exactly `url`, after `delay`. The call, the target's answer, the time taken or
 * the failure (refused, timed out) are journaled as protocol `webhook` and can be verified like requests.
 *
 * @example
 * rest.post('/payments', ({ body }) =>
 *   respond({ id: 'pay_1', status: 'pending' }, { status: 202, webhooks: [webhook(body.callbackUrl, { id: 'pay_1', status: 'paid' }, { delay: '100ms' })] }))
 */
export function webhook(url: string, body?: unknown, init: WebhookInit = {}): Webhook {
  return makeWebhook({ url, body, method: init.method, headers: init.headers, delay: init.delay, timeout: init.timeout, name: init.name });
}
