// One load-generating process for bench/suites/grpc.mjs when h2load is not installed: keeps `concurrency`
// unary calls in flight for `seconds`, then prints how many completed. Several run side by side.
import * as grpc from '@grpc/grpc-js';

const [address, seconds, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const identity = (b) => b;
const request = Buffer.from(process.argv[5], 'base64');
const client = new grpc.Client(address, grpc.credentials.createInsecure());
const end = Date.now() + seconds * 1000;
let done = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      await new Promise((resolve) =>
        client.makeUnaryRequest('/checkout.payments.v1.PaymentService/Authorize', identity, identity, request, (error) => {
          if (error) failed++;
          else done++;
          resolve();
        }),
      );
    }
  }),
);
client.close();
console.log(JSON.stringify({ done, failed }));
