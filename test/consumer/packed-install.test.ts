import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { RedisServer } from '../helpers/redis.js';

// What a user gets from `npm install -D mockstack`, checked outside this repository: the tarball
// `npm pack` makes, installed into projects in the OS temp dir with nothing but the registry (no
// workspace links, no root overrides, --engine-strict on this Node 20), then the CLI, each test
// runner and a strict type-check, as the examples/ folder's projects use them.
const root = resolve(import.meta.dirname, '../..');
/** Yarn's CLI (exact-pinned devDependency), run with node. */
const yarnJs = join(dirname(createRequire(import.meta.url).resolve('@yarnpkg/cli-dist/package.json')), 'bin/yarn.js');
const work = mkdtempSync(join(tmpdir(), 'mockstack-consumer-'));
const service = join(work, 'service-in-ci');
const thirdParty = join(work, 'third-party-stand-in');
const frontend = join(work, 'frontend-with-graphql');
let packedFiles: string[] = [];
/** The tarball `npm pack` made. */
let tarballPath = '';

/** The environment of a user's shell: none of the npm, jest and NODE_OPTIONS settings of the `npm test` running this. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|NODE_OPTIONS$|JEST_WORKER_ID$|INIT_CWD$|MOCKSTACK_CACHE_DIR$)/i.test(name)) env[name] = value;
  }
  return env;
}

interface Finished {
  code: number | null;
  stdout: string;
  /** stdout and stderr as they came. */
  output: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Finished> {
  const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, output }));
  });
}

/** Runs a command that must succeed and resolves to its stdout; fails with its output otherwise. */
async function succeed(command: string, args: readonly string[], cwd: string): Promise<string> {
  const { code, stdout, output } = await run(command, args, cwd);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${code}:\n${output}`);
  return stdout;
}

const mockstack = (project: string) => join(project, 'node_modules/.bin/mockstack');

interface ReadyFile {
  pid: number;
  services: { name: string; protocol: string; host: string; port: number; url: string }[];
}

/** `mockstack up … --ready-file`, as the CI recipe runs it: resolves once the ready file is written. */
async function up(
  project: string,
  args: readonly string[],
  how: { command: string; prefix: readonly string[]; env: NodeJS.ProcessEnv } = { command: mockstack(project), prefix: [], env: userEnv() },
): Promise<{ ready: ReadyFile; stop: () => Promise<Finished> }> {
  const readyFile = join(project, `ready-${Date.now()}.json`);
  const child = spawn(how.command, [...how.prefix, 'up', ...args, '--random-ports', '--no-admin', '--quiet', '--ready-file', readyFile], {
    cwd: project,
    env: how.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<Finished>((done) => child.once('close', (code) => done({ code, stdout: output, output })));
  const deadline = Date.now() + 60_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mockstack up ${args.join(' ')} wrote no ready file:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let ready: ReadyFile;
  try {
    ready = JSON.parse(readFileSync(readyFile, 'utf8')) as ReadyFile;
  } catch (error) {
    // Never leave a server behind: it would keep jest from exiting.
    child.kill('SIGKILL');
    throw error;
  }
  return {
    ready,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const address = (ready: ReadyFile, name: string) => {
  const found = ready.services.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name} in ${JSON.stringify(ready)}`);
  return found;
};

