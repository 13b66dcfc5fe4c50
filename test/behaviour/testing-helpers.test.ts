import { matchers, startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';

expect.extend(matchers);

const orders = scenario('verification').services({
  orders: rest({}, [
    rest.post('/orders', ({ body }) => ({ id: 'o1', ...(body as object) })),
    rest.get('/orders/:id', { match: { params: { id: 'o1' } } }, { id: 'o1' }),
  ]),
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

test('a failed verification lists the nearest requests and what each missed', async () => {
  await order({ customerId: 'cus_ada', lines: [{ sku: 'MUG', quantity: 2 }] });
  const result = stack.verify('POST /orders', { body: { lines: [{ sku: 'MUG', quantity: 3 }] } });
  expect(result.pass).toBe(false);
  expect(result.message).toBe(
    [
      'expected POST /orders with body containing {"lines":[{"sku":"MUG","quantity":3}]} at least once; it was received 0 time(s).',
      'Nearest requests:',
      '  #1 orders POST /orders → 200: body: $.lines[0].quantity is 2, wanted 3',
    ].join('\n'),
  );
  expect(() => expect(stack).toHaveReceived('POST /orders', { times: 2 })).toThrow(/expected POST \/orders exactly 2 time\(s\); it was received 1 time\(s\)/);
  expect(() => expect(stack).not.toHaveReceived('POST /orders')).toThrow(/not to be received as described \(at least once\); it was received 1 time\(s\): #1/);
});

test('an unknown operation fails with "did you mean", with or without .not, and the stack keeps serving', async () => {
  await order({});
  expect(() => expect(stack).not.toHaveReceived('POST /orderz')).toThrow(
    /no operation "POST \/orderz" is served or was received; did you mean "POST \/orders"/,
  );
  expect(() => stack.verify('GET /orders')).toThrow(expect.objectContaining({ code: 'MOCKSTACK_ERR_VERIFY_UNKNOWN_OPERATION' }));
  expect((await order({})).status).toBe(200);
});

test('an unknown criterion fails with the nearest one; counts take times, atLeast and atMost', async () => {
  await order({ customerId: 'cus_ada' });
  await order({ customerId: 'cus_ada' });
  expect(() => expect(stack).toHaveReceived('POST /orders', { header: { 'x-a': '1' } } as never)).toThrow(
    /unknown verification criterion "header"; did you mean "headers"\?/,
  );
  expect(() => stack.verify('POST /orders', { count: 2 } as never)).toThrow(/"count"; did you mean "times"\?/);
  expect(stack).toHaveReceived('POST /orders', { atLeast: 2, atMost: 2, headers: { 'content-type': 'application/json' } });
  expect(stack).not.toHaveReceived('POST /orders', { atMost: 1 });
});

test('toHaveReceivedInOrder checks the order of requests', async () => {
  await order({ step: 1 });
  await order({ step: 2 });
  expect(stack).toHaveReceivedInOrder([
    { operation: 'POST /orders', body: { step: 1 } },
    { operation: 'POST /orders', body: { step: 2 } },
  ]);
  expect(() => expect(stack).toHaveReceivedInOrder([{ body: { step: 2 } }, { body: { step: 1 } }])).toThrow(
    /then step 2 \(any request with body containing \{"step":1\}\) was received only before step 1 \(#1\)/,
  );
});

test('toHaveNoUnmatchedRequests lists each request no rule answered, with why it missed the nearest rule', async () => {
  expect(stack).toHaveNoUnmatchedRequests();
  expect((await fetch(`${stack.url('orders')}/orders/o1`)).status).toBe(200);
  expect(stack).toHaveNoUnmatchedRequests();
  expect((await fetch(`${stack.url('orders')}/orders/o2`)).status).toBe(404);
  expect((await fetch(`${stack.url('orders')}/invoices`)).status).toBe(404);
  let message = '';
  try {
    expect(stack).toHaveNoUnmatchedRequests();
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(
    /^2 request\(s\) went unmatched:\n {2}#2 orders GET \/orders\/o2: .*; nearest orders#2 \(test\/behaviour\/testing-helpers\.test\.ts:\d+:\d+\): .*o2.*\n/,
  );
  expect(message).toMatch(
    /\n {2}#3 orders GET \/invoices: no operation of service "orders" is GET \/invoices; nearest POST \/orders: .*\n {6}did you mean POST \/orders\?/,
  );
  expect(() => expect(stack).not.toHaveNoUnmatchedRequests()).not.toThrow();
  // The stack keeps serving; a reset empties the journal.
  expect((await fetch(`${stack.url('orders')}/orders/o1`)).status).toBe(200);
  await stack.reset();
  expect(stack).toHaveNoUnmatchedRequests();
  expect(() => expect(stack).not.toHaveNoUnmatchedRequests()).toThrow(/expected some request to go unmatched/);
});
