/** Runs `mockstack up` in a process of its own, as users do: what a scenario's code does cannot touch the test's process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');

/** How long `mockstack up` may take to serve: a cold code cache on a busy CI machine takes tens of seconds. */
export const STARTUP_TIMEOUT_MS = 90_000;

export interface CliStack {
  child: ChildProcess;
  output(): string;
  /** URL of each service by name, from the ready output. */
  urls: Record<string, string>;
  admin: string;
  exitCode(): number | null;
  stop(): Promise<void>;
}

/** Starts `mockstack up <scenario> --random-ports --admin-port 0 ...args` and waits until it serves. */
export async function startCli(scenario: string, args: string[] = []): Promise<CliStack> {
  const child = spawn(process.execPath, [bin, 'up', scenario, '--random-ports', '--admin-port', '0', '--log-format', 'json', ...args], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let ready: string;
  try {
    ready = (
      await waitForOutput(
        () => output,
        () => child.exitCode,
        /^\{"event":"ready".*\}$/m,
        STARTUP_TIMEOUT_MS - 5000,
      )
    )[0];
  } catch (error) {
    // Never leave a server behind: jest would not exit.
    child.kill('SIGKILL');
    throw error;
  }
  const parsed = JSON.parse(ready) as { services: { name: string; url: string }[]; admin?: string };
  const urls = Object.fromEntries(parsed.services.map((s) => [s.name, s.url]));
  return {
    child,
    output: () => output,
    urls,
    admin: parsed.admin ?? '',
    exitCode: () => child.exitCode,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function waitForOutput(output: () => string, exitCode: () => number | null, pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline || exitCode() !== null) throw new Error(`no ${pattern} in output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
