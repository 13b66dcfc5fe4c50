import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { writeStartupCache } from '@mockstack/core/startup-cache';

// The start-up cache of the bundled CLI (packages/mockstack/bin): where it goes, that a bad one never
// stops `mockstack up`, that the first run saves one the next loads, and that `npm run warm-up`
// (bench/train-up-cache.mjs) fills one V8 accepts.
const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');
const scratch = mkdtempSync(join(tmpdir(), 'mockstack-startup-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment without MOCKSTACK_CACHE_DIR, plus `extra`. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { MOCKSTACK_CACHE_DIR: _, ...rest } = process.env;
  return { ...rest, NODE_OPTIONS: '', ...extra };
}

function run(command: string[], cwd: string, environment: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, command, { cwd, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

/** `mockstack up <file>` until it answers GET `path` on its one service, then SIGTERM; resolves with the status and exit code. */
async function upAndAsk(file: string, path: string, cwd: string, environment: NodeJS.ProcessEnv): Promise<{ status: number; exitCode: number | null }> {
  const { status, exitCode } = await upAskAndRead(file, path, cwd, environment);
  return { status, exitCode };
}

/** The services of `up --log-format json` once its ready line is out (15 s at most). */
async function readyServices(up: ReturnType<typeof run>): Promise<{ url: string }[]> {
  const deadline = Date.now() + 15000;
  const readyLine = () =>
    up
      .output()
      .split('\n')
      .find((l) => l.startsWith('{"event":"ready"'));
  for (; !readyLine(); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > deadline || up.child.exitCode !== null) throw new Error(`not ready:\n${up.output()}`);
  }
  return (JSON.parse(String(readyLine())) as { services: { url: string }[] }).services;
}

/** upAndAsk, with what the process printed. */
async function upAskAndRead(
  file: string,
  path: string,
  cwd: string,
  environment: NodeJS.ProcessEnv,
): Promise<{ status: number; exitCode: number | null; output: string }> {
  const up = run([bin, 'up', file, '--random-ports', '--no-admin', '--quiet', '--log-format', 'json'], cwd, environment);
  try {
    const services = await readyServices(up);
    const res = await fetch(`${services[0]?.url}${path}`);
    await res.text();
    up.child.kill('SIGTERM');
    const exitCode = await up.exited;
    return { status: res.status, exitCode, output: up.output() };
  } finally {
    up.child.kill('SIGKILL');
  }
}

const v8Caches = (dir: string): string[] => readdirSync(dir).filter((name) => name.startsWith('cli-up-') && name.endsWith('.v8'));

test('without MOCKSTACK_CACHE_DIR, the code cache and OpenAPI entries go to node_modules/.cache/mockstack of the project up runs in', async () => {
  const project = join(scratch, 'project');
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  const { status, exitCode } = await upAndAsk(join(root, 'schemas/shipping-rates.yaml'), '/v2/rates?country=DE&weightGrams=1200&orderId=o1', project, env());
  expect(status).toBe(200);
  expect(exitCode).toBe(0);
  const cache = readdirSync(join(project, 'node_modules/.cache/mockstack'));
  expect(cache.filter((name) => name.startsWith('cli-up-'))).toHaveLength(1);
  expect(cache.some((name) => name.startsWith('openapi-document-'))).toBe(true);
});

test('entries are named after the build that wrote them: one an older mockstack left (an upgrade) is not read', async () => {
  const dir = join(scratch, 'upgrade');
  const ask = () =>
    upAskAndRead(join(root, 'schemas/shipping-rates.yaml'), '/v2/rates?country=DE&weightGrams=1200&orderId=o1', root, env({ MOCKSTACK_CACHE_DIR: dir }));
  expect((await ask()).status).toBe(200);
  // The document passed the spec check: its warnings (none) are kept under the build's name.
  const checked = readdirSync(dir).find((name) => name.startsWith('openapi-checked-')) as string;
  const [, base, build] = /^(.+)\.([0-9a-f]{32})$/.exec(checked) ?? [];
  expect(build).toBeDefined();
  /** Saves what a mockstack of build `by` would have saved for this document: a warning we can look for. */
  const leave = (by: string, warning: string): void => {
    const own = process.env.MOCKSTACK_CACHE_DIR;
    process.env.MOCKSTACK_CACHE_DIR = dir;
    try {
      // Run from the sources, the cache adds no build to a name: it is written as given.
      writeStartupCache(`${base}.${by}`, { warnings: [warning] });
    } finally {
      if (own === undefined) delete process.env.MOCKSTACK_CACHE_DIR;
      else process.env.MOCKSTACK_CACHE_DIR = own;
    }
  };
  rmSync(join(dir, checked));
  leave('0'.repeat(32), 'left by an older mockstack');
  const upgraded = await ask();
  expect(upgraded.status).toBe(200);
  expect(upgraded.output).not.toContain('left by an older mockstack');
  // The same entry under this build's own name is read (so the line above can fail).
  leave(String(build), 'saved by this mockstack');
  expect((await ask()).output).toContain('saved by this mockstack');
}, 30000);

test('a cache dir that cannot be written, or a code cache holding garbage, does not stop up; the garbage is replaced', async () => {
  const notADir = join(scratch, 'a-file');
  writeFileSync(notADir, '');
  const unwritable = await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: join(notADir, 'cache') }));
  expect(unwritable).toEqual({ status: 200, exitCode: 0 });

  const dir = join(scratch, 'garbage');
  await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }));
  const [cache] = v8Caches(dir);
  writeFileSync(join(dir, String(cache)), 'not a V8 code cache');
  const garbage = await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }));
  expect(garbage).toEqual({ status: 200, exitCode: 0 });
  expect(readFileSync(join(dir, String(cache)), 'utf8')).not.toBe('not a V8 code cache');
});

