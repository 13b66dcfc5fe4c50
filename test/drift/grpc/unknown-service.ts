import { grpc, scenario } from 'mockstack';

export default scenario('drift-grpc-unknown-service').services({
  payments: grpc({ proto: 'protos/payments.proto' }, { 'checkout.payments.v1.PaymentServce': { Capture: { paymentId: 'pay_1' } } }),
});