beforeAll(async () => {
  const packed = JSON.parse(await succeed('npm', ['pack', '--json', '--pack-destination', work], join(root, 'packages/mockstack'))) as {
    filename: string;
    files: { path: string }[];
  }[];
  const [tarball] = packed;
  if (!tarball) throw new Error('npm pack made no tarball');
  packedFiles = tarball.files.map((f) => f.path);
  tarballPath = join(work, tarball.filename);

  const examples = (name: string, to: string) =>
    cpSync(join(root, 'examples', name), to, { recursive: true, filter: (path) => !/[\\/](node_modules|generated)$/.test(path) });
  examples('service-in-ci', service);
  examples('third-party-stand-in', thirdParty);
  examples('frontend-with-graphql', frontend);
  // The example's own devDependencies (exact versions: jest, ts-jest, vitest, typescript, ...), mockstack from the tarball.
  const manifest = JSON.parse(readFileSync(join(service, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  manifest.devDependencies.mockstack = `file:${tarballPath}`;
  // mockstack/msw's peer, as a frontend project installs it (the version the repository tests with).
  manifest.devDependencies.msw = (JSON.parse(readFileSync(join(root, 'packages/msw/package.json'), 'utf8')) as { dependencies: Record<string, string> })
    .dependencies.msw as string;
  writeFileSync(join(service, 'package.json'), JSON.stringify(manifest, null, 2));
  // --prefer-online: resolved against the registry as it is now, as a user's first install is; a package
  // document this machine's npm cache kept from before a dependency's new release would ask for a
  // version it does not list (ETARGET).
  await succeed('npm', ['install', '--engine-strict', '--prefer-online', '--no-audit', '--no-fund'], service);
  // The other two examples need only mockstack: they share that install.
  for (const project of [thirdParty, frontend]) symlinkSync(join(service, 'node_modules'), join(project, 'node_modules'), 'dir');
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the tarball holds the built package, its license and notices, and no sources', () => {
  const required = [
    'LICENSE',
    'README.md',
    'package.json',
    'bin/mockstack.js',
    'bin/import-module.cjs',
    'dist/cli/mockstack.cjs',
    'dist/cli/startup-cache.js',
    'dist/index.js',
    'dist/index.cjs',
    'dist/index.d.ts',
    'dist/index.d.cts',
    'dist/template-engine.js',
    'dist/template-engine.cjs',
    'dist/testing.js',
    'dist/testing.cjs',
    'dist/testing.d.ts',
    'dist/testing.d.cts',
    'dist/msw.js',
    'dist/msw.browser.js',
    'dist/msw.d.ts',
    'dist/mountebank.js',
    'dist/mountebank.cjs',
    'dist/mountebank.d.ts',
    'dist/wiremock.js',
    'dist/wiremock.cjs',
    'dist/wiremock.d.ts',
    'dist/vitest.js',
    'dist/vitest.d.ts',
    'dist/protos/google/rpc/status.proto',
    'dist/protos/google/rpc/error_details.proto',
    'dist/THIRD-PARTY-NOTICES.md',
  ];
  expect(required.filter((file) => !packedFiles.includes(file))).toEqual([]);
  expect(packedFiles.filter((file) => file.startsWith('src/') || file.endsWith('.ts.map') || file.endsWith('.js.map'))).toEqual([]);
  const installed = JSON.parse(readFileSync(join(service, 'node_modules/mockstack/package.json'), 'utf8')) as Record<string, unknown>;
  expect(installed.license).toBe('MIT');
  expect(installed.engines).toEqual({ node: '>=20' });
  expect(JSON.stringify(installed.dependencies)).not.toMatch(/@mockstack\/|file:|workspace:/);
  // The repository's development condition points at src/, which the tarball does not hold (prepack.mjs drops it).
  expect(JSON.stringify(installed)).not.toMatch(/@mockstack\/source|\.\/src\//);
  expect(installed.devDependencies).toBeUndefined();
  // And postpack.mjs put the repository's own package.json back.
  expect(readFileSync(join(root, 'packages/mockstack/package.json'), 'utf8')).toMatch(/"@mockstack\/source"/);
});

// The install in beforeAll ran with --engine-strict: a package whose engines exclude this Node would have failed it.
test('the installed tree needs no @mockstack/* package', async () => {
  const tree = await succeed('npm', ['ls', '--all', '--json'], service);
  expect(tree).toMatch(/"mockstack"/);
  expect(tree).not.toMatch(/"@mockstack\//);
}, 60_000);

test('npx mockstack --version and -v print the installed version', async () => {
  expect((await succeed('npx', ['mockstack', '--version'], service)).trim()).toBe('0.1.0');
  expect((await succeed('npx', ['mockstack', '-v'], service)).trim()).toBe('0.1.0');
}, 60_000);

test('mockstack up serves a scenario over REST and GraphQL until SIGTERM', async () => {
  const { ready, stop } = await up(service, ['scenarios/dependencies.ts']);
  try {
    const paid = await fetch(`${address(ready, 'payments').url}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 24 }),
    });
    expect(paid.status).toBe(201);
    expect(await paid.json()).toEqual({ id: 'pay_1' });
    const priced = await fetch(address(ready, 'catalog').url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ product(sku: "MUG") { name price } }' }),
    });
    expect(await priced.json()).toEqual({ data: { product: { name: 'Mug', price: 12 } } });
  } finally {
    expect((await stop()).code).toBe(0);
  }
}, 120_000);

test('mockstack up serves contracts with no scenario: an OpenAPI document over REST and a proto over gRPC', async () => {
  const { ready, stop } = await up(thirdParty, ['schemas/weather.yaml', 'protos/fraud.proto']);
  try {
    const forecast = await fetch(`${address(ready, 'weather').url}/v1/forecast/Berlin`);
    expect(forecast.status).toBe(200);
    expect(await forecast.json()).toEqual({ city: 'Berlin', days: [{ date: '2026-12-03', summary: 'cloudy', highC: 4 }] });

    const fraud = address(ready, 'fraud');
    const definition = grpc.loadPackageDefinition(protoLoader.loadSync(join(thirdParty, 'protos/fraud.proto'))) as unknown as {
      partner: { fraud: { v1: { FraudCheck: grpc.ServiceClientConstructor } } };
    };
    type Score = { risk?: number; block?: boolean };
    const client = new definition.partner.fraud.v1.FraudCheck(`${fraud.host}:${fraud.port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      Score(request: object, callback: (error: grpc.ServiceError | null, reply: Score) => void): grpc.ClientUnaryCall;
    };
    try {
      const answer = await new Promise<Score>((done, fail) =>
        client.Score({ orderId: 'o1', amountCents: 5 }, (error, reply) => (error ? fail(error) : done(reply))),
      );
      expect(typeof answer.risk).toBe('number');
      expect(typeof answer.block).toBe('boolean');
    } finally {
      client.close();
    }
  } finally {
    expect((await stop()).code).toBe(0);
  }
}, 120_000);

test('mockstack init writes a scenario from the contracts; gen types it and check passes it and the examples', async () => {
  await succeed(mockstack(thirdParty), ['init', '--name', 'from-contracts'], thirdParty);
  expect(existsSync(join(thirdParty, 'scenarios/from-contracts.ts'))).toBe(true);
  await succeed(mockstack(thirdParty), ['gen'], thirdParty);
  expect(readFileSync(join(thirdParty, 'scenarios/generated/contracts.d.ts'), 'utf8')).toMatch(/partner\.fraud\.v1\.FraudCheck/);
  await succeed(mockstack(thirdParty), ['check', 'scenarios/from-contracts.ts', 'scenarios/partners.ts'], thirdParty);
  await succeed(mockstack(frontend), ['gen'], frontend);
  await succeed(mockstack(frontend), ['check', 'scenarios/storefront.ts'], frontend);
}, 240_000);

test('a strict tsconfig (@tsconfig/strictest) type-checks scenarios and tests from the .d.ts alone, and catches a wrong answer', async () => {
  await succeed(mockstack(service), ['gen'], service);
  const files = await succeed('npx', ['tsc', '-p', 'tsconfig.json', '--listFiles'], service);
  const fromMockstack = files.split('\n').filter((file) => file.includes('/node_modules/mockstack/'));
  expect(fromMockstack.length).toBeGreaterThan(0);
  expect(fromMockstack.filter((file) => !/\/node_modules\/mockstack\/dist\/[^/]+\.d\.c?ts$/.test(file))).toEqual([]);

  // The GraphQL schema says price is a Float: a string answer is a type error in the user's file.
  const scenario = readFileSync(join(service, 'scenarios/dependencies.ts'), 'utf8');
  writeFileSync(join(service, 'scenarios/wrong.ts'), scenario.replace('price: 12', "price: 'twelve'"));
  // The vitest spec's expect(stack).toHaveReceived(...) type-checked above through mockstack/vitest's
  // augmentation (test/vitest/setup.ts); a wrong argument to it is an error too.
  const vitestSpec = readFileSync(join(service, 'test/vitest/checkout.spec.ts'), 'utf8');
  writeFileSync(join(service, 'test/vitest/wrong.ts'), vitestSpec.replace("toHaveReceived('POST /payments', {", 'toHaveReceived({'));
  try {
    const { code, output } = await run('npx', ['tsc', '-p', 'tsconfig.json'], service);
    expect(code).not.toBe(0);
    expect(output).toMatch(/scenarios\/wrong\.ts\(\d+,\d+\): error TS2322/);
    expect(output).toMatch(/test\/vitest\/wrong\.ts\(\d+,\d+\): error TS2345/);
  } finally {
    rmSync(join(service, 'scenarios/wrong.ts'));
    rmSync(join(service, 'test/vitest/wrong.ts'));
  }
}, 180_000);

// Yarn 2+'s default install: Plug'n'Play. No node_modules folder: packages stay in zip archives of
// Yarn's cache, found through a map its runtime (loaded into node by `yarn …`) reads.
test("in a Yarn Plug'n'Play project (no node_modules): gen, check (catching a wrong answer, type packages of its tsconfig found) and up", async () => {
  const project = join(work, 'yarn-pnp');
  cpSync(join(root, 'examples/third-party-stand-in'), project, { recursive: true, filter: (path) => !/[\\/](node_modules|generated)$/.test(path) });
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const typesNode = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[
    '@types/node'
  ];
  manifest.devDependencies = { mockstack: `file:${tarballPath}`, '@types/node': typesNode as string };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  const compilerOptions = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], noEmit: true };
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['scenarios'] }));
  // The registry npm uses (Yarn's own default is another host); a first install writes its lockfile, which
  // Yarn forbids by default where CI is set.
  const registry = (await succeed('npm', ['config', 'get', 'registry'], project)).trim().replace(/\/$/, '');
  writeFileSync(join(project, '.yarnrc.yml'), `nodeLinker: pnp\nnpmRegistryServer: "${registry}"\nenableTelemetry: false\nenableImmutableInstalls: false\n`);
  writeFileSync(join(project, 'yarn.lock'), '');
  const yarn = (args: readonly string[]) => run(process.execPath, [yarnJs, ...args], project);
  const succeeds = async (args: readonly string[]) => {
    const { code, output } = await yarn(args);
    if (code !== 0) throw new Error(`yarn ${args.join(' ')} exited ${code}:\n${output}`);
    return output;
  };
  await succeeds(['install']);
  expect(existsSync(join(project, 'node_modules'))).toBe(false);
  expect(existsSync(join(project, '.pnp.cjs'))).toBe(true);

  await succeeds(['mockstack', 'gen']);
  expect(await succeeds(['mockstack', 'check'])).toMatch(/1 scenario\(s\) match their contracts/);
  // The proto's `risk` is a float: the wrong answer is found in the user's file, so types did resolve.
  const scenario = readFileSync(join(project, 'scenarios/partners.ts'), 'utf8');
  writeFileSync(join(project, 'scenarios/wrong.ts'), scenario.replace('risk: 0.97', "risk: 'high'"));
  const wrong = await yarn(['mockstack', 'check', 'scenarios/wrong.ts']);
  rmSync(join(project, 'scenarios/wrong.ts'));
  expect(wrong.code).not.toBe(0);
  expect(stripVTControlCharacters(wrong.output)).toMatch(/scenarios\/wrong\.ts:\d+:\d+: .*'string' is not assignable to type 'number/);
  expect(wrong.output).not.toMatch(/Cannot find module|Cannot find type definition/);

  // up: node with Yarn's runtime, as `yarn mockstack up` starts it, as one process to stop with a signal.
  const bin = (await succeeds(['bin', 'mockstack'])).trim();
  const pnpRuntime = `--require ${join(project, '.pnp.cjs')} --experimental-loader ${pathToFileURL(join(project, '.pnp.loader.mjs')).href}`;
  const { ready, stop } = await up(project, ['scenarios/partners.ts'], {
    command: process.execPath,
    prefix: [bin],
    env: { ...userEnv(), NODE_OPTIONS: pnpRuntime },
  });
  try {
    const forecast = await fetch(`${address(ready, 'weather').url}/v1/forecast/Oslo`);
    expect(forecast.status).toBe(200);
    expect(await forecast.json()).toMatchObject({ city: 'Oslo', days: [{ summary: 'snow' }] });
  } finally {
    expect((await stop()).code).toBe(0);
  }
}, 600_000);

describe('each test runner starts the scenario with mockstack/testing and makes real requests', () => {
  test.each([
    ['jest, CommonJS through ts-jest', 'test:jest', /Tests:\s+2 passed, 2 total/],
    ['jest, native ES modules through ts-jest', 'test:jest-esm', /Tests:\s+2 passed, 2 total/],
    ['vitest', 'test:vitest', /Tests\s+.*2 passed/],
    ['node:test', 'test:node', /# pass 1\n# fail 0/],
  ])(
    '%s',
    async (_runner, script, passed) => {
      const { code, output } = await run('npm', ['run', script], service);
      if (code !== 0) throw new Error(`npm run ${script} exited ${code}:\n${output}`);
      expect(stripVTControlCharacters(output)).toMatch(passed);
    },
    240_000,
  );
});

test('mockstack/msw intercepts fetch in a plain Node script of the project: REST, GraphQL and gRPC (Connect) from one scenario, variants, journal', async () => {
  mkdirSync(join(frontend, 'protos'), { recursive: true });
  writeFileSync(
    join(frontend, 'protos/greeter.proto'),
    `syntax = "proto3";
package demo.v1;
import "google/protobuf/timestamp.proto";
service Greeter { rpc Hello (HelloRequest) returns (HelloReply); }
message HelloRequest { string name = 1; }
message HelloReply { string text = 1; google.protobuf.Timestamp at = 2; }
`,
  );
  writeFileSync(
    join(frontend, 'msw-check.mjs'),
    `import { setupServer } from 'msw/node';
import { fault, graphql, grpc, rest, scenario } from 'mockstack';
import { handlersFor } from 'mockstack/msw';

const shop = scenario('consumer-msw', { state: () => ({ views: 0 }) })
  .services({
    api: rest({ port: 8123 }, [rest.get('/views', ({ state }) => ({ views: ++state.views }))]),
    greeter: grpc({ port: 8125, proto: 'protos/greeter.proto', web: { port: 8126 } }, [
      grpc.method('demo.v1.Greeter/Hello', ({ request, state }) => ({ text: 'hi ' + request.name + ' #' + state.views, at: '2026-12-04T10:00:00Z' })),
    ]),
    store: graphql({ port: 8124, schema: 'schemas/storefront.graphql' }, { Query: { products: [{ sku: 'MUG', name: 'Mug', priceCents: 1200 }] } }),
  })
  .variants({ 'api-down': { api: fault.unavailable('maintenance') } });
const mocks = handlersFor(shop);
const server = setupServer(...mocks);
server.listen({ onUnhandledRequest: 'error' });
await mocks.ready;
const first = await (await fetch('http://localhost:8123/views')).json();
const second = await (await fetch('http://localhost:8123/views')).json();
mocks.variant('api-down');
const down = (await fetch('http://localhost:8123/views')).status;
const products = await (
  await fetch('http://localhost:8124/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ products { sku name } }' }),
  })
).json();
// Connect's JSON protocol, as @connectrpc/connect-web sends it.
const hello = await (
  await fetch('http://localhost:8126/demo.v1.Greeter/Hello', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"ada"}' })
).json();
server.close();
console.log(JSON.stringify({ first, second, down, products, hello, journal: mocks.requests().length }));
`,
  );
  const printed = JSON.parse((await succeed('node', ['msw-check.mjs'], frontend)).trim().split('\n').pop() ?? '{}') as unknown;
  expect(printed).toEqual({
    first: { views: 1 },
    second: { views: 2 },
    down: 503,
    products: { data: { products: [{ sku: 'MUG', name: 'Mug' }] } },
    hello: { text: 'hi ada #2', at: '2026-12-04T10:00:00Z' },
    journal: 5,
  });
}, 120_000);

test('two `mockstack up --store redis://…` processes of the installed package share one state', async () => {
  const redis = await RedisServer.start();
  const first = await up(service, ['scenarios/dependencies.ts', '--store', redis.url]);
  try {
    const second = await up(service, ['scenarios/dependencies.ts', '--store', redis.url]);
    try {
      const pay = (ready: ReadyFile) =>
        fetch(`${address(ready, 'payments').url}/payments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amount: 24 }),
        }).then((response) => response.json());
      // The scenario numbers payments from its state: the second process continues the first's count.
      expect(await pay(first.ready)).toEqual({ id: 'pay_1' });
      expect(await pay(second.ready)).toEqual({ id: 'pay_2' });
    } finally {
      expect((await second.stop()).code).toBe(0);
    }
  } finally {
    expect((await first.stop()).code).toBe(0);
    await redis.stop();
  }
}, 120_000);
