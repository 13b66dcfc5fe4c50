import { matchers, startStack, type TestStack } from 'mockstack/testing';
import { checkout } from '../../src/checkout.js';

expect.extend(matchers);

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack('scenarios/dependencies.ts');
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const dependencies = () => ({ catalogUrl: stack.url('catalog'), paymentsUrl: stack.url('payments') });

test('checkout prices the line from the catalog and charges the total', async () => {
  expect(await checkout(dependencies(), 'MUG', 2)).toEqual({ paymentId: 'pay_1', total: 24 });
  expect(stack).toHaveReceived('POST /payments', { body: { amount: 24 }, times: 1 });
});

test('checkout fails clearly while the payment provider is down', async () => {
  stack.variant('payments-down');
  await expect(checkout(dependencies(), 'MUG', 1)).rejects.toThrow('payment failed: 503');
});
