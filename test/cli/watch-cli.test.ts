import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

// `mockstack up --watch` says what a reload did: which files changed (a contract too), and the state keys it seeded or dropped.
const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');
const dir = resolve(import.meta.dirname, '../fixtures', `.watch-cli-${process.pid}`);
const scenarioText = (state: string) => `import { graphql, scenario } from 'mockstack';
export default scenario('watch-cli', { state: () => (${state}) }).services({
  catalog: graphql({ port: 0, schema: 'catalog.graphql' }, { Query: { hello: (_: unknown, __: unknown, { state }: { state: object }) => JSON.stringify(state) } }),
});
`;

let child: ChildProcess;
let output = '';

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'catalog.graphql'), 'type Query { hello: String }\n');
  writeFileSync(resolve(dir, 'live.ts'), scenarioText('{ hits: 0 }'));
  child = spawn(process.execPath, [bin, 'up', resolve(dir, 'live.ts'), '--watch', '--no-admin', '--quiet'], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await waitFor(/Ready in \d+ ms/);
});
afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(pattern: RegExp, from = 0): Promise<void> {
  for (let i = 0; i < 700; i++) {
    if (pattern.test(output.slice(from))) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${pattern} in output:\n${output}`);
}

test('a contract edit is reloaded and the log names the file', async () => {
  const from = output.length;
  writeFileSync(resolve(dir, 'catalog.graphql'), 'type Query { hello: String, bye: String }\n');
  await waitFor(/reloaded .*live\.ts in \d+ ms \(changed: .*catalog\.graphql\)/, from);
});

test('a state() with new and removed keys: the log says which were seeded and which dropped', async () => {
  const from = output.length;
  writeFileSync(resolve(dir, 'live.ts'), scenarioText("{ cart: ['mug'], note: 'hi' }"));
  await waitFor(/reloaded .*live\.ts in \d+ ms \(changed: .*live\.ts\)/, from);
  await waitFor(/state\(\) gained cart, note: seeded from state\(\); the other keys keep their values/, from);
  await waitFor(/state\(\) no longer has hits: dropped from the running state/, from);
});
