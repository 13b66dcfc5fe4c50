/** Runs `mockstack` in a process of its own, as users do: what a scenario's code does cannot touch the test's process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');

/** A `mockstack` process of a reliability test: its output so far and its exit. */
export interface CliProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `command args…` from the repository root with stdout and stderr collected. */
export function run(command: string, args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(command, [...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return { child, output: () => output, exited };
}

/** `node packages/mockstack/bin/mockstack.js …`. */
export function mockstack(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  return run(process.execPath, [bin, ...args], env);
}

/** Waits until the output matches (or the process ends, or 20 s pass: then throws with the output). */
export async function waitFor(run: Pick<CliProcess, 'child' | 'output'>, pattern: RegExp, ms = 20000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = run.output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no ${pattern} in output:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A fresh directory for ready files, removed by the returned function. */
export function scratchDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-reliability-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ReadyFile {
  pid: number;
  services: { name: string; protocol: string; host: string; port: number; url: string }[];
  admin?: string;
  adminToken?: string;
}

/** Waits for `--ready-file` to be written (or the process to end: then throws with its output) and reads it. */
export async function readyFile(run: CliProcess, file: string, ms = 20000): Promise<ReadyFile> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ReadyFile;
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no ready file ${file}; output:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** How long `mockstack up` may take to serve: a cold code cache on a busy CI machine takes tens of seconds. */
export const STARTUP_TIMEOUT_MS = 90_000;

/** A `mockstack up` that serves: its services' URLs and admin address from the ready output. */
export interface CliStack extends CliProcess {
  /** URL of each service by name, from the ready output. */
  urls: Record<string, string>;
  admin: string;
  exitCode(): number | null;
  stop(): Promise<void>;
}

/** Starts `mockstack up <scenario> --random-ports --admin-port 0 ...args` and waits until it serves. */
export async function startCli(scenario: string, args: string[] = []): Promise<CliStack> {
  const up = mockstack(['up', scenario, '--random-ports', '--admin-port', '0', '--log-format', 'json', ...args]);
  let ready: string;
  try {
    ready = (await waitFor(up, /^\{"event":"ready".*\}$/m, STARTUP_TIMEOUT_MS - 5000))[0];
  } catch (error) {
    // Never leave a server behind: jest would not exit.
    up.child.kill('SIGKILL');
    throw error;
  }
  const parsed = JSON.parse(ready) as { services: { name: string; url: string }[]; admin?: string };
  return {
    ...up,
    urls: Object.fromEntries(parsed.services.map((s) => [s.name, s.url])),
    admin: parsed.admin ?? '',
    exitCode: () => up.child.exitCode,
    stop: async () => {
      if (up.child.exitCode === null) up.child.kill('SIGTERM');
      await up.exited;
    },
  };
}
