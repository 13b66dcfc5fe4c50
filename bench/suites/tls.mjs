// TLS and HTTP/2: mockstack serving bench/scenarios/rest-routes.ts with --tls against bare fastify
// configured the same way (http2 + https allowHTTP1, same key size), same run, alternated. HTTP/1.1 over
// TLS is driven by autocannon; HTTP/2 by node's own client (autocannon speaks no h2): sessions × streams in flight.
import { connect } from 'node:http2';
import { fmt, load, measured, median, root, startServer } from '../lib.mjs';

const bin = `${root}packages/mockstack/bin/mockstack.js`;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const PATH = '/orders/1';

/** HTTP/2 load: `sessions` connections, each keeping `streams` requests in flight, for `seconds`. */
async function loadH2(origin, { seconds = 5, sessions = 4, streams = 25, pid } = {}) {
  const result = await measured(pid, async () => {
    const clients = Array.from({ length: sessions }, () => connect(origin, { rejectUnauthorized: false }));
    const latencies = [];
    let done = 0;
    let errors = 0;
    const end = performance.now() + seconds * 1000;
    const one = (session) =>
      new Promise((resolve) => {
        const started = performance.now();
        const request = session.request({ ':path': PATH });
        request.on('response', (headers) => {
          if (headers[':status'] !== 200) errors++;
        });
        request.on('data', () => {});
        request.on('end', () => {
          latencies.push(performance.now() - started);
          done++;
          resolve();
        });
        request.on('error', () => {
          errors++;
          resolve();
        });
        request.end();
      });
    const started = performance.now();
    await Promise.all(
      clients.flatMap((session) =>
        Array.from({ length: streams }, async () => {
          while (performance.now() < end) await one(session);
        }),
      ),
    );
    const duration = (performance.now() - started) / 1000;
    for (const session of clients) session.close();
    if (errors) throw new Error(`${origin}: ${errors} HTTP/2 errors`);
    latencies.sort((a, b) => a - b);
    return { rate: done / duration, duration, p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)] };
  });
  return { rps: result.rate, p50: result.p50, p99: result.p99, cpu: result.cpuPerCall };
}

const MODES = [
  { name: 'HTTP/1.1 over TLS', drive: (url, pid) => load(`${url}${PATH}`, { seconds, pid }) },
  { name: 'HTTP/2 over TLS (ALPN)', drive: (url, pid) => loadH2(url, { seconds, pid }) },
];

export async function benchTls() {
  const bare = await startServer(process.execPath, ['bench/baselines/bare-fastify-tls.mjs'], /listening (https:\/\/\S+)/);
  const mock = await startServer(
    process.execPath,
    [bin, 'up', 'bench/scenarios/rest-routes.ts', '--tls', '--quiet', '--no-admin'],
    /api\s+rest\s+(https:\/\/\S+)/,
  );
  const runs = MODES.map(() => ({ bare: [], mock: [] }));
  try {
    for (const mode of MODES) {
      await mode.drive(bare.url);
      await mode.drive(mock.url);
    }
    for (let i = 0; i < rounds; i++) {
      for (const [m, mode] of MODES.entries()) {
        runs[m].bare.push(await mode.drive(bare.url, bare.pid));
        runs[m].mock.push(await mode.drive(mock.url, mock.pid));
      }
    }
  } finally {
    await Promise.all([bare.stop(), mock.stop()]);
  }
  const summary = (xs) => ({
    rps: median(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    cpu: xs.every((x) => x.cpu !== undefined) ? median(xs.map((x) => x.cpu)) : undefined,
  });
  return { modes: MODES.map(({ name }, m) => ({ name, bare: summary(runs[m].bare), mock: summary(runs[m].mock) })), rounds, seconds };
}

export function printTls({ modes, rounds, seconds }) {
  for (const { name, bare, mock } of modes) {
    console.log(`\nREST static route, ${name} (${rounds} alternating rounds × ${seconds}s, medians)`);
    console.log('  server          req/s      p50 ms  p99 ms  server CPU µs/request');
    const row = (label, r) =>
      `  ${label.padEnd(12)}  ${fmt(r.rps).padStart(9)}  ${fmt(r.p50, 1).padStart(6)}  ${fmt(r.p99, 1).padStart(6)}  ${r.cpu === undefined ? '-' : fmt(r.cpu, 1)}`;
    console.log(row('bare fastify', bare));
    console.log(row('mockstack', mock));
    const cpu = bare.cpu !== undefined && mock.cpu !== undefined ? `; by server CPU per request ${(bare.cpu / mock.cpu).toFixed(2)}×` : '';
    console.log(`  ratio mockstack / bare fastify: ${(mock.rps / bare.rps).toFixed(2)}× by req/s${cpu}`);
  }
}

export async function main() {
  printTls(await benchTls());
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
