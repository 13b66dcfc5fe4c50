import { grpc, scenario } from 'mockstack';

export default scenario('drift-grpc-unknown-request-field').services({
  payments: grpc(
    { proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Capture: ({ request }) => ({ paymentId: request.paymentID }),
      },
    },
  ),
});
