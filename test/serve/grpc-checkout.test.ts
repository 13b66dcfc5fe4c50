import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Stack } from '@mockstack/core';
import { grpcAdapter } from '@mockstack/grpc';
import { restAdapter } from '@mockstack/rest';
import { startStack } from '@mockstack/testing';
import { fault, scenario } from 'mockstack';
import { orders } from '../../scenarios/checkout/orders.js';
import { payments } from '../../scenarios/checkout/payments.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';
import { stackOf, tcpServerGuard } from '../helpers/grpc-stack.js';

// The example's orders (REST) and payments (gRPC) services on free ports, sharing one state.
const checkout = scenario<CheckoutState>('checkout-grpc', { seed: 42, state: seedState })
  .services({ orders: { ...orders, port: 0 }, payments: { ...payments, port: 0 } })
  .variants({
    'payments-down': { payments: fault.grpc('UNAVAILABLE', 'payments is down') },
    'payments-slow': { payments: { delay: '3s' } },
  });

type Result = Record<string, unknown>;
type Unary = (request: object, metadata: grpcJs.Metadata, options: grpcJs.CallOptions, cb: (e: grpcJs.ServiceError | null, v?: Result) => void) => void;
interface PaymentClient extends grpcJs.Client {
  Authorize: Unary;
  Capture: Unary;
  Refund: Unary;
  WatchPayment(request: object): grpcJs.ClientReadableStream<Result>;
}

const root = resolve(import.meta.dirname, '../..');
const definition = grpcJs.loadPackageDefinition(
  loadSync(resolve(root, 'protos/payments.proto'), { includeDirs: [resolve(root, 'protos')], longs: String, enums: String, defaults: true }),
);
const PaymentService = ((definition.checkout as Record<string, Record<string, Record<string, unknown>>>).payments?.v1?.PaymentService ?? null) as new (
  address: string,
  credentials: grpcJs.ChannelCredentials,
) => PaymentClient;

let stack: Stack;
let client: PaymentClient;
let ordersUrl: string;
let noServerLeft: () => Promise<void>;

