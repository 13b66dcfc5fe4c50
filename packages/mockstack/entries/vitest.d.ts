// The types of mockstack/vitest (vitest.js): `expect(stack).toHaveReceived(...)` and
// `toHaveReceivedInOrder(...)`, `toHaveNoUnmatchedRequests()` on vitest's expect, as testing.d.ts adds them to jest's.
// Kept apart from testing.d.ts because augmenting 'vitest' is an error where vitest is not installed.
import type { ReceivedQuery, RequestPattern } from './testing.js';

declare module 'vitest' {
  // `T = any`, exactly as vitest declares `Matchers`: an interface merges only with the same type parameters.
  interface Matchers<T = any> {
    /**
     * The stack's journal has requests to `operation` matching the criteria (`body`, `headers`, `times`…).
     *
     * @example
     * expect(stack).toHaveReceived('POST /orders', { body: { customerId: 'cus_ada' }, times: 1 });
     */
    toHaveReceived(operation: string, query?: ReceivedQuery): T;
    /**
     * Requests matching each pattern came in this order (others may come between).
     *
     * @example
     * expect(stack).toHaveReceivedInOrder(['POST /orders', 'checkout.payments.v1.PaymentService/Authorize']);
     */
    toHaveReceivedInOrder(patterns: readonly (string | RequestPattern)[]): T;
    /**
     * No request went unmatched (no rule nor contract answered it); a failure lists each with why it missed the nearest rule.
     *
     * @example
     * afterEach(() => expect(stack).toHaveNoUnmatchedRequests());
     */
    toHaveNoUnmatchedRequests(): T;
  }
}
