import { grpc, scenario } from 'mockstack';

export default scenario('drift-grpc-enum-value').services({
  payments: grpc(
    { proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Refund: { paymentId: 'pay_1', status: 'BOUNCED' },
      },
    },
  ),
});
