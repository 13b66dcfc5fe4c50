// Noise-free comparison of each hot path: user-space instructions per request (or call) of mockstack
// and of its baseline, each server run under valgrind's callgrind (Debian package `valgrind`). Other
// load on the machine changes req/s and CPU time, not instruction counts. Slow (about a minute a
// row), so not part of `npm run bench`: `node bench/instructions.mjs [row name part…]` runs the rows
// whose name contains one of the words given (all without). A server measured for several rows is
// measured once per row (a run per path keeps the parts comparable).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { root, unaryCalls } from './lib.mjs';
import { QUERY } from './suites/graphql.mjs';
import { AUTHORIZE, authorizeFrame } from './suites/grpc.mjs';

const WARM = 5_000;
const PART = 2_000;
const PARTS = 3;
/**
 * GraphQL rows: more parts, and their mean. A request that keeps objects alive (the journal keeps the
 * last 1,000) pays in old-generation GCs that come every few thousand requests: in 3 parts of 2,000 the
 * median part is the one without such a GC (its cost left out) and single parts varied by ±30 %.
 */
const GRAPHQL_PARTS = 6;
/**
 * The warm gRPC row: the same, for both servers. A part of 2,000 calls with an old-generation GC in it
 * counted up to twice one without (bare grpc-js 219k to 447k instructions per call in one run), so
 * the median of 3 parts compared whichever part dodged it.
 */
const GRPC_PARTS = 6;
/** BENCH_BIN: another mockstack bin to measure, e.g. a copy of a previous build's packages/mockstack/{bin,dist}. */
const bin = process.env.BENCH_BIN ?? 'packages/mockstack/bin/mockstack.js';
const up = (scenario, ...flags) => [bin, 'up', scenario, '--no-admin', ...flags];

/**
 * Idle keep-alive connections kept as long as fastify's own (72 s), for every HTTP server measured: a part's
 * dump under callgrind on a loaded machine can outlast the default 5 s, and the next part then met a closed
 * connection (ECONNRESET).
 */
const KEEP_ALIVE = ['--keep-alive-timeout', '72s'];

const servers = {
  'bare fastify': { args: ['bench/baselines/bare-fastify.mjs'], ready: /listening (http:\/\/\S+)/ },
  'mockstack --quiet': { args: up('bench/scenarios/rest-routes.ts', '--quiet', ...KEEP_ALIVE), ready: /api\s+rest\s+(http:\/\/\S+)/ },
  'mockstack (request log on)': { args: up('bench/scenarios/rest-routes.ts', ...KEEP_ALIVE), ready: /api\s+rest\s+(http:\/\/\S+)/ },
  'mockstack 1 rule': { args: up('bench/scenarios/many-rules.ts', '--quiet', ...KEEP_ALIVE), env: { BENCH_RULES: '1' }, ready: /api\s+rest\s+(http:\/\/\S+)/ },
  'mockstack 10,000 rules': {
    args: up('bench/scenarios/many-rules.ts', '--quiet', ...KEEP_ALIVE),
    env: { BENCH_RULES: '10000' },
    ready: /api\s+rest\s+(http:\/\/\S+)/,
  },
  'graphql-js cached': { args: ['bench/baselines/graphql-baseline.mjs'], env: { BASELINE: 'cached' }, ready: /listening (http:\/\/\S+)/ },
  // Idle keep-alive connections kept as long as the baseline's (fastify's 72 s): a part's dump under callgrind can outlast the default 5 s.
  'mockstack graphql rule': {
    args: up('bench/scenarios/graphql-rule.ts', '--quiet', '--keep-alive-timeout', '72s'),
    ready: /api\s+graphql\s+(http:\/\/\S+)/,
  },
  'mockstack graphql auto': {
    args: up('bench/scenarios/graphql.ts', '--quiet', '--keep-alive-timeout', '72s'),
    ready: /api\s+graphql\s+(http:\/\/\S+)/,
  },
  'bare grpc-js': { args: ['bench/baselines/bare-grpc.mjs'], ready: /listening (\S+)/ },
  'mockstack grpc': { args: up('bench/scenarios/grpc.ts', '--quiet'), ready: /payments\s+grpc\s+grpc:\/\/(\S+)/ },
};

const get = (path) => (url, amount) => http(url, amount, { url: `${url}${path}` });
const graphqlPost = (url, amount) =>
  http(url, amount, {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY, operationName: 'Products', variables: { first: 2 } }),
  });

/**
 * Keep-alive pools by server address, kept for the server's whole measurement: the warm-up and every
 * part use the same 10 connections. (A new set of connections per part, as a new autocannon run makes,
 * deoptimises node's socket code in the server and recompiles it in every part.)
 */
const pools = new Map();

/** `amount` requests, 10 in flight, over the server's pool; each must answer 2xx. */
async function http(_address, amount, { url, method = 'GET', headers, body }) {
  const { origin, pathname, search } = new URL(url);
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 10, pipelining: 1 });
    pools.set(origin, pool);
  }
  let left = amount;
  let failed = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (left-- > 0) {
        const response = await pool.request({ path: pathname + search, method, headers, body });
        await response.body.dump();
        if (response.statusCode >= 300) failed++;
      }
    }),
  );
  if (failed) throw new Error(`${url}: ${failed} of ${amount} answers not 2xx`);
}

