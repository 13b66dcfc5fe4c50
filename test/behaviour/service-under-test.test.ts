/**
 * The use mockstack is for: a service under test (test/example/checkout-api.ts) isolated from its
 * three dependencies — catalog over GraphQL, orders over REST, payments over gRPC — all served from
 * scenarios/checkout.ts with one shared state.
 */
import { resolve } from 'node:path';
import { matchers, startStack, type TestStack } from '@mockstack/testing';
import { createCheckoutApi } from '../example/checkout-api.js';

expect.extend(matchers);

let stack: TestStack;
let api: ReturnType<typeof createCheckoutApi>;

beforeAll(async () => {
  stack = await startStack(resolve(import.meta.dirname, '../../scenarios/checkout.ts'));
  api = createCheckoutApi({ catalogUrl: stack.url('catalog'), ordersUrl: stack.url('orders'), paymentsAddress: stack.url('payments') });
});
afterAll(async () => {
  await api.close();
  await stack.close();
});
beforeEach(() => {
  stack.reset();
  stack.variant();
});

const checkout = (body: object) => api.app.inject({ method: 'POST', url: '/checkout', payload: body });

test('a checkout reads stock over GraphQL, places the order over REST and pays over gRPC', async () => {
  const res = await checkout({ customerId: 'cus_ada', sku: 'SKU-MUG-WHT', quantity: 2, cardToken: 'tok_visa' });
  expect(res.statusCode).toBe(201);
  const { orderId } = res.json() as { orderId: string };

  expect(stack).toHaveReceived('query ProductForCheckout', { service: 'catalog', times: 1 });
  expect(stack).toHaveReceived('POST /orders', { body: { customerId: 'cus_ada', lines: [{ sku: 'SKU-MUG-WHT', quantity: 2 }] }, times: 1 });
  expect(stack).toHaveReceived('checkout.payments.v1.PaymentService/Authorize', { body: { orderId }, times: 1 });
  expect(stack).toHaveReceived('checkout.payments.v1.PaymentService/Capture', { times: 1 });

  // One state behind all three: the order is paid over REST, and its stock is gone over GraphQL.
  const order = await (await fetch(`${stack.url('orders')}/orders/${orderId}`)).json();
  expect(order).toMatchObject({ status: 'PAID', paymentStatus: 'CAPTURED' });
  expect(stack.state<{ stock: Map<string, number> }>().stock.get('SKU-MUG-WHT')).toBe(28);
});

test('out of stock is refused before any order is placed', async () => {
  const res = await checkout({ customerId: 'cus_ada', sku: 'SKU-BOTTLE-STL', quantity: 1, cardToken: 'tok_visa' });
  expect(res.statusCode).toBe(409);
  expect(stack).not.toHaveReceived('POST /orders');
});

test('with payments down, the service keeps the order pending and says so', async () => {
  stack.variant('payments-down');
  const res = await checkout({ customerId: 'cus_grace', sku: 'SKU-TSHIRT-BLK-M', quantity: 1, cardToken: 'tok_visa' });
  expect(res.statusCode).toBe(503);
  const { orderId } = res.json() as { orderId: string };
  expect(stack.requests({ operation: 'checkout.payments.v1.PaymentService/Authorize' })[0]?.status).toBe('UNAVAILABLE');
  const order = await (await fetch(`${stack.url('orders')}/orders/${orderId}`)).json();
  expect(order).toMatchObject({ status: 'PENDING_PAYMENT', paymentStatus: 'NONE' });
});

test('a declined card answers 402 and captures nothing', async () => {
  const res = await checkout({ customerId: 'cus_ada', sku: 'SKU-MUG-WHT', quantity: 1, cardToken: 'tok_declined' });
  expect(res.statusCode).toBe(402);
  expect(stack).not.toHaveReceived('checkout.payments.v1.PaymentService/Capture');
});
