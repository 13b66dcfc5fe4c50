// Cold start: milliseconds from spawning `mockstack up <scenario>` to its first answers, against
// baselines measured in the same run (node starting, a bare fastify server answering). Target (issue 17) ≤ 300 ms on a loaded 2-core machine.
// Run alone: `node bench/suites/cold-start.mjs` (BENCH_COLD_RUNS=n for more runs).

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { cpuSeconds, fmt, median, root } from '../lib.mjs';

/** BENCH_BIN: another mockstack bin to measure (see bench/instructions.mjs). */
const bin = resolve(root, process.env.BENCH_BIN ?? 'packages/mockstack/bin/mockstack.js');

/** What each scenario is asked once it says it is ready: one request per service, all at once. */
export const probes = {
  checkout: {
    file: 'scenarios/checkout.ts',
    services: {
      orders: (url) => http(`${url}/orders/ord_1001`),
      catalog: (url) => http(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ categories { name } }"}' }),
      payments: (url) => grpcCall(url, '/grpc.health.v1.Health/Check'),
      shipping: (url) => http(`${url}/v2/rates?country=DE&weightGrams=1200&orderId=ord_1001`),
      admin: (url) => http(`${url}/health`),
    },
  },
  oneRoute: {
    file: 'bench/scenarios/static-route.ts',
    services: { api: (url) => http(`${url}/orders/1`) },
  },
};

async function http(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== 200 || text.includes('"errors"')) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
}

function grpcCall(url, method) {
  const client = new grpc.Client(url.replace('grpc://', ''), grpc.credentials.createInsecure());
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      method,
      (b) => b,
      (b) => b,
      Buffer.alloc(0),
      (error) => {
        client.close();
        if (error) reject(error);
        else resolve();
      },
    ),
  );
}

