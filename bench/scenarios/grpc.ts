import { grpc, scenario } from 'mockstack';

/** The same AuthorizeResponse and WatchPayment events as bench/baselines/bare-grpc.mjs answers. */
const authorized = { paymentId: 'pay_1', authorizationId: 'auth_1', status: 'AUTHORIZED' };
const events = Array.from({ length: Number(process.env.BENCH_STREAM_LENGTH ?? 1000) }, (_, i) => ({
  paymentId: 'pay_1',
  status: i % 2 ? 'CAPTURED' : 'AUTHORIZED',
  occurredAt: { seconds: 1_790_000_000 + i, nanos: 0 },
}));

export default scenario('bench-grpc').services({
  payments: grpc(
    { port: Number(process.env.BENCH_PORT ?? 0), proto: 'protos/payments.proto', reflection: false, health: false },
    {
      'checkout.payments.v1.PaymentService': { Authorize: authorized, WatchPayment: events },
    },
  ),
});
