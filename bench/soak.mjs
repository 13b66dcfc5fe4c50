// `npm run soak`: mixed valid load on REST, GraphQL, gRPC and the admin API of `mockstack up
// bench/scenarios/hostile.ts` for SOAK_SECONDS (default 600), with the server's RSS sampled every
// 2 s. Reports the RSS slope per million requests (least squares over the samples after the first
// 10%, once the JIT and the journal have filled), which should be ~0 for a server that does not leak.
import { grpcCaller, rssMb, seeded, startHostileStack } from './hostile-stack.mjs';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 16);
const random = seeded(Number(process.env.SOAK_SEED ?? 1));

const stack = await startHostileStack();
const grpcClient = grpcCaller(stack.urls.rpc);
const sayHello = Buffer.from([0x0a, 3, 0x61, 0x64, 0x61]);

let requests = 0;
let failures = 0;
const samples = [];
const sample = () => samples.push({ requests, rss: rssMb(stack.pid) });
sample();
const sampler = setInterval(sample, 2000);

async function one() {
  const r = random.next();
  let ok;
  if (r < 0.35) {
    const res = await fetch(`${stack.urls.api}/orders/ord_${random.int(1000)}`);
    await res.arrayBuffer();
    ok = res.status === 200;
  } else if (r < 0.5) {
    const res = await fetch(`${stack.urls.api}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'A', n: random.int(1e6) }),
    });
    await res.arrayBuffer();
    ok = res.status === 200;
  } else if (r < 0.75) {
    const res = await fetch(stack.urls.gql, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: random.pick(['{ item(id: "1") { id name } }', '{ items(first: 3) { id email } }', `{ item(id: "${random.int(1e6)}") { id } }`]),
      }),
    });
    await res.arrayBuffer();
    ok = res.status === 200;
  } else if (r < 0.98) {
    ok = (await grpcClient.call('/demo.greeter.v1.Greeter/SayHello', sayHello)).status === 'OK';
  } else {
    const res = await fetch(`${stack.admin}/journal?limit=50`);
    await res.arrayBuffer();
    ok = res.status === 200;
  }
  requests++;
  if (!ok) failures++;
}

const end = Date.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < end && !stack.exited()) await one();
  }),
);
clearInterval(sampler);
sample();
const crashed = stack.exited();
grpcClient.close();
await stack.stop();

// Least squares of RSS (MB) over requests (millions), after the warm-up tenth.
const steady = samples.slice(Math.floor(samples.length / 10));
const xs = steady.map((s) => s.requests / 1e6);
const ys = steady.map((s) => s.rss);
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const [mx, my] = [mean(xs), mean(ys)];
const slope = xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] ?? 0) - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);

console.log(`soak: ${seconds} s, ${requests} requests (${Math.round(requests / seconds)} req/s), ${failures} not as expected, crashes: ${crashed ? 1 : 0}`);
console.log(
  `RSS: ${samples[0]?.rss.toFixed(1)} MB at start, ${Math.max(...ys).toFixed(1)} MB peak, ${samples.at(-1)?.rss.toFixed(1)} MB at end (${samples.length} samples)`,
);
console.log(`RSS slope after warm-up: ${Number.isFinite(slope) ? slope.toFixed(2) : 'n/a'} MB per million requests`);
process.exitCode = crashed ? 1 : 0;
