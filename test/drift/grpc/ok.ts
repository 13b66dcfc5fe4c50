// Matches protos/payments.proto: typed handlers, static messages, a typed stream.
import { fault, grpc, respond, scenario } from 'mockstack';

export default scenario('drift-grpc-ok').services({
  payments: grpc(
    { proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Authorize: ({ request }) =>
          request.cardToken === 'tok_declined'
            ? { status: 'DECLINED', declineReason: 'insufficient funds' }
            : respond({ paymentId: `pay_${request.orderId}`, status: 'AUTHORIZED' }, { trailers: { 'x-id': request.idempotencyKey } }),
        Capture: { paymentId: 'pay_1', status: 'CAPTURED', updatedAt: '2026-11-24T10:00:00Z', amount: { currencyCode: 'EUR', units: 12, nanos: 0 } },
        Refund: fault.grpc('FAILED_PRECONDITION', 'not captured'),
        WatchPayment: ({ request }) =>
          grpc.stream([
            { paymentId: request.paymentId, status: 'AUTHORIZED' },
            { paymentId: request.paymentId, status: 'CAPTURED' },
          ]),
      },
    },
  ),
});
