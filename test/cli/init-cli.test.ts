/**
 * Through the CLI (built bin): `mockstack init` → `mockstack check` → `mockstack up` in a fresh
 * project, `--force`, and `up --lenient` printing its warnings.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../reliability/cli-process.js';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');
const temp = join(root, 'test', `.init-cli-tmp-${process.pid}`);

function mockstack(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

function serve(args: string[], cwd: string): { child: ChildProcess; output: () => string } {
  // stdout and stderr (warnings) into one pipe, as on a terminal, so that their order shows (`exec`: signals reach node).
  const child = spawn('sh', ['-c', 'exec "$0" "$@" 2>&1', process.execPath, bin, ...args], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

afterAll(() => rmSync(temp, { recursive: true, force: true }));

test('init, check and up: the written scenario passes check and serves at once; init refuses to overwrite without --force', async () => {
  const dir = join(temp, 'shop');
  mkdirSync(dir, { recursive: true });
  cpSync(join(root, 'protos'), join(dir, 'protos'), { recursive: true });
  cpSync(join(root, 'schemas'), join(dir, 'schemas'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop-cli', private: true, type: 'module' }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.base.json', compilerOptions: { noEmit: true } }));

  const first = await mockstack(['init', '--name', 'shop', '--base-port', '5010'], dir);
  expect(first.code).toBe(0);
  expect(first.output).toMatch(/wrote scenarios\/shop\.ts: scenario "shop"/);
  expect(first.output).toMatch(/payments\s+grpc\s+:5010\s+4 handler\(s\)\s+protos\/payments\.proto/);
  expect(first.output).toMatch(/shippingRates\s+rest\s+:5013\s+4 handler\(s\)\s+schemas\/shipping-rates\.yaml/);
  const written = readFileSync(join(dir, 'scenarios', 'shop.ts'), 'utf8');

  const again = await mockstack(['init', '--name', 'shop'], dir);
  expect(again.code).toBe(1);
  expect(again.output).toMatch(/scenarios\/shop\.ts already exists; pass --force to overwrite it.*MOCKSTACK_ERR_INIT_FILE_EXISTS/);
  expect(readFileSync(join(dir, 'scenarios', 'shop.ts'), 'utf8')).toBe(written);
  const forced = await mockstack(['init', '--name', 'shop', '--force', 'schemas/catalog.graphql', 'protos/payments.proto'], dir);
  expect(forced.code).toBe(0);
  expect(readFileSync(join(dir, 'scenarios', 'shop.ts'), 'utf8')).not.toBe(written);

  const checked = await mockstack(['check', 'scenarios/shop.ts'], dir);
  expect(checked.output).toMatch(/✓ 1 scenario\(s\) match their contracts/);
  expect(checked.code).toBe(0);

  const run = serve(['up', 'scenarios/shop.ts', '--random-ports', '--admin-port', '0'], dir);
  try {
    const catalog = (await waitFor(run, /catalog\s+graphql\s+(http:\/\/127\.0\.0\.1:\d+\/graphql)/))[1];
    await waitFor(run, /Ready in \d+ ms/);
    const res = await fetch(String(catalog), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ categories { name } }' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { categories: { name: string }[] } };
    expect(body.data.categories.length).toBeGreaterThan(0);
  } finally {
    await stop(run.child);
  }
}, 90_000);

test('up --lenient serves a slightly invalid OpenAPI document and SDL, printing what it loaded them despite; without it, up fails naming the file', async () => {
  const yaml = 'test/fixtures/lenient/partner.yaml';
  const strict = await mockstack(['up', yaml, '--random-ports', '--no-admin'], root);
  expect(strict.code).toBe(1);
  expect(strict.output).toMatch(/partner\.yaml is not a valid OpenAPI 3\.0\/3\.1\/3\.2 document/);
  expect(strict.output).toMatch(/loads with --lenient/);
  const strictSdl = await mockstack(['up', 'test/fixtures/lenient/partner.graphql', '--random-ports', '--no-admin'], root);
  expect(strictSdl.code).toBe(1);
  expect(strictSdl.output).toMatch(/partner\.graphql:\d+:\d+: .*Interface field Node\.createdAt expected/);
  expect(strictSdl.output).toMatch(/loads with --lenient/);

  const run = serve(['up', yaml, 'test/fixtures/lenient/partner.graphql', '--lenient', '--random-ports', '--no-admin'], root);
  try {
    const url = (await waitFor(run, /partner\s+rest\s+(http:\/\/127\.0\.0\.1:\d+)/))[1];
    await waitFor(run, /Ready in \d+ ms/);
    // Every warning is on the terminal before "Ready": the logger writes synchronously, in order.
    const beforeReady = run.output().slice(0, run.output().search(/Ready in \d+ ms/));
    expect(beforeReady).toMatch(/loaded leniently despite \/paths\/~1quotes~1\{quoteId\}\/get\/parameters/);
    expect(beforeReady).toMatch(/loaded leniently despite .*partner\.graphql:\d+:\d+: Interface field Node\.createdAt expected/);
    expect((await fetch(`${url}/v1/quotes`)).status).toBe(200);
  } finally {
    await stop(run.child);
  }
}, 60_000);
