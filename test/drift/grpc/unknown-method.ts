import { grpc, scenario } from 'mockstack';

export default scenario('drift-grpc-unknown-method').services({
  payments: grpc(
    { proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Authorise: { paymentId: 'pay_1' },
      },
    },
  ),
});
