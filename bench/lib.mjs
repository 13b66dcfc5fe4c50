// Shared by the bench scripts: start a server process, wait for its address, drive it with autocannon.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import autocannon from 'autocannon';

export const root = new URL('..', import.meta.url).pathname;

/** Spawns a server; resolves with its address (first group of `pattern`), pid and a stop function. */
export function startServer(command, args, pattern, env = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      // A server logging every request keeps writing: only the start-up output is kept.
      if (output.length < 100_000) output += chunk;
      const m = output.match(pattern);
      if (m) resolve({ url: m[1], pid: child.pid, output, stop: () => stop(child) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * CPU seconds a process has used (user + system, from /proc; undefined elsewhere). Per call, this
 * is steadier than calls/s on a shared machine: other load slows both servers but not their CPU cost.
 */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MB (Linux /proc; undefined elsewhere). */
export function rssMb(pid) {
  try {
    const kb = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
    return kb ? Number(kb[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `drive()` (resolving to `{ rate, duration }`) and adds the server's CPU time per call (µs). */
export async function measured(pid, drive) {
  const before = cpuSeconds(pid);
  const result = await drive();
  const after = cpuSeconds(pid);
  const calls = result.rate * result.duration;
  return { ...result, cpuPerCall: before === undefined || after === undefined ? undefined : ((after - before) * 1e6) / calls };
}

/** A bounded autocannon run against a server process: requests/s, latency percentiles and CPU µs per request. */
export async function load(url, { seconds = 5, connections = 50, pipelining = 1, pid } = {}) {
  const result = await measured(pid, async () => {
    const r = await autocannon({ url, connections, pipelining, duration: seconds });
    if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { rate: r.requests.total / r.duration, duration: r.duration, p50: r.latency.p50, p99: r.latency.p99 };
  });
  return { rps: result.rate, p50: result.p50, p99: result.p99, cpu: result.cpuPerCall };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** `min–max` of the values: the spread over the passes a median was taken from. */
export const spread = (xs, digits = 0) => `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

/** `amount` unary calls of `method` sending `request` (the message's bytes; empty by default), `inFlight` at a time, over one grpc-js channel; rejects on the first error. */
export async function unaryCalls(address, method, amount, inFlight, request = Buffer.alloc(0)) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const identity = (b) => b;
  let left = amount;
  try {
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (left-- > 0) {
          await new Promise((resolve, reject) => client.makeUnaryRequest(method, identity, identity, request, (error) => (error ? reject(error) : resolve())));
        }
      }),
    );
  } finally {
    client.close();
  }
}
