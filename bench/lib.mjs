// Shared by the bench scripts: start a server process, wait for its address, drive it with autocannon.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';

export const root = new URL('..', import.meta.url).pathname;

/** Spawns a server and resolves once its output shows a URL matching `pattern`. */
export function startServer(command, args, pattern, env = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(pattern);
      if (m) resolve({ url: m[1], stop: () => stop(child) });
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

/** A bounded autocannon run; returns requests/s and latency percentiles. */
export async function load(url, { seconds = 5, connections = 50, pipelining = 1 } = {}) {
  const result = await autocannon({ url, connections, pipelining, duration: seconds });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
