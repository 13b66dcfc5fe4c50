import { grpc, scenario } from 'mockstack';

export default scenario('drift-grpc-wrong-field-name').services({
  payments: grpc(
    { proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Capture: { paymentId: 'pay_1', stauts: 'CAPTURED' },
      },
    },
  ),
});
