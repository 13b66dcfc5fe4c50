// Noise-free REST comparison: user-space instructions per request of mockstack and bare fastify, each
// run under valgrind's callgrind (Debian package `valgrind`). Other load on the machine changes
// req/s and CPU time, not instruction counts. Slow (a few minutes), so not part of `npm run bench`:
// `node bench/instructions.mjs [path]` (path defaults to the static route; /computed/orders/1 is the handler route).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { root } from './lib.mjs';

const path = process.argv[2] ?? '/orders/1';
const WARM = 10_000;
const PART = 5_000;
const PARTS = 3;

const servers = {
  'bare fastify': { args: ['bench/bare-fastify.mjs'], ready: /listening (http:\/\/\S+)/ },
  mockstack: {
    args: ['packages/mockstack/bin/mockstack.js', 'up', 'bench/scenarios/rest-routes.ts', '--quiet', '--no-admin'],
    ready: /api\s+rest\s+(http:\/\/\S+)/,
  },
};

/** Instructions per request in each of PARTS runs of PART requests, after WARM requests (JIT warm). */
async function measure({ args, ready }) {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-callgrind-'));
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${dir}/out`, process.execPath, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    const url = await new Promise((resolve, reject) => {
      const onData = (chunk) => {
        output += chunk;
        const m = output.match(ready);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
    });
    await autocannon({ url: `${url}${path}`, connections: 10, amount: WARM });
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    // The first part pays for callgrind instrumenting every function again; it is left out.
    const perRequest = [];
    for (let i = 0; i <= PARTS; i++) {
      await autocannon({ url: `${url}${path}`, connections: 10, amount: PART });
      execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    }
    for (let i = 2; i <= PARTS + 1; i++) {
      const dump = readdirSync(dir).find((f) => f.endsWith(`.${i}`));
      const summary = dump && readFileSync(join(dir, dump), 'utf8').match(/^summary: (\d+)/m);
      if (summary) perRequest.push(Number(summary[1]) / PART);
    }
    return perRequest;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, server] of Object.entries(servers)) {
  results[name] = await measure(server);
  console.log(`${name.padEnd(12)} ${results[name].map((n) => `${Math.round(n / 100) / 10}k`).join('  ')} instructions per request (GET ${path})`);
}
const ratio = median(results['bare fastify']) / median(results.mockstack);
console.log(`ratio mockstack / bare fastify by instructions per request: ${ratio.toFixed(2)}× (medians)`);
