import type { TestStack } from './start-stack.js';
import type { ReceivedQuery } from './verification.js';
import { verifyReceived } from './verification.js';

/**
 * Jest matchers. Register once: `expect.extend(matchers)` (e.g. in a setup file).
 *
 * @example
 * expect(stack).toHaveReceived('POST /orders', { body: { customerId: 'cus_ada' }, times: 1 });
 */
export const matchers = {
  toHaveReceived(this: { isNot?: boolean }, stack: TestStack, operation: string, query: ReceivedQuery = {}) {
    const result = verifyReceived(stack.engine.journal, operation, query);
    return {
      pass: result.pass,
      message: () => (this.isNot ? `expected ${operation} not to be received as described; it was received ${result.count} time(s).` : result.message),
    };
  },
};

declare global {
  namespace jest {
    interface Matchers<R> {
      /** The stack's journal has requests to `operation` (with `body`, `times` times). */
      toHaveReceived(operation: string, query?: ReceivedQuery): R;
    }
  }
}