test('with no warm-up, the first up saves the code cache and the next up runs from it (V8 accepts it, so it is not saved again)', async () => {
  const dir = join(scratch, 'first-run');
  expect(await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  const saved = v8Caches(dir);
  expect(saved).toHaveLength(1);
  const before = statSync(join(dir, String(saved[0]))).mtimeMs;
  expect(await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  expect(v8Caches(dir)).toEqual(saved);
  expect(statSync(join(dir, String(saved[0]))).mtimeMs).toBe(before);
}, 30000);

/** The bundled modules a code cache's runs ran: the JSON list in its header (see cacheFileBytes in bin/mockstack.js). */
function modulesInCache(file: string): string[] {
  const bytes = readFileSync(file);
  return JSON.parse(bytes.toString('utf8', 8, 8 + bytes.readUInt32LE(4))) as string[];
}

test('a checkout stack whose start-up cache is filled reads none of the lazily bundled libraries, runs no faker code and maps no rule to its line', async () => {
  const dir = join(scratch, 'lazy');
  // Lists the CommonJS files node loaded (the bundle requires each lazy library's file, dist/cli/lib/*.cjs, when first needed),
  // and the files whose source map was looked up and found (a rule's line is mapped only when it is shown, see captureSource).
  const preload = join(scratch, 'list-loaded.cjs');
  const listed = join(scratch, 'loaded.txt');
  const mapsRead = join(scratch, 'maps-read.txt');
  writeFileSync(
    preload,
    `const nodeModule = require('node:module');
const findSourceMap = nodeModule.findSourceMap;
const found = [];
nodeModule.findSourceMap = (file) => {
  const map = findSourceMap(file);
  if (map) found.push(file);
  return map;
};
process.on('exit', () => {
  require('node:fs').writeFileSync(${JSON.stringify(listed)}, Object.keys(require.cache).join('\\n'));
  require('node:fs').writeFileSync(${JSON.stringify(mapsRead)}, found.join('\\n'));
});
`,
  );
  const environment = env({ MOCKSTACK_CACHE_DIR: dir, NODE_OPTIONS: `--require ${preload}` });
  // The first run parses and checks the OpenAPI document (the spec check loads its schemas); the next reads both from the cache.
  expect(await upAndAsk('scenarios/checkout.ts', '/orders/ord_1001', root, environment)).toEqual({ status: 200, exitCode: 0 });
  expect(await upAndAsk('scenarios/checkout.ts', '/orders/ord_1001', root, environment)).toEqual({ status: 200, exitCode: 0 });
  const loaded = readFileSync(listed, 'utf8').split('\n');
  // What the bundle does require: the file that imports the scenario.
  expect(loaded.some((file) => file.endsWith('import-module.cjs'))).toBe(true);
  expect(loaded.filter((file) => /[\\/]dist[\\/]cli[\\/]lib[\\/]/.test(file))).toEqual([]);
  expect(readFileSync(mapsRead, 'utf8')).toBe('');
  const [cache] = v8Caches(dir);
  const modules = modulesInCache(join(dir, String(cache)));
  expect(modules.length).toBeGreaterThan(100);
  expect(modules.filter((module) => module.includes('@faker-js'))).toEqual([]);
}, 60000);

test('a code cache saved by an up of one REST service is saved again, grown, by an up that also ran GraphQL and gRPC; then kept', async () => {
  const dir = join(scratch, 'grown');
  expect(await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  const [cache] = v8Caches(dir);
  const file = join(dir, String(cache));
  const restOnly = statSync(file);
  // V8 accepts the cache (it was not saved for failing), but the checkout stack compiled its GraphQL and gRPC code anew.
  expect(await upAndAsk('scenarios/checkout.ts', '/orders/ord_1001', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  expect(v8Caches(dir)).toEqual([cache]);
  const grown = statSync(file);
  expect(grown.size).toBeGreaterThan(restOnly.size);
  // Now it holds what either stack runs: neither saves it again.
  expect(await upAndAsk('scenarios/checkout.ts', '/orders/ord_1001', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  expect(await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  expect(statSync(file).mtimeMs).toBe(grown.mtimeMs);
}, 60000);

test('a code cache saved before caches listed their modules is used, then saved again once with the list', async () => {
  const dir = join(scratch, 'unlisted');
  expect(await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  const file = join(dir, String(v8Caches(dir)[0]));
  const listed = readFileSync(file);
  // What bin/mockstack.js saved before: V8's data alone, which follows the list (padded to 8 bytes).
  const v8Data = listed.subarray(Math.ceil((8 + listed.readUInt32LE(4)) / 8) * 8);
  writeFileSync(file, v8Data);
  expect(await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  const saved = readFileSync(file);
  expect(saved.toString('latin1', 0, 4)).toBe('msv8');
  const before = statSync(file).mtimeMs;
  expect(await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  expect(statSync(file).mtimeMs).toBe(before);
}, 30000);

test('npm run warm-up leaves only the code cache of up, and up runs from it (V8 accepts it, so it is not saved again)', async () => {
  const dir = join(scratch, 'installed');
  const training = run(['bench/train-up-cache.mjs'], root, env({ MOCKSTACK_CACHE_DIR: dir }));
  expect(await training.exited).toBe(0);
  expect(training.output()).not.toMatch(/not filled/);
  const trained = v8Caches(dir);
  expect(readdirSync(dir)).toEqual(trained);
  expect(trained).toHaveLength(1);
  const before = statSync(join(dir, String(trained[0]))).mtimeMs;

  const { status, exitCode } = await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }));
  expect({ status, exitCode }).toEqual({ status: 200, exitCode: 0 });
  expect(statSync(join(dir, String(trained[0]))).mtimeMs).toBe(before);
}, 30000);

test('a moved install keeps its code cache: it is named after the bundle content, not its path or file times', async () => {
  const dir = join(scratch, 'moved');
  expect(await upAndAsk('bench/scenarios/static-route.ts', '/orders/1', root, env({ MOCKSTACK_CACHE_DIR: dir }))).toEqual({ status: 200, exitCode: 0 });
  const saved = v8Caches(dir);
  expect(saved).toHaveLength(1);
  const before = statSync(join(dir, String(saved[0]))).mtimeMs;
  // Inside the repository's node_modules, so that the copy resolves its dependencies; copied files get new times.
  const moved = mkdtempSync(join(root, 'node_modules', '.mockstack-moved-'));
  try {
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(root, 'packages/mockstack', part), join(moved, part), { recursive: true });
    const up = run(
      [join(moved, 'bin/mockstack.js'), 'up', 'bench/scenarios/static-route.ts', '--random-ports', '--no-admin', '--quiet'],
      root,
      env({ MOCKSTACK_CACHE_DIR: dir }),
    );
    await new Promise<void>((ready, failed) => {
      const timer = setInterval(() => {
        if (/ready/i.test(up.output())) ready();
        else if (up.child.exitCode !== null) failed(new Error(`exited:\n${up.output()}`));
        else return;
        clearInterval(timer);
      }, 25);
    });
    up.child.kill('SIGTERM');
    expect(await up.exited).toBe(0);
  } finally {
    rmSync(moved, { recursive: true, force: true });
  }
  // V8 accepted the cache the other path saved: nothing was saved again.
  expect(v8Caches(dir)).toEqual(saved);
  expect(statSync(join(dir, String(saved[0]))).mtimeMs).toBe(before);
}, 30000);

/** `mockstack up <proto>` (served as a contract, answers auto-mocked) until it answers `method` once, then SIGTERM; the answer's bytes. */
async function upAndCallGrpc(proto: string, method: string, environment: NodeJS.ProcessEnv): Promise<Buffer> {
  const up = run([bin, 'up', proto, '--random-ports', '--no-admin', '--quiet', '--log-format', 'json'], root, environment);
  try {
    const services = await readyServices(up);
    const client = new grpc.Client(String(services[0]?.url).replace('grpc://', ''), grpc.credentials.createInsecure());
    const identity = (bytes: Buffer) => bytes;
    try {
      return await new Promise<Buffer>((answered, failed) =>
        client.makeUnaryRequest(method, identity, identity, Buffer.alloc(0), (error, value) => (error || !value ? failed(error) : answered(value))),
      );
    } finally {
      client.close();
      up.child.kill('SIGTERM');
      await up.exited;
    }
  } finally {
    up.child.kill('SIGKILL');
  }
}

test('the protos parsed by one up are read by the next, until an import changes: then the change is served', async () => {
  const dir = join(scratch, 'protos');
  const cache = join(dir, 'cache');
  mkdirSync(dir, { recursive: true });
  const main = join(dir, 'main.proto');
  const common = join(dir, 'common.proto');
  writeFileSync(main, 'syntax = "proto3";\npackage t.v1;\nimport "common.proto";\nservice Prices { rpc Get(Money) returns (Money); }\n');
  writeFileSync(common, 'syntax = "proto3";\npackage t.v1;\nmessage Money { int64 units = 1; }\n');
  const call = () => upAndCallGrpc(main, '/t.v1.Prices/Get', env({ MOCKSTACK_CACHE_DIR: cache }));
  // Field 2 (a string, tag 0x12): auto-mocked as a currency code once Money has it.
  const hasCurrency = (answer: Buffer) => answer.includes(Buffer.from([0x12, 0x03]));

  expect(hasCurrency(await call())).toBe(false);
  const entries = () => readdirSync(cache).filter((name) => name.startsWith('protos-v3-'));
  expect(entries()).toHaveLength(1);
  const entry = join(cache, String(entries()[0]));
  const written = statSync(entry);
  // Read, not parsed and saved again: the same file (a save writes a new one and renames it), marked used.
  await new Promise((r) => setTimeout(r, 20));
  expect(hasCurrency(await call())).toBe(false);
  expect(statSync(entry).ino).toBe(written.ino);
  expect(statSync(entry).mtimeMs).toBeGreaterThan(written.mtimeMs);

  writeFileSync(common, 'syntax = "proto3";\npackage t.v1;\nmessage Money { int64 units = 1; string currency = 2; }\n');
  expect(hasCurrency(await call())).toBe(true);
  expect(statSync(entry).ino).not.toBe(written.ino);
}, 30000);
