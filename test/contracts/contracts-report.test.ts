/**
 * What `mockstack check` and `gen` tell a user and a CI: the JUnit report read by a real JUnit
 * consumer (test-results-parser, as CI dashboards use it), the JSON report, and contract discovery
 * (contracts anywhere a scenario names them, minified JSON OpenAPI, `.graphqls`).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'test-results-parser';

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'packages/mockstack/bin/mockstack.js');
const tmp = join(repo, 'test', `.contracts-tmp-report-${process.pid}`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function mockstack(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 24 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A project with the example's payments proto and two scenarios: one drifts in a module it imports. */
function project(name: string): string {
  const root = join(tmp, name);
  mkdirSync(join(root, 'scenarios', 'broken'), { recursive: true });
  cpSync(join(repo, 'protos'), join(root, 'protos'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{ "name": "report", "private": true, "type": "module" }\n');
  writeFileSync(join(root, 'scenarios', 'tsconfig.json'), JSON.stringify({ extends: '../../../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
  writeFileSync(
    join(root, 'scenarios', 'good.ts'),
    `import { grpc, scenario } from 'mockstack';\n\nexport default scenario('good').services({\n  payments: grpc({ proto: 'protos/payments.proto' }, {\n    'checkout.payments.v1.PaymentService': { Capture: { paymentId: 'pay_1', status: 'CAPTURED' } },\n  }),\n});\n`,
  );
  writeFileSync(
    join(root, 'scenarios', 'broken', 'payments.ts'),
    `import { grpc, type ServiceOf } from 'mockstack';\n\nexport const payments: ServiceOf<Record<string, never>> = grpc({ proto: 'protos/payments.proto' }, {\n  'checkout.payments.v1.PaymentService': {\n    Capture: ({ request }) => ({ paymentID: request.paymentId, status: 'CAPTURED' }),\n  },\n});\n`,
  );
  writeFileSync(
    join(root, 'scenarios', 'broken.ts'),
    `import { scenario } from 'mockstack';\nimport { payments } from './broken/payments.js';\n\nexport default scenario('broken').services({ payments });\n`,
  );
  return root;
}

beforeAll(() => mkdirSync(tmp, { recursive: true }));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('JUnit: one test case per scenario and per contract; a drift in an imported module fails the scenario importing it', async () => {
  const root = project('junit');
  const run = await mockstack(root, 'check', '--format', 'junit');
  expect(run.code).toBe(1);
  writeFileSync(join(root, 'report.xml'), run.stdout);
  const report = parse({ type: 'junit', files: [join(root, 'report.xml')] });
  const cases = report.suites.flatMap((s) => s.cases);
  const byName = Object.fromEntries(cases.map((c) => [c.name, c]));
  expect(Object.keys(byName).sort()).toEqual(['protos/checkout/common/v1/money.proto', 'protos/payments.proto', 'scenarios/broken.ts', 'scenarios/good.ts']);
  expect(byName['scenarios/good.ts']?.status).toBe('PASS');
  expect(byName['scenarios/broken.ts']?.status).toBe('FAIL');
  // The failure names the module and line where the drift is, once.
  expect(byName['scenarios/broken.ts']?.failure).toContain("'paymentID' is not in the contract");
  expect(run.stdout).toContain('scenarios/broken/payments.ts:5:');
  expect(byName['protos/payments.proto']?.status).toBe('PASS');
  expect(report.failed).toBe(1);
  expect(report.passed).toBe(3);
}, 180_000);

test('JUnit and JSON: a proto that does not load fails its own test case, the scenarios are skipped, the location is printed once', async () => {
  const root = project('broken-proto');
  const proto = join(root, 'protos', 'payments.proto');
  writeFileSync(proto, readFileSync(proto, 'utf8').replace('rpc Capture(CaptureRequest) returns (Payment);', 'rpc Capture(CaptureRequest) returns (Paymnt);'));
  const junit = await mockstack(root, 'check', '--format', 'junit');
  expect(junit.code).toBe(1);
  writeFileSync(join(root, 'report.xml'), junit.stdout);
  const report = parse({ type: 'junit', files: [join(root, 'report.xml')] });
  const byName = Object.fromEntries(report.suites.flatMap((s) => s.cases).map((c) => [c.name, c]));
  expect(byName['protos/payments.proto']?.status).toBe('FAIL');
  expect(byName['protos/payments.proto']?.failure).toMatch(/Paymnt/);
  // Not checked, so not passing.
  expect(byName['scenarios/good.ts']?.status).toBe('SKIP');
  expect(byName['scenarios/broken.ts']?.status).toBe('SKIP');
  expect(junit.stdout).not.toMatch(/payments\.proto:\d+(:\d+)?: [^<]*payments\.proto:\d+/);

  const json = await mockstack(root, 'check', '--format', 'json');
  const body = JSON.parse(json.stdout) as { ok: boolean; scenarios: { file: string; status: string }[]; contracts: { file: string; status: string }[] };
  expect(body.ok).toBe(false);
  expect(body.scenarios.map((s) => s.status)).toEqual(['skipped', 'skipped']);
  expect(body.contracts.find((c) => c.file.endsWith('protos/payments.proto'))?.status).toBe('failed');

  // The project works again once the proto is fixed: check reports the scenario drift only.
  writeFileSync(proto, readFileSync(join(repo, 'protos', 'payments.proto'), 'utf8'));
  const fixed = await mockstack(root, 'check', '--format', 'json');
  const after = JSON.parse(fixed.stdout) as { scenarios: { file: string; status: string }[] };
  expect(after.scenarios.map((s) => [s.file.replace(/^.*scenarios\//, ''), s.status])).toEqual([
    ['broken.ts', 'failed'],
    ['good.ts', 'passed'],
  ]);
}, 180_000);

test('gen with no contract says so and exits 1; a schema at the project root named by a scenario is found', async () => {
  const root = join(tmp, 'discovery');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), '{ "name": "discovery", "private": true, "type": "module" }\n');
  const empty = await mockstack(root, 'gen');
  expect(empty.code).toBe(1);
  expect(empty.stderr).toMatch(/no contracts to type in .*: none under protos\/ or schemas\/, and no scenario under scenarios\/ names one/);

  copyFileSync(join(repo, 'schemas', 'catalog.graphql'), join(root, 'schema.graphqls'));
  const init = await mockstack(root, 'init', 'schema.graphqls');
  expect(init.code).toBe(0);
  const gen = await mockstack(root, 'gen');
  expect(gen.stderr).toBe('');
  expect(gen.stdout).toMatch(/from 1 contract\(s\)/);
  expect(readFileSync(join(root, 'scenarios', 'generated', 'contracts.d.ts'), 'utf8')).toContain("'schema.graphqls'");
}, 180_000);

test('a minified JSON OpenAPI document is a contract for init and gen', async () => {
  const root = join(tmp, 'minified');
  mkdirSync(join(root, 'schemas'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{ "name": "minified", "private": true, "type": "module" }\n');
  const petstore = JSON.parse(readFileSync(join(repo, 'schemas', 'petstore.json'), 'utf8')) as object;
  writeFileSync(join(root, 'schemas', 'pets.json'), JSON.stringify(petstore));
  // A JSON file beside it that is no OpenAPI document is not one.
  writeFileSync(join(root, 'schemas', 'fixtures.json'), JSON.stringify({ items: [{ openapi: '3.0.0' }] }));
  const init = await mockstack(root, 'init');
  expect(init.stderr).toBe('');
  expect(init.stdout).toMatch(/rest\s+:4010\s+\d+ handler\(s\)\s+schemas\/pets\.json/);
  const gen = await mockstack(root, 'gen');
  expect(gen.stdout).toMatch(/from 1 contract\(s\)/);
}, 180_000);
