// The shared store's cost: one `mockstack up` with `--store redis://…` against one in memory, on a
// route that reads the state, then 1 → 3 Redis-backed replicas driven at once (aggregate req/s),
// all in the same run. Needs /usr/bin/redis-server. `node bench/suites/store.mjs` (also part of `npm run bench`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fmt, load, root, startServer } from '../lib.mjs';

const bin = `${root}packages/mockstack/bin/mockstack.js`;
const route = '/orders/ord_7';
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  await new Promise((ready, fail) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) ready();
    });
    child.once('exit', () => fail(new Error(`redis-server exited:\n${output}`)));
  });
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => child.kill('SIGKILL') };
}

const replica = (store) =>
  startServer(
    process.execPath,
    [bin, 'up', 'bench/scenarios/store.ts', '--quiet', '--no-admin', ...(store ? ['--store', store] : [])],
    /api\s+rest\s+(http:\/\/\S+)/,
  );

export async function main() {
  if (!existsSync('/usr/bin/redis-server')) {
    console.log('\nstore: skipped (no /usr/bin/redis-server)');
    return;
  }
  const redis = await startRedis();
  const servers = [];
  try {
    const memory = await replica(undefined);
    servers.push(memory);
    const shared = await Promise.all([1, 2, 3].map(() => replica(redis.url)));
    servers.push(...shared);
    const [first] = shared;
    for (const s of [memory, first]) await load(`${s.url}${route}`, { seconds: 1 });

    const inMemory = await load(`${memory.url}${route}`, { seconds, pid: memory.pid });
    const oneRedis = await load(`${first.url}${route}`, { seconds, pid: first.pid });
    const three = await Promise.all(shared.map((s) => load(`${s.url}${route}`, { seconds, pid: s.pid })));
    const threeRps = three.reduce((sum, r) => sum + r.rps, 0);
    const threeP99 = Math.max(...three.map((r) => r.p99));

    console.log(`\nstore · GET ${route} (a handler reading the state) · ${seconds} s each, 50 connections per replica`);
    const row = (name, r) =>
      console.log(`  ${name.padEnd(28)} ${fmt(r.rps).padStart(8)} req/s   p99 ${fmt(r.p99).padStart(4)} ms${r.cpu ? `   ${fmt(r.cpu)} µs CPU/req` : ''}`);
    row('1 replica, memory store', inMemory);
    row('1 replica, redis store', oneRedis);
    row('3 replicas, redis (aggregate)', { rps: threeRps, p99: threeP99 });
    console.log(`  redis / memory, 1 replica: ${fmt(oneRedis.rps / inMemory.rps, 2)}×   3 → 1 replicas on redis: ${fmt(threeRps / oneRedis.rps, 2)}×`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
