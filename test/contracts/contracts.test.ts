/**
 * `mockstack gen` and `mockstack check` end to end, through the CLI: deterministic output,
 * regeneration of stale types, output formats, and every bad input the issue names.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');
const temp = join(root, 'test', `.contracts-tmp-${process.pid}`);

function mockstack(args: string[], cwd = root): Promise<{ code: number; output: string; stdout: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr, stdout }),
    );
  });
}

/** A throwaway project under test/ (so `mockstack` resolves from the repo's node_modules). */
function project(name: string, files: Record<string, string>): string {
  const dir = join(temp, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
  return dir;
}

const PROTO = `syntax = "proto3";
package shop.v1;
service Shop {
  rpc Get(GetRequest) returns (Item);
}
message GetRequest { string id = 1; }
message Item { string id = 1; int32 count = 2; }
`;

afterAll(() => rmSync(temp, { recursive: true, force: true }));

test('gen writes the same bytes every time, with every contract in the registry', async () => {
  const first = await mockstack(['gen', '--out', join(temp, 'gen-a')]);
  const second = await mockstack(['gen', '--out', join(temp, 'gen-b')]);
  expect(first.code).toBe(0);
  expect(second.code).toBe(0);
  const a = readFileSync(join(temp, 'gen-a', 'contracts.d.ts'), 'utf8');
  expect(readFileSync(join(temp, 'gen-b', 'contracts.d.ts'), 'utf8')).toBe(a);
  expect(a).toContain("declare module 'mockstack'");
  expect(a).toMatch(
    /'checkout\.payments\.v1\.PaymentService': \{\s+Authorize: \{ request: checkout_payments_v1_AuthorizeRequest__Output; response: checkout_payments_v1_AuthorizeResponse;/,
  );
  expect(a).toContain("'schemas/catalog.graphql': {");
  expect(a).toContain("'GET /v2/rates/:rateId': {");
  expect(a).toContain("'getRates': oas_schemas_shipping_rates_yaml__operations['GET /v2/rates'];");
  expect(a).toContain("'schemas/shipping-rates.yaml': {");
  const again = await mockstack(['gen', '--out', join(temp, 'gen-a')]);
  expect(again.output).toMatch(/^unchanged .*contracts\.d\.ts from 6 contract\(s\)/);
}, 30_000);

test('check regenerates types older than their contract', async () => {
  const dir = project('stale', {
    'protos/shop.proto': PROTO,
    'scenarios/shop.ts': `import { grpc, scenario } from 'mockstack';
export default scenario('shop').services({
  shop: grpc({ proto: 'protos/shop.proto' }, { 'shop.v1.Shop': { Get: ({ request }) => ({ id: request.id, count: 1 }) } }),
});
`,
  });
  expect((await mockstack(['gen'], dir)).code).toBe(0);
  expect((await mockstack(['check', 'scenarios/shop.ts'], dir)).code).toBe(0);
  // The contract gains a method the scenario now answers: only fresh types accept it.
  writeFileSync(
    join(dir, 'protos/shop.proto'),
    PROTO.replace('rpc Get(GetRequest) returns (Item);', 'rpc Get(GetRequest) returns (Item);\n  rpc Put(Item) returns (Item);'),
  );
  const later = new Date(Date.now() + 5000);
  utimesSync(join(dir, 'protos/shop.proto'), later, later);
  writeFileSync(
    join(dir, 'scenarios/shop.ts'),
    readFileSync(join(dir, 'scenarios/shop.ts'), 'utf8').replace(
      'count: 1 }) }',
      'count: 1 }), Put: ({ request }) => ({ id: request.id, count: request.count + 1 }) }',
    ),
  );
  const result = await mockstack(['check', 'scenarios/shop.ts'], dir);
  expect(result.output).toMatch(/✓ 1 scenario\(s\) match their contracts/);
  expect(readFileSync(join(dir, 'scenarios/generated/contracts.d.ts'), 'utf8')).toContain('Put: { request: shop_v1_Item__Output;');
}, 60_000);

test('up regenerates types older than their contract before serving', async () => {
  const dir = project('up-stale', {
    'protos/shop.proto': PROTO,
    'scenarios/shop.ts': `import { grpc, scenario } from 'mockstack';
export default scenario('shop').services({ shop: grpc({ proto: 'protos/shop.proto' }) });
`,
  });
  expect((await mockstack(['gen'], dir)).code).toBe(0);
  writeFileSync(join(dir, 'protos/shop.proto'), PROTO.replace('message Item {', 'message Item {\n  string note = 9;'));
  const later = new Date(Date.now() + 5000);
  utimesSync(join(dir, 'protos/shop.proto'), later, later);
  const ready = join(dir, 'ready.json');
  const child = spawn(process.execPath, [bin, 'up', 'scenarios/shop.ts', '--random-ports', '--no-admin', '--quiet', '--ready-file', ready], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 30_000;
    while (!existsSync(ready) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(ready)).toBe(true);
    expect(readFileSync(join(dir, 'scenarios/generated/contracts.d.ts'), 'utf8')).toContain('note?: string | null | undefined;');
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
}, 60_000);

test('check --format json and --format junit for CI', async () => {
  const json = await mockstack(['check', 'test/drift/rest/wrong-status.ts', '--format', 'json']);
  expect(json.code).toBe(1);
  const report = JSON.parse(json.stdout) as { ok: boolean; problems: { file: string; message: string; kind: string }[] };
  expect(report.ok).toBe(false);
  expect(report.problems).toContainEqual(
    expect.objectContaining({ file: 'test/drift/rest/wrong-status.ts', kind: 'contract', message: expect.stringContaining('answers status 418') }),
  );
  const junit = await mockstack(['check', 'test/drift/rest/wrong-status.ts', '--format', 'junit']);
  expect(junit.code).toBe(1);
  // One test case for the scenario (failing) and one per contract of the project (passing).
  expect(junit.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="mockstack check" tests="7" failures="1" errors="0" skipped="0">/);
  expect(junit.stdout).toMatch(
    /<testcase classname="mockstack\.check\.scenario" name="test\/drift\/rest\/wrong-status\.ts" file="test\/drift\/rest\/wrong-status\.ts">\n\s+<failure message="getRate answers status 418/,
  );
  const text = await mockstack(['check', 'test/drift/rest/wrong-status.ts']);
  expect(text.output).toMatch(
    /^test\/drift\/rest\/wrong-status\.ts:\d+:\d+: getRate answers status 418, which the contract does not document \(documented: 200, 404\)$/m,
  );
  expect((await mockstack(['check', 'scenarios/checkout.ts', '--format', 'xml'])).output).toContain('--format xml is not one of text, json, junit');
}, 60_000);

test('the checkout example matches its contracts', async () => {
  const result = await mockstack(['check', 'scenarios/checkout.ts']);
  expect(result.output).toMatch(/✓ 1 scenario\(s\) match their contracts/);
  expect(result.code).toBe(0);
}, 30_000);

describe('bad input', () => {
  test('a proto that does not parse names the file and line', async () => {
    const dir = project('bad-proto', { 'protos/shop.proto': PROTO.replace('message Item {', 'message Item {{') });
    const result = await mockstack(['gen'], dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/protos\/shop\.proto:7/);
  });

  test('a GraphQL schema that does not parse names the file, line and column', async () => {
    const dir = project('bad-graphql', { 'schemas/shop.graphql': 'type Query {\n  item(id: ID!): Item\n  oops(: Int\n}\ntype Item { id: ID! }\n' });
    const result = await mockstack(['gen'], dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/schemas\/shop\.graphql:3:8: the GraphQL schema does not parse: Syntax Error/);
  });

  test('an OpenAPI document that does not parse names the file and line', async () => {
    const dir = project('bad-openapi', { 'schemas/api.yaml': 'openapi: 3.1.0\ninfo: { title: x, version: "1" }\npaths:\n  /a: [\n' });
    const result = await mockstack(['gen'], dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/schemas\/api\.yaml is not a valid OpenAPI 3\.0\/3\.1\/3\.2 document .*line \d+/s);
  });

  test('check on a file that is not a scenario says so', async () => {
    const result = await mockstack(['check', 'packages/dsl/src/respond.ts']);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /packages\/dsl\/src\/respond\.ts:1:1: packages\/dsl\/src\/respond\.ts is not a scenario: it has no default-exported scenario/,
    );
    const missing = await mockstack(['check', 'scenarios/nope.ts']);
    expect(missing.output).toMatch(/scenarios\/nope\.ts does not exist; pass a scenario module/);
  }, 30_000);

  test('a scenario importing generated types that are missing is told to run mockstack gen', async () => {
    const dir = project('missing-generated', {
      'scenarios/shop.ts': `import { rest, scenario } from 'mockstack';
import type { Item } from './generated/shop.js';
const item: Item = { id: '1' };
export default scenario('shop').services({ shop: rest({}, [rest.get('/item', item)]) });
`,
    });
    const result = await mockstack(['check', 'scenarios/shop.ts'], dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/scenarios\/shop\.ts:2:\d+: Cannot find module '\.\/generated\/shop\.js'.*run `mockstack gen`/);
  }, 30_000);
});
