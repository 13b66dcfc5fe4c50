import type { RequestPattern } from '@mockstack/core';
import type { TestStack } from './start-stack.js';
import { type ReceivedQuery, unmatchedRequests, verifyReceived, verifyReceivedInOrder } from './verification.js';

/**
 * Jest matchers, for a `startStack` stack or mockstack/msw handlers (anything with its `engine`). Register once: `expect.extend(matchers)` (e.g. in a setup file). An unknown
 * criterion or operation fails the assertion with "did you mean", with or without `.not`.
 *
 * @example
 * expect(stack).toHaveReceived('POST /orders', { body: { customerId: 'cus_ada' }, times: 1 });
 * expect(stack).toHaveReceivedInOrder(['POST /orders', 'checkout.payments.v1.PaymentService/Authorize']);
 * afterEach(() => expect(stack).toHaveNoUnmatchedRequests());
 */
export const matchers = {
  toHaveReceived(this: { isNot?: boolean }, stack: Pick<TestStack, 'engine'>, operation: string, query: ReceivedQuery = {}) {
    const result = verifyReceived(stack.engine, operation, query);
    return {
      pass: result.pass,
      message: () =>
        this.isNot
          ? `expected ${operation} not to be received as described (${result.expected}); it was received ${result.count} time(s): ${result.matching.map((id) => `#${id}`).join(', ')}.`
          : result.message,
    };
  },
  toHaveReceivedInOrder(this: { isNot?: boolean }, stack: Pick<TestStack, 'engine'>, patterns: readonly (string | RequestPattern)[]) {
    const result = verifyReceivedInOrder(stack.engine, patterns);
    return {
      pass: result.pass,
      message: () =>
        this.isNot ? `expected these requests not to come in this order; they did: ${result.matching.map((id) => `#${id}`).join(', ')}.` : result.message,
    };
  },
  toHaveNoUnmatchedRequests(this: { isNot?: boolean }, stack: Pick<TestStack, 'engine'>) {
    const result = unmatchedRequests(stack.engine);
    return { pass: result.pass, message: () => (this.isNot ? 'expected some request to go unmatched; every request was answered' : result.message) };
  },
};

declare global {
  namespace jest {
    interface Matchers<R> {
      /** The stack's journal has requests to `operation` matching the criteria (`body`, `headers`, `times`…). */
      toHaveReceived(operation: string, query?: ReceivedQuery): R;
      /** Requests matching each pattern came in this order (others may come between). */
      toHaveReceivedInOrder(patterns: readonly (string | RequestPattern)[]): R;
      /** No request went unmatched (no rule nor contract answered it); a failure lists each with why it missed the nearest rule. */
      toHaveNoUnmatchedRequests(): R;
    }
  }
}
