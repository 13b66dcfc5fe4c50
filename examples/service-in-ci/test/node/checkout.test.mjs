// node:test runs JavaScript on Node 20, so this test talks to the mocks directly with fetch.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startStack } from 'mockstack/testing';

/** @type {import('mockstack/testing').TestStack} */
let stack;
before(async () => {
  stack = await startStack('scenarios/dependencies.ts');
});
after(() => stack.close());

test('the payment provider mock answers 201 and records the call', async () => {
  const res = await fetch(`${stack.url('payments')}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 5 }),
  });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { id: 'pay_1' });
  assert.equal(stack.verify('POST /payments', { body: { amount: 5 } }).count, 1);
});
