import { startStack, type TestStack } from 'mockstack/testing';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { checkout } from '../../src/checkout.js';

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
  expect(stack).toHaveReceivedInOrder(['query Price', 'POST /payments']);
});

test('an unknown product is never charged', async () => {
  await expect(checkout(dependencies(), 'NOPE', 1)).rejects.toThrow('unknown product NOPE');
  expect(stack).not.toHaveReceived('POST /payments');
});
