import { grpc, scenario } from 'mockstack';

export default scenario('drift-grpc-stream-item').services({
  payments: grpc({ proto: 'protos/payments.proto' }, [
    grpc.method('checkout.payments.v1.PaymentService/WatchPayment', grpc.stream([{ paymentId: 'pay_1', status: 'SETTLED' }])),
  ]),
});
