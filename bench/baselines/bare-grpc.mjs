// The baseline: a bare @grpc/grpc-js server answering the same messages as bench/scenarios/grpc.ts.
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const root = new URL('../..', import.meta.url).pathname;
const definition = grpc.loadPackageDefinition(
  loadSync(`${root}protos/payments.proto`, { includeDirs: [`${root}protos`], longs: String, enums: String, defaults: true, oneofs: true }),
);
const authorized = { paymentId: 'pay_1', authorizationId: 'auth_1', status: 'AUTHORIZED' };
const events = Array.from({ length: Number(process.env.BENCH_STREAM_LENGTH ?? 1000) }, (_, i) => ({
  paymentId: 'pay_1',
  status: i % 2 ? 'CAPTURED' : 'AUTHORIZED',
  occurredAt: { seconds: 1_790_000_000 + i, nanos: 0 },
}));

const server = new grpc.Server();
server.addService(definition.checkout.payments.v1.PaymentService.service, {
  Authorize: (_call, callback) => callback(null, authorized),
  WatchPayment: async (call) => {
    for (const event of events) {
      if (call.cancelled) return;
      if (!call.write(event)) await new Promise((resolve) => call.once('drain', resolve));
    }
    call.end();
  },
});
server.bindAsync(`127.0.0.1:${process.env.BENCH_PORT ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  console.log(`listening 127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