/** Spawns the command, waits for `ready(output)` to give the addresses, then asks every probe at once. */
async function coldStartOnce(args, ready, services, env = {}) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const urls = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const found = ready(output);
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${output}`)));
  });
  const readyMs = performance.now() - started;
  const answered = {};
  try {
    await Promise.all(
      Object.entries(services).map(async ([name, probe]) => {
        await probe(urls[name]);
        answered[name] = performance.now() - started;
      }),
    );
    const cpuMs = (cpuSeconds(child.pid) ?? Number.NaN) * 1000;
    return { readyMs, answered, lastMs: Math.max(...Object.values(answered)), cpuMs };
  } finally {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }
}

/** `mockstack up <file>` with every port random; the addresses come from its JSON ready line. */
export function mockstackOnce({ file, services }, binPath = bin, env = {}) {
  const args = [binPath, 'up', file, '--random-ports', '--quiet', '--log-format', 'json'];
  if (services.admin) args.push('--admin-port', '0');
  else args.push('--no-admin');
  const ready = (output) => {
    const line = output.split('\n').find((l) => l.startsWith('{"event":"ready"'));
    if (!line) return undefined;
    const event = JSON.parse(line);
    return { ...Object.fromEntries(event.services.map((s) => [s.name, s.url])), admin: event.admin };
  };
  return coldStartOnce(args, ready, services, env);
}

/** The baseline server: bench/baselines/bare-fastify.mjs, one route, to its first answer. */
function bareFastifyOnce() {
  const ready = (output) => {
    const m = output.match(/listening (http:\/\/\S+)/);
    return m && { api: m[1] };
  };
  return coldStartOnce(['bench/baselines/bare-fastify.mjs'], ready, probes.oneRoute.services);
}

/** The V8 code caches of `up` in a start-up cache dir, with their sizes and times (to tell whether a run wrote one). */
function codeCaches(dir) {
  try {
    return readdirSync(dir)
      .filter((name) => name.startsWith('cli-up-') && name.endsWith('.v8'))
      .map((name) => {
        const { size, mtimeMs } = statSync(join(dir, name));
        return `${name}:${size}:${mtimeMs}`;
      })
      .sort()
      .join(',');
  } catch {
    return '';
  }
}

async function nodeStartOnce() {
  const started = performance.now();
  await new Promise((resolve) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).once('exit', resolve));
  return performance.now() - started;
}

export async function benchColdStart(times = Number(process.env.BENCH_COLD_RUNS ?? 7)) {
  const runs = {
    checkout: [],
    checkoutInstalled: [],
    checkoutWarmedUp: [],
    checkoutMoved: [],
    checkoutFirst: [],
    oneRoute: [],
    oneRouteWarmedUp: [],
    bare: [],
    node: [],
  };
  const emptyCache = () => ({ MOCKSTACK_CACHE_DIR: mkdtempSync(join(tmpdir(), 'mockstack-bench-cache-')) });
  /** A start-up cache filled by these steps, run once; each timed run gets a fresh copy of it. */
  const filledBy = (steps) => {
    const cache = emptyCache();
    for (const step of steps) {
      const { status } = spawnSync(process.execPath, step, { cwd: root, env: { ...process.env, ...cache }, stdio: ['ignore', 'ignore', 'inherit'] });
      if (status !== 0) throw new Error(`${step.join(' ')} failed`);
    }
    return () => {
      const env = emptyCache();
      cpSync(cache.MOCKSTACK_CACHE_DIR, env.MOCKSTACK_CACHE_DIR, { recursive: true });
      return env;
    };
  };
  // What `npm install` leaves in the start-up cache: the root `prepare` runs `mockstack gen` after its
  // build (gen's code cache, the OpenAPI documents it parsed), and starts no stack, so `up` has no code cache yet.
  const gen = [bin, 'gen'];
  const afterInstall = filledBy([gen]);
  // The same plus the opt-in `npm run warm-up` (bench/train-up-cache.mjs): the code cache of `up` trained.
  const afterWarmUp = filledBy([gen, ['bench/train-up-cache.mjs']]);
  const once = async (probe, env, binPath = bin) => {
    try {
      const before = codeCaches(env.MOCKSTACK_CACHE_DIR);
      const run = await mockstackOnce(probe, binPath, env);
      // The bin writes a code cache only when it had none it could use, or when the run ran bundled
      // modules the cache has no code for (see bin/mockstack.js): a run that left the code caches as
      // they were ran from a complete one.
      return { ...run, codeCacheHit: codeCaches(env.MOCKSTACK_CACHE_DIR) === before };
    } finally {
      rmSync(env.MOCKSTACK_CACHE_DIR, { recursive: true, force: true });
    }
  };
  // The same install moved (another checkout path, a container layer): a copy of the package, inside
  // node_modules so that it resolves its dependencies, with new file times; its cache was made by the original.
  const moved = mkdtempSync(join(root, 'node_modules', '.mockstack-bench-moved-'));
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(dirname(dirname(bin)), part), join(moved, part), { recursive: true });
  const movedBin = join(moved, 'bin/mockstack.js');
  // One untimed round first: the bench's own fetch and gRPC client load on first use, and the OS
  // caches the files; neither should count against the first timed run.
  await mockstackOnce(probes.checkout);
  await bareFastifyOnce();
  // Alternated, so a burst of load from another session hits every row alike.
  for (let i = 0; i < times; i++) {
    runs.checkout.push(await mockstackOnce(probes.checkout));
    runs.checkoutInstalled.push(await once(probes.checkout, afterInstall()));
    runs.checkoutWarmedUp.push(await once(probes.checkout, afterWarmUp()));
    runs.checkoutMoved.push(await once(probes.checkout, afterWarmUp(), movedBin));
    runs.checkoutFirst.push(await once(probes.checkout, emptyCache()));
    runs.oneRoute.push(await mockstackOnce(probes.oneRoute));
    runs.oneRouteWarmedUp.push(await once(probes.oneRoute, afterWarmUp()));
    runs.bare.push(await bareFastifyOnce());
    runs.node.push(await nodeStartOnce());
  }
  rmSync(moved, { recursive: true, force: true });
  const summary = (xs) => ({
    readyMs: median(xs.map((x) => x.readyMs)),
    lastMs: median(xs.map((x) => x.lastMs)),
    minLastMs: Math.min(...xs.map((x) => x.lastMs)),
    cpuMs: median(xs.map((x) => x.cpuMs)),
    answered: Object.fromEntries(Object.keys(xs[0].answered).map((name) => [name, median(xs.map((x) => x.answered[name]))])),
    codeCacheHits: xs.every((x) => x.codeCacheHit === undefined) ? undefined : `${xs.filter((x) => x.codeCacheHit).length}/${xs.length}`,
  });
  return {
    checkout: summary(runs.checkout),
    checkoutInstalled: summary(runs.checkoutInstalled),
    checkoutWarmedUp: summary(runs.checkoutWarmedUp),
    checkoutMoved: summary(runs.checkoutMoved),
    checkoutFirst: summary(runs.checkoutFirst),
    oneRoute: summary(runs.oneRoute),
    oneRouteWarmedUp: summary(runs.oneRouteWarmedUp),
    bare: summary(runs.bare),
    nodeMs: median(runs.node),
    times,
  };
}

export function printColdStart({
  checkout,
  checkoutInstalled,
  checkoutWarmedUp,
  checkoutMoved,
  checkoutFirst,
  oneRoute,
  oneRouteWarmedUp,
  bare,
  nodeMs,
  times,
}) {
  console.log(`\nCold start: spawn to the last first answer (${times} alternating runs; target ≤ 300 ms)`);
  console.log('  what                                          median ms (min)  ready ms  CPU ms  × bare fastify (CPU)  × node -e ""');
  const row = (label, r) =>
    `  ${label.padEnd(44)} ${fmt(r.lastMs).padStart(9)} (${fmt(r.minLastMs).padStart(5)})  ${fmt(r.readyMs).padStart(8)}  ${fmt(r.cpuMs).padStart(6)}  ${(r.lastMs / bare.lastMs).toFixed(2).padStart(11)}× (${(r.cpuMs / bare.cpuMs).toFixed(2)}×)  ${(r.lastMs / nodeMs).toFixed(2).padStart(10)}×`;
  console.log(row('mockstack up scenarios/checkout.ts', checkout));
  console.log(
    `    (4 services, 3 protocols, admin API; first answer each: ${Object.entries(checkout.answered)
      .map(([name, ms]) => `${name} ${fmt(ms)}`)
      .join(', ')})`,
  );
  const hits = (r) => `code cache of up used in ${r.codeCacheHits} runs`;
  console.log(row('  the same, first run after npm install', checkoutInstalled));
  console.log(
    `    (the OpenAPI document \`gen\` parsed at install; the CLI compiled: an install starts no stack, so \`up\` has no code cache; ${hits(checkoutInstalled)})`,
  );
  console.log(row('  the same, first run after npm run warm-up', checkoutWarmedUp));
  console.log(`    (also the code cache of \`up\`, trained by the opt-in warm-up; checks it against the spec; ${hits(checkoutWarmedUp)})`);
  console.log(row('  the same, install moved after the warm-up', checkoutMoved));
  console.log(`    (a copy of the package at another path, new file times: its code cache is named after the bundle content; ${hits(checkoutMoved)})`);
  console.log(row('  the same, empty start-up cache', checkoutFirst));
  console.log(`    (nothing cached: a cache dir neither filled, e.g. a new MOCKSTACK_CACHE_DIR; ${hits(checkoutFirst)})`);
  console.log(row('mockstack up, one REST route', oneRoute));
  console.log(row('  the same, first run after npm run warm-up', oneRouteWarmedUp));
  console.log(row('baseline: bare fastify, one route', bare));
  console.log(`  ${"baseline: node -e ''".padEnd(44)} ${fmt(nodeMs).padStart(9)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) printColdStart(await benchColdStart());
