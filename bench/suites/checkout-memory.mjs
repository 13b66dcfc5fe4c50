// Memory of the bundled example stack under long load: `mockstack up scenarios/checkout.ts` as a user
// runs it (request log on), driven with BENCH_CHECKOUT_REQUESTS (default 1,000,000) reads over REST,
// GraphQL and gRPC, with the server's RSS sampled before, during and after. Baseline in the same run:
// bare fastify answering the same number of requests. Target (issue 17): ≤ 100 MB after 1 M requests.
// Run alone: `node bench/suites/checkout-memory.mjs`. The RSS after the load is split into what is mapped from files
// (node's own binary and libraries, shared with every node process) and anonymous memory (V8's heap, the bundle's source,
// malloc'd memory, the watchdog thread).
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { fmt, root, rssMb, startServer, unaryCalls } from '../lib.mjs';

const total = Number(process.env.BENCH_CHECKOUT_REQUESTS ?? 1_000_000);
/** BENCH_BIN: another mockstack bin to measure, e.g. a copy of a previous build's packages/mockstack/{bin,dist}. */
const bin = process.env.BENCH_BIN ?? `${root}packages/mockstack/bin/mockstack.js`;

/** Anonymous and file-backed resident MB of a process (Linux /proc; undefined elsewhere). */
function residentParts(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]) / 1024;
    return { anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return undefined;
  }
}

async function cannon(options) {
  const r = await autocannon({ connections: 20, ...options });
  if (r.non2xx || r.errors) throw new Error(`${options.url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.total;
}

/** Drives the checkout stack with `amount` requests: 60 % REST, 25 % GraphQL, 15 % gRPC; samples RSS every second. */
async function checkout(amount) {
  const server = await startServer(
    process.execPath,
    [bin, 'up', 'scenarios/checkout.ts', '--random-ports', '--no-admin'],
    /payments\s+grpc\s+grpc:\/\/(\S+)[\s\S]*Ready in/,
  );
  const urls = addresses(server.output);
  const idle = rssMb(server.pid);
  const samples = [];
  const sampler = setInterval(() => samples.push(rssMb(server.pid)), 1000);
  try {
    await Promise.all([
      cannon({
        url: urls.orders,
        amount: Math.round(amount * 0.4),
        requests: [{ path: '/orders/ord_1001' }],
      }),
      cannon({ url: urls.shipping, amount: Math.round(amount * 0.2), requests: [{ path: '/v2/rates?country=DE&weightGrams=1200&orderId=ord_1001' }] }),
      cannon({
        url: urls.catalog,
        amount: Math.round(amount * 0.25),
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ categories { name } }' }),
      }),
      unaryCalls(server.url, '/grpc.health.v1.Health/Check', Math.round(amount * 0.15), 20),
    ]);
  } finally {
    clearInterval(sampler);
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = rssMb(server.pid);
  const parts = residentParts(server.pid);
  await server.stop();
  return { idle, peak: Math.max(...samples, after), after, parts };
}

/** The REST and GraphQL addresses from `up`'s ready table (service name, protocol, URL). */
function addresses(output) {
  const url = (name) => output.match(new RegExp(`${name}\\s+\\w+\\s+(http://\\S+)`))?.[1];
  return { orders: url('orders'), shipping: url('shipping'), catalog: url('catalog') };
}

async function bareFastify(amount) {
  const server = await startServer(process.execPath, ['bench/baselines/bare-fastify.mjs'], /listening (http:\/\/\S+)/);
  const idle = rssMb(server.pid);
  await cannon({ url: `${server.url}/orders/1`, amount });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = rssMb(server.pid);
  await server.stop();
  return { idle, after };
}

export async function main() {
  console.log(`\nCheckout stack memory: RSS after ${fmt(total)} requests (REST 60 %, GraphQL 25 %, gRPC 15 %), request log on`);
  const bare = await bareFastify(total);
  const stack = await checkout(total);
  console.log(`  bare fastify (same number of requests, one route): ${fmt(bare.idle)} MB idle, ${fmt(bare.after)} MB after`);
  console.log(
    `  mockstack up scenarios/checkout.ts: ${fmt(stack.idle)} MB idle, ${fmt(stack.peak)} MB peak, ${fmt(stack.after)} MB after   target ≤ 100 MB ${stack.after <= 100 ? '✓' : '✗'}`,
  );
  if (stack.parts)
    console.log(`    after: ${fmt(stack.parts.file)} MB mapped from files (node itself), ${fmt(stack.parts.anon)} MB anonymous (heap, malloc, threads)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
