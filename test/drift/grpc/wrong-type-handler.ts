import { grpc, scenario } from 'mockstack';

export default scenario('drift-grpc-wrong-type-handler').services({
  payments: grpc(
    { proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Authorize: ({ request }) => ({ paymentId: request.amount?.units ?? 0 }),
      },
    },
  ),
});
