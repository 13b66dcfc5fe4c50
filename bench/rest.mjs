// REST: mockstack serving one static route vs bare fastify answering the same JSON, same run, alternated.
// Then the cold start of `mockstack up scenarios/checkout.ts` to its first answer.

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { cpuSeconds, fmt, load, median, root, startServer } from './lib.mjs';

const bin = `${root}packages/mockstack/bin/mockstack.js`;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

export async function benchRest() {
  const bare = await startServer(process.execPath, ['bench/bare-fastify.mjs'], /listening (http:\/\/\S+)/);
  const mock = await startServer(process.execPath, [bin, 'up', 'bench/scenarios/static-route.ts', '--quiet', '--no-admin'], /api\s+rest\s+(http:\/\/\S+)/);
  const runs = { bare: [], mock: [] };
  try {
    await load(`${bare.url}/orders/1`, { seconds: 1 });
    await load(`${mock.url}/orders/1`, { seconds: 1 });
    for (let i = 0; i < rounds; i++) {
      runs.bare.push(await load(`${bare.url}/orders/1`, { seconds, pid: bare.pid }));
      runs.mock.push(await load(`${mock.url}/orders/1`, { seconds, pid: mock.pid }));
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
  return { bare: summary(runs.bare), mock: summary(runs.mock), rounds, seconds };
}

/** Milliseconds from spawning `mockstack up scenarios/checkout.ts` to its first HTTP answer. */
async function coldStartOnce(file, service, path) {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'up', file, '--random-ports', '--no-admin', '--quiet', '--log-format', 'json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const m = output.match(new RegExp(`"name":"${service}","protocol":"rest","host":"[^"]+","port":\\d+,"url":"([^"]+)"`));
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`mockstack up exited ${code}: ${output}`)));
  });
  const res = await fetch(`${url}${path}`);
  if (res.status !== 200) throw new Error(`first answer was ${res.status}`);
  const ms = performance.now() - started;
  const cpuMs = (cpuSeconds(child.pid) ?? Number.NaN) * 1000;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  return { ms, cpuMs };
}

async function nodeStartOnce() {
  const started = performance.now();
  await new Promise((resolve) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).once('exit', resolve));
  return performance.now() - started;
}

export async function benchColdStart(times = 7) {
  const checkout = [];
  const oneRoute = [];
  const node = [];
  for (let i = 0; i < times; i++) {
    checkout.push(await coldStartOnce('scenarios/checkout.ts', 'orders', '/orders/ord_1001'));
    oneRoute.push(await coldStartOnce('bench/scenarios/static-route.ts', 'api', '/orders/1'));
    node.push(await nodeStartOnce());
  }
  const summary = (xs) => ({ ms: median(xs.map((c) => c.ms)), cpuMs: median(xs.map((c) => c.cpuMs)) });
  return { checkout: summary(checkout), oneRoute: summary(oneRoute), nodeMs: median(node), times };
}

export function printRest({ bare, mock, rounds, seconds }) {
  console.log(`\nREST static route (autocannon, 50 connections, ${rounds} alternating rounds × ${seconds}s, medians)`);
  console.log('  server          req/s      p50 ms  p99 ms  server CPU µs/request');
  const row = (name, r) =>
    `  ${name.padEnd(12)}  ${fmt(r.rps).padStart(9)}  ${fmt(r.p50, 1).padStart(6)}  ${fmt(r.p99, 1).padStart(6)}  ${r.cpu === undefined ? '-' : fmt(r.cpu, 1)}`;
  console.log(row('bare fastify', bare));
  console.log(row('mockstack', mock));
  const cpu = bare.cpu !== undefined && mock.cpu !== undefined ? `; by server CPU per request ${(bare.cpu / mock.cpu).toFixed(2)}×` : '';
  console.log(`  ratio mockstack / bare fastify: ${(mock.rps / bare.rps).toFixed(2)}× by req/s${cpu} (target ≥ 0.90×)`);
}

export function printColdStart({ checkout, oneRoute, nodeMs, times }) {
  console.log(`\nCold start: \`mockstack up <scenario>\` to its first answer (median of ${times}; target ≤ 500 ms)`);
  console.log(`  scenarios/checkout.ts (4 services, 3 protocols): ${fmt(checkout.ms)} ms wall, ${fmt(checkout.cpuMs)} ms CPU`);
  console.log(`  one REST route:                                  ${fmt(oneRoute.ms)} ms wall, ${fmt(oneRoute.cpuMs)} ms CPU`);
  console.log(`  bare \`node -e ''\`:                               ${fmt(nodeMs)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printRest(await benchRest());
  printColdStart(await benchColdStart());
}