beforeAll(async () => {
  noServerLeft = tcpServerGuard();
  stack = await stackOf(checkout, [restAdapter, grpcAdapter], resolve(root, 'scenarios/checkout.ts'));
  await stack.listen();
  ordersUrl = stack.address('orders').url;
  client = new PaymentService(`127.0.0.1:${stack.address('payments').port}`, grpcJs.credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await stack.close();
  await noServerLeft();
});

beforeEach(() => {
  stack.engine.reset();
  stack.engine.setVariants([]);
});

function call(
  method: 'Authorize' | 'Capture' | 'Refund',
  request: object,
  options: grpcJs.CallOptions = {},
): Promise<{ error: grpcJs.ServiceError | null; value?: Result }> {
  return new Promise((done) => client[method](request, new grpcJs.Metadata(), options, (error, value) => done({ error, ...(value && { value }) })));
}

const order = async (id: string): Promise<Result> => (await fetch(`${ordersUrl}/orders/${id}`)).json() as Promise<Result>;
const eur = (units: number, cents = 0) => ({ currencyCode: 'EUR', units: String(units), nanos: cents * 1e7 });

test('a payment authorized and captured over gRPC shows on the order over REST, and streams its history', async () => {
  const authorized = await call('Authorize', { orderId: 'ord_1002', amount: eur(161), cardToken: 'tok_visa' });
  expect(authorized.error).toBeNull();
  expect(authorized.value).toMatchObject({ paymentId: 'pay_1002', status: 'AUTHORIZED' });
  expect(await order('ord_1002')).toMatchObject({ status: 'PENDING_PAYMENT', paymentStatus: 'AUTHORIZED' });

  const captured = await call('Capture', { paymentId: 'pay_1002' });
  expect(captured.value).toMatchObject({ paymentId: 'pay_1002', orderId: 'ord_1002', status: 'CAPTURED', amount: eur(161) });
  expect(await order('ord_1002')).toMatchObject({ status: 'PAID', paymentStatus: 'CAPTURED' });

  const events: Result[] = [];
  const stream = client.WatchPayment({ paymentId: 'pay_1002' });
  stream.on('data', (e: Result) => events.push(e));
  await new Promise((done) => stream.on('status', done));
  expect(events.map((e) => e.status)).toEqual(['AUTHORIZED', 'CAPTURED']);

  const refunded = await call('Refund', { paymentId: 'pay_1002' });
  expect(refunded.value).toMatchObject({ status: 'REFUNDED' });
  expect(await order('ord_1002')).toMatchObject({ status: 'REFUNDED', paymentStatus: 'REFUNDED' });
  expect(stack.engine.journal.list().map((e) => `${e.protocol} ${e.status}`)).toEqual([
    'grpc OK',
    'rest 200',
    'grpc OK',
    'rest 200',
    'grpc OK',
    'grpc OK',
    'rest 200',
  ]);
});

test('an order placed over REST can be paid over gRPC; business errors are gRPC statuses', async () => {
  const created = (await (
    await fetch(`${ordersUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'cus_x', lines: [{ sku: 'SKU-MUG-WHT', quantity: 1 }] }),
    })
  ).json()) as { id: string };
  const wrongAmount = await call('Authorize', { orderId: created.id, amount: eur(1) });
  expect(wrongAmount.error?.code).toBe(grpcJs.status.INVALID_ARGUMENT);
  expect(wrongAmount.error?.metadata.get('grpc-status-details-bin')).toHaveLength(1);
  expect((await call('Authorize', { orderId: 'ord_nope', amount: eur(16) })).error?.code).toBe(grpcJs.status.NOT_FOUND);
  expect((await call('Authorize', { orderId: 'ord_1001', amount: eur(32) })).error?.code).toBe(grpcJs.status.FAILED_PRECONDITION);
  expect((await call('Authorize', { orderId: created.id, amount: eur(16) })).value).toMatchObject({ status: 'AUTHORIZED' });
  expect(await order(created.id)).toMatchObject({ paymentStatus: 'AUTHORIZED' });
});

test('payments-down answers UNAVAILABLE; payments-slow runs past a client deadline', async () => {
  stack.engine.setVariants(['payments-down']);
  const down = await call('Capture', { paymentId: 'pay_1001' });
  expect(down.error?.code).toBe(grpcJs.status.UNAVAILABLE);
  expect((await fetch(`${ordersUrl}/orders/ord_1001`)).status).toBe(200);

  stack.engine.setVariants(['payments-slow']);
  const slow = await call('Capture', { paymentId: 'pay_1001' }, { deadline: Date.now() + 200 });
  expect(slow.error?.code).toBe(grpcJs.status.DEADLINE_EXCEEDED);
  for (let i = 0; i < 100 && stack.engine.journal.count({ protocol: 'grpc' }) < 2; i++) await new Promise((r) => setTimeout(r, 10));
  expect(stack.engine.journal.list({ protocol: 'grpc' }).map((e) => e.status)).toEqual(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);

  stack.engine.setVariants([]);
  expect((await call('Refund', { paymentId: 'pay_1001' })).value).toMatchObject({ status: 'REFUNDED' });
});

test('scenarios/checkout.ts serves payments over gRPC next to orders, with its variants', async () => {
  const running = await startStack(resolve(root, 'scenarios/checkout.ts'), { variant: 'payments-down' });
  const payments = new PaymentService(`127.0.0.1:${running.services.payments?.port}`, grpcJs.credentials.createInsecure());
  try {
    expect(running.services.payments?.protocol).toBe('grpc');
    const down = await new Promise<grpcJs.ServiceError | null>((done) =>
      payments.Authorize({ orderId: 'ord_1002', amount: eur(161) }, new grpcJs.Metadata(), {}, (e) => done(e)),
    );
    expect(down?.code).toBe(grpcJs.status.UNAVAILABLE);
    running.variant();
    const ok = await new Promise<Result | undefined>((done) =>
      payments.Authorize({ orderId: 'ord_1002', amount: eur(161) }, new grpcJs.Metadata(), {}, (_e, v) => done(v)),
    );
    expect(ok).toMatchObject({ status: 'AUTHORIZED' });
    expect(running.state<CheckoutState>().orders.get('ord_1002')?.paymentStatus).toBe('AUTHORIZED');
  } finally {
    payments.close();
    await running.close();
  }
});
