import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { waitFor } from '../reliability/cli-process.js';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');
const require = createRequire(import.meta.url);
// An empty start-up cache: the bundled CLI parses the OpenAPI document itself (YAML, $refs, spec check).
const cacheDir = mkdtempSync(join(tmpdir(), 'mockstack-cli-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function mockstack(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', MOCKSTACK_CACHE_DIR: cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

test('`mockstack up scenarios/checkout.ts` prints its services, serves and logs requests, and stops cleanly on SIGTERM', async () => {
  const run = mockstack(['up', 'scenarios/checkout.ts', '--random-ports', '--admin-port', '0']);
  try {
    await waitFor(run, /Ready in \d+ ms/);
    const orders = (await waitFor(run, /orders\s+rest\s+(http:\/\/127\.0\.0\.1:\d+)/))[1];
    const admin = (await waitFor(run, /admin\s+http\s+(http:\/\/127\.0\.0\.1:\d+\/__admin)/))[1];
    expect(run.output()).toMatch(/mockstack · scenario "checkout" \(scenarios\/checkout\.ts\) · seed 42/);

    const order = await fetch(`${orders}/orders/ord_1001`);
    expect(order.status).toBe(200);
    expect(await order.json()).toMatchObject({ id: 'ord_1001', status: 'PAID' });
    expect((await fetch(`${orders}/orders/ord_9`)).status).toBe(404);
    await waitFor(run, /orders\s+GET \/orders\/ord_1001\s+200\s+orders#\d+\s+[\d.]+ms/);
    await waitFor(run, /orders\s+GET \/orders\/ord_9\s+404\s+orders#\d+/);

    // the CLI switches variants of the running stack through its admin API
    const variant = mockstack(['variant', 'orders-down', '--admin', String(admin)]);
    expect(await variant.exited).toBe(0);
    expect(variant.output()).toMatch(/active variants: orders-down/);
    expect((await fetch(`${orders}/orders/ord_1001`)).status).toBe(503);
    const unknown = mockstack(['variant', 'nope', '--admin', String(admin)]);
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toMatch(/unknown variant "nope"/);
  } finally {
    run.child.kill('SIGTERM');
  }
  expect(await run.exited).toBe(0);
});

test('--quiet and --log-format json print one JSON ready line and no request lines', async () => {
  const run = mockstack(['up', 'scenarios/checkout.ts', '--random-ports', '--no-admin', '--quiet', '--log-format', 'json']);
  try {
    const line = (await waitFor(run, /^\{"event":"ready".*\}$/m))[0];
    const ready = JSON.parse(line) as { services: { name: string; url: string }[] };
    const orders = ready.services.find((s) => s.name === 'orders');
    expect((await fetch(`${orders?.url}/orders`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(run.output()).not.toMatch(/GET \/orders/);
  } finally {
    run.child.kill('SIGTERM');
  }
  expect(await run.exited).toBe(0);
});

test('the bundled CLI serves gRPC health and reflection, which read .proto files installed with their packages', async () => {
  const run = mockstack(['up', 'scenarios/checkout.ts', '--random-ports', '--no-admin', '--quiet', '--log-format', 'json']);
  try {
    const line = (await waitFor(run, /^\{"event":"ready".*\}$/m))[0];
    const payments = (JSON.parse(line) as { services: { name: string; url: string }[] }).services.find((s) => s.name === 'payments');
    const address = String(payments?.url).replace('grpc://', '');
    const load = (path: string) => grpcJs.loadPackageDefinition(loadSync(require.resolve(path), { keepCase: true, enums: String }));
    type Constructor = new (address: string, credentials: grpcJs.ChannelCredentials) => grpcJs.Client;
    const clientOf = (definition: grpcJs.GrpcObject, path: string[]) =>
      new (path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], definition) as Constructor)(
        address,
        grpcJs.credentials.createInsecure(),
      );

    const health = clientOf(load('grpc-health-check/proto/health/v1/health.proto'), ['grpc', 'health', 'v1', 'Health']) as grpcJs.Client & {
      Check(request: object, callback: (error: grpcJs.ServiceError | null, response?: { status: string }) => void): void;
    };
    const status = await new Promise((resolve, reject) =>
      health.Check({ service: '' }, (error, response) => (error ? reject(error) : resolve(response?.status))),
    );
    health.close();
    expect(status).toBe('SERVING');

    const reflection = clientOf(load('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'), [
      'grpc',
      'reflection',
      'v1',
      'ServerReflection',
    ]) as grpcJs.Client & { ServerReflectionInfo(): grpcJs.ClientDuplexStream<object, { list_services_response?: { service: { name: string }[] } }> };
    const call = reflection.ServerReflectionInfo();
    const listed = new Promise<string[]>((resolve, reject) => {
      call.on('data', (response: { list_services_response?: { service: { name: string }[] } }) => {
        resolve((response.list_services_response?.service ?? []).map((s) => s.name));
        call.end();
      });
      call.on('error', reject);
    });
    call.write({ list_services: '*' });
    expect(await listed).toEqual(expect.arrayContaining(['checkout.payments.v1.PaymentService', 'grpc.health.v1.Health']));
    reflection.close();
  } finally {
    run.child.kill('SIGTERM');
  }
  expect(await run.exited).toBe(0);
});

test('a scenario that fails to load exits 1 with file:line', async () => {
  const run = mockstack(['up', 'test/fixtures/broken/syntax-error.ts']);
  expect(await run.exited).toBe(1);
  expect(run.output()).toMatch(/test\/fixtures\/broken\/syntax-error\.ts:4:\d+: cannot load scenario: .*\[MOCKSTACK_ERR_SCENARIO_LOAD\]/s);
});

// The CLI reads an author's line from V8's call sites and the scenario's source map (core/src/source.ts),
// not from node's formatted stack as a test process does: the lines must be the same.
test('a scenario that does not compile exits 1 naming the file:line of each rule', async () => {
  const run = mockstack(['up', 'test/fixtures/broken/compile-errors.ts', '--no-admin']);
  expect(await run.exited).toBe(1);
  const output = run.output();
  expect(output).toMatch(/compile-errors\.ts:7:12: duplicate route: GET \/orders\/:id .* at test\/fixtures\/broken\/compile-errors\.ts:6:12,/);
  expect(output).toMatch(/compile-errors\.ts:12:12: service "a": path "\/bad\/:1x" has a malformed parameter/);
  expect(output).toMatch(/compile-errors\.ts:14:8: services "a" and "b" both want port 18181/);
});

// `npx mockstack up scenario.ts` where no project installed mockstack (no package.json, no node_modules up the tree).
test('a scenario outside any project that has mockstack imports the mockstack running it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-no-install-'));
  try {
    writeFileSync(
      join(dir, 'standalone.ts'),
      "import { rest, scenario } from 'mockstack';\n\nexport default scenario('standalone').services({\n  api: rest({ port: 0 }, [rest.get('/hello/:name', ({ params }) => ({ hello: params.name }))]),\n});\n",
    );
    const run = mockstack(['up', join(dir, 'standalone.ts'), '--no-admin']);
    try {
      const api = (await waitFor(run, /api\s+rest\s+(http:\/\/127\.0\.0\.1:\d+)/))[1];
      expect(await (await fetch(`${api}/hello/ada`)).json()).toEqual({ hello: 'ada' });
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a port in use exits 1 naming the service and port', async () => {
  const first = mockstack(['up', 'test/fixtures/scenarios/fixed-port.ts', '--no-admin']);
  try {
    await waitFor(first, /Ready in/);
    const second = mockstack(['up', 'test/fixtures/scenarios/fixed-port.ts', '--no-admin']);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/service "api" cannot listen on 127\.0\.0\.1:18799: the port is in use.*\[MOCKSTACK_ERR_PORT_IN_USE\]/s);
  } finally {
    first.child.kill('SIGTERM');
  }
  expect(await first.exited).toBe(0);
});

test('an unknown command or a bad flag prints one line and a hint, not the whole help, and exits non-zero', async () => {
  const run = mockstack(['serve']);
  expect(await run.exited).not.toBe(0);
  expect(run.output()).toMatch(/unknown command 'serve'/);
  const commands = ['up', 'init', 'record', 'import', 'variant', 'gen', 'check'];
  const runs = [['up', 'scenarios/checkout.ts', '--grace', 'soon'], ...commands.map((command) => [command, '--bogus'])].map((args) => mockstack(args));
  for (const bad of runs) {
    expect(await bad.exited).toBe(1);
    const lines = bad.output().trim().split('\n');
    expect(lines).toEqual([
      // record's required --target is checked before unknown options
      expect.stringMatching(
        /^error: (unknown option '--bogus'|option '--grace <duration>' argument 'soon' is invalid|required option '--target <url>' not specified)/,
      ),
      '(add --help to the command for its options and examples)',
    ]);
  }
  // …and each command's --help ends with examples to copy
  const helps = commands.map((command) => [command, mockstack([command, '--help'])] as const);
  for (const [command, help] of helps) {
    expect(await help.exited).toBe(0);
    expect(help.output()).toMatch(new RegExp(`\\nExamples:\\n  # .+\\n  mockstack ${command}\\b`));
  }
  // Fifteen CLI processes on a shared machine
}, 90_000);

test('`mockstack up <contract>` serves a contract with no scenario; an unknown file kind exits 1 naming the accepted kinds', async () => {
  const run = mockstack(['up', 'test/fixtures/contracts/inventory.graphql', '--random-ports', '--no-admin']);
  try {
    const url = (await waitFor(run, /inventory\s+graphql\s+(http:\/\/127\.0\.0\.1:\d+\/graphql)/))[1];
    const res = await fetch(String(url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ items { id } }' }),
    });
    expect(((await res.json()) as { data: { items: unknown[] } }).data.items.length).toBeGreaterThan(0);
  } finally {
    run.child.kill('SIGTERM');
  }
  expect(await run.exited).toBe(0);
  const unknown = mockstack(['up', 'test/fixtures/broken/notes.txt']);
  expect(await unknown.exited).toBe(1);
  expect(unknown.output()).toMatch(/not a kind of file mockstack serves; it accepts .*\.proto \(gRPC\).*\[MOCKSTACK_ERR_SOURCE_KIND\]/s);
});