/** The Authorize request `npm run bench` sends (h2load), so that decoding it is counted as there. */
const AUTHORIZE_REQUEST = authorizeFrame().subarray(5);

/** `amount` unary Authorize calls, 10 in flight. */
const grpcUnary = (address, amount) => unaryCalls(address, AUTHORIZE, amount, 10, AUTHORIZE_REQUEST);

/** Each row: a hot path of mockstack against its baseline, driven the same way. */
const ROWS = [
  { name: 'REST handler', baseline: 'bare fastify', mock: 'mockstack --quiet', drive: get('/computed/orders/1') },
  { name: 'REST static', baseline: 'bare fastify', mock: 'mockstack --quiet', drive: get('/orders/1') },
  { name: 'REST handler with log', baseline: 'bare fastify', mock: 'mockstack (request log on)', drive: get('/computed/orders/1') },
  // Matching: the last of 10,000 rules on one path template (the rule index) against a single rule.
  { name: 'REST 10,000 rules', baseline: 'mockstack 1 rule', mock: 'mockstack 10,000 rules', drive: get('/orders/ord_0') },
  { name: 'GraphQL rule', baseline: 'graphql-js cached', mock: 'mockstack graphql rule', drive: graphqlPost, parts: GRAPHQL_PARTS, mean: true },
  { name: 'GraphQL auto-mock', baseline: 'graphql-js cached', mock: 'mockstack graphql auto', drive: graphqlPost, parts: GRAPHQL_PARTS, mean: true },
  { name: 'gRPC unary', baseline: 'bare grpc-js', mock: 'mockstack grpc', drive: grpcUnary, parts: GRPC_PARTS, mean: true },
  // From the first call after start: what the first second of load costs (JIT, first-call work), warm-up included.
  { name: 'gRPC unary cold', baseline: 'bare grpc-js', mock: 'mockstack grpc', drive: grpcUnary, cold: true },
];

/**
 * Instructions per request in each of PARTS runs of PART requests, after WARM requests (JIT warm).
 * `cold`: from the first request after start (instrumented from the start, counters zeroed when the
 * server is ready), every part kept: the warm-up is what is measured.
 */
async function measure({ args, ready, env }, drive, cold = false, parts = PARTS) {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-callgrind-'));
  const instrumented = cold ? [] : ['--instr-atstart=no'];
  const child = spawn('valgrind', ['--tool=callgrind', ...instrumented, `--callgrind-out-file=${dir}/out`, process.execPath, ...args], {
    cwd: root,
    // Waiting for a part's dump idles `up` for seconds: without this, its idle memory release could run
    // between parts and throw the optimised code away (see KEEP_MEMORY_ENV in packages/cli/src/main.ts).
    env: { ...process.env, MOCKSTACK_KEEP_MEMORY: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    const url = await new Promise((resolve, reject) => {
      const onData = (chunk) => {
        // The request log (when on) keeps coming: only the start-up output is kept.
        if (output.length < 100_000) output += chunk;
        const m = output.match(ready);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
    });
    if (cold) execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
    else {
      await drive(url, WARM);
      execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    }
    // Warm: the first part pays for callgrind instrumenting every function again; it is left out.
    const perRequest = [];
    for (let i = 0; i <= parts; i++) {
      await drive(url, PART);
      execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    }
    for (let i = cold ? 1 : 2; i <= parts + (cold ? 0 : 1); i++) {
      const dump = readdirSync(dir).find((f) => f.endsWith(`.${i}`));
      const summary = dump && readFileSync(join(dir, dump), 'utf8').match(/^summary: (\d+)/m);
      if (summary) perRequest.push(Number(summary[1]) / PART);
    }
    return perRequest;
  } finally {
    await Promise.all([...pools.values()].map((pool) => pool.destroy()));
    pools.clear();
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const k = (n) => `${(Math.round(n / 100) / 10).toFixed(1)}k`;
/** The parts' counts, and their mean where the row's ratio uses it. */
const parts = (row, xs) => `${xs.map(k).join(' ')}${row.mean ? ` (mean ${k(sum(xs) / xs.length)})` : ''}`;
const words = process.argv.slice(2).map((w) => w.toLowerCase());
const rows = ROWS.filter((row) => !words.length || words.some((w) => row.name.toLowerCase().includes(w)));
console.log('row                     baseline (instructions/request, parts)       mockstack                                 ratio');
for (const row of rows) {
  const baseline = await measure(servers[row.baseline], row.drive, row.cold, row.parts);
  const mock = await measure(servers[row.mock], row.drive, row.cold, row.parts);
  // Cold and `mean` rows: the parts' total (the warm-up, or the old-generation GCs, weigh in); warm: the median part.
  const ratio = row.cold || row.mean ? sum(baseline) / sum(mock) : median(baseline) / median(mock);
  console.log(
    `${row.name.padEnd(22)}  ${row.baseline.padEnd(18)} ${parts(row, baseline).padEnd(22)}  ${row.mock.padEnd(26)} ${parts(row, mock).padEnd(22)}  ${ratio.toFixed(2)}×`,
  );
}
console.log(
  'ratio = baseline / mockstack instructions per request (medians of the parts; GraphQL and warm gRPC rows: means of 6 parts; cold rows: all parts from the first call); ≥ 1.00× is as cheap as the baseline',
);
