// Shared by fuzz.mjs and soak.mjs: `mockstack up bench/scenarios/hostile.ts` in its own process
// (loopback, free ports), its RSS, and clients for each protocol.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { root } from './lib.mjs';

/** Starts the stack; resolves with its service URLs, admin URL, pid and a way to stop it. */
export async function startHostileStack() {
  const child = spawn(
    process.execPath,
    ['packages/mockstack/bin/mockstack.js', 'up', 'bench/scenarios/hostile.ts', '--random-ports', '--admin-port', '0', '--quiet', '--log-format', 'json'],
    { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const ready = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const line = output.match(/^\{"event":"ready".*\}$/m);
      if (line) resolve(JSON.parse(line[0]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`mockstack up exited ${code}:\n${output}`)));
  });
  const urls = Object.fromEntries(ready.services.map((s) => [s.name, s.url]));
  let exit;
  child.once('exit', (code, signal) => {
    exit = { code, signal };
  });
  return {
    urls,
    admin: ready.admin,
    pid: child.pid,
    output: () => output,
    exited: () => exit,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Resident memory of a process in MB (Linux /proc). */
export function rssMb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** A mulberry32 generator: the same seed, the same run. */
export function seeded(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    bytes: (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
  };
}

const identity = (b) => b;

/** Raw unary gRPC calls (any bytes as the request); resolves with the status code name and details. */
export function grpcCaller(url) {
  const client = new grpc.Client(url.replace(/^grpc:\/\//, ''), grpc.credentials.createInsecure());
  return {
    call: (path, bytes, metadata = new grpc.Metadata()) =>
      new Promise((resolve) =>
        client.makeUnaryRequest(path, identity, identity, bytes, metadata, { deadline: Date.now() + 10_000 }, (error) =>
          resolve(error ? { status: grpc.status[error.code] ?? String(error.code), details: error.details } : { status: 'OK' }),
        ),
      ),
    close: () => client.close(),
  };
}

/** Runs `task(i)` for i in [0, total) with `concurrency` in flight. */
export async function pool(total, concurrency, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}
