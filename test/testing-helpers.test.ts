import { matchers, startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';

expect.extend(matchers);

const orders = scenario('verification').services({
  orders: rest({}, [rest.post('/orders', ({ body }) => ({ id: 'o1', ...(body as object) }))]),
});

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack(orders);
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const order = (body: unknown) =>
  fetch(`${stack.url('orders')}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('toHaveReceived passes on an operation, a partial body and a count', async () => {
  await order({ customerId: 'cus_ada', lines: [{ sku: 'MUG', quantity: 2 }] });
  expect(stack).toHaveReceived('POST /orders');
  expect(stack).toHaveReceived('POST /orders', { body: { customerId: 'cus_ada' }, times: 1 });
  expect(stack).not.toHaveReceived('POST /orders', { body: { customerId: 'cus_grace' } });
});

test('a failed verification explains which body differed and where', async () => {
  await order({ customerId: 'cus_ada', lines: [{ sku: 'MUG', quantity: 2 }] });
  const result = stack.verify('POST /orders', { body: { lines: [{ sku: 'MUG', quantity: 3 }] } });
  expect(result.pass).toBe(false);
  expect(result.message).toBe(
    [
      'expected POST /orders with a body containing {"lines":[{"sku":"MUG","quantity":3}]} at least once; it was received 0 time(s).',
      '1 call(s) to POST /orders had other bodies:',
      '  #1 POST /orders → 200, body {"customerId":"cus_ada","lines":[{"sku":"MUG","quantity":2}]}: $.lines[0].quantity is 2, wanted 3',
    ].join('\n'),
  );
  expect(() => expect(stack).toHaveReceived('POST /orders', { times: 2 })).toThrow(/expected POST \/orders 2 time\(s\); it was received 1 time\(s\)/);
});

test('an operation never called lists what was', async () => {
  await order({});
  expect(stack.verify('GET /orders').message).toMatch(/Requests received: orders POST \/orders\./);
});
