import { grpc, scenario } from 'mockstack';

export default scenario('drift-grpc-wrong-type').services({
  payments: grpc(
    { proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Capture: { paymentId: 1001 },
      },
    },
  ),
});
