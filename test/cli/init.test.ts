/**
 * `mockstack init` end to end: the written scenario type-checks and passes `mockstack check`
 * (typed contracts generated for the project), serves at once, and every stub lets the contract's
 * auto-mock answer real clients; --force; every bad input.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { check, formatText } from '@mockstack/contracts';
import { ErrorCode, type MockstackError } from '@mockstack/core';
import { init } from '@mockstack/scaffold';
import { startStack } from '@mockstack/testing';
import { GraphQLClient } from 'graphql-request';

const repo = resolve(import.meta.dirname, '../..');
const temp = join(repo, 'test', `.init-tmp-${process.pid}`);

/** A project under test/ (so `mockstack` resolves from the repo's node_modules) with the repo's contracts. */
function project(name: string): string {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(repo, 'protos'), join(dir, 'protos'), { recursive: true });
  cpSync(join(repo, 'schemas'), join(dir, 'schemas'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
  return dir;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as MockstackError,
  );

afterAll(() => rmSync(temp, { recursive: true, force: true }));

type Unary = (req: object, cb: (e: grpc.ServiceError | null, r: Record<string, unknown>) => void) => void;

test('init writes a scenario from protos/ and schemas/ that passes check and serves every contract at once', async () => {
  const dir = project('shop');
  const result = await init({ root: dir, name: 'shop' });
  expect(result.file).toBe(join(dir, 'scenarios', 'shop.ts'));
  expect(result.services.map((s) => [s.name, s.protocol, s.port, s.handlers])).toEqual([
    ['payments', 'grpc', 4010, 4],
    ['catalog', 'graphql', 4011, 8],
    ['petstore', 'rest', 4012, 4],
    ['shippingRates', 'rest', 4013, 4],
  ]);
  const text = readFileSync(result.file, 'utf8');
  expect(text).toContain("import { fallThrough, graphql, grpc, rest, scenario } from 'mockstack';");
  expect(text).toContain("grpc<ShopState>({ port: 4010, proto: 'protos/payments.proto' }, {");
  expect(text).toContain("Authorize: ({ state }) => answer(state, 'checkout.payments.v1.PaymentService/Authorize'),");
  expect(text).toContain("product: (_parent, _args, { state }) => answer(state, 'Query.product'),");
  expect(text).toContain("rest.operation('getRates', ({ state }) => answer(state, 'getRates')),");
  expect(text).toContain("// 'payments-down': { payments: fault.grpc('UNAVAILABLE', 'payments is down') },");

  // Type-checked in strict contract mode against the types `mockstack gen` writes for this project.
  const checked = await check([result.file], { root: dir });
  expect(formatText(checked.problems)).toBe('');
  expect(readFileSync(join(dir, 'scenarios', 'generated', 'contracts.d.ts'), 'utf8')).toContain("'checkout.payments.v1.PaymentService'");

  const stack = await startStack(result.file);
  try {
    // REST (OpenAPI): the documented example or a generated value, under the document's base path.
    const rates = await fetch(`${stack.url('shippingRates')}/v2/rates?country=DE&weightGrams=500`, { headers: { authorization: 'Bearer t' } });
    expect([rates.status, rates.status === 200 ? '' : await rates.clone().text()]).toEqual([200, '']);
    expect(await rates.json()).toBeTruthy();
    // GraphQL: auto-mocked values of the field's type.
    const data = await new GraphQLClient(stack.url('catalog')).request<{ product: { sku: string; name: string } | null }>(
      '{ product(sku: "SKU-1") { sku name } }',
    );
    expect(data.product === null || typeof data.product.name === 'string').toBe(true);
    // gRPC: a message built from the response type.
    const definition = protoLoader.loadSync(join(dir, 'protos', 'payments.proto'), {
      includeDirs: [join(dir, 'protos')],
      longs: String,
      enums: String,
      defaults: true,
    });
    const PaymentService = (
      grpc.loadPackageDefinition(definition) as unknown as { checkout: { payments: { v1: { PaymentService: grpc.ServiceClientConstructor } } } }
    ).checkout.payments.v1.PaymentService;
    const client = new PaymentService(stack.url('payments'), grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      Authorize: Unary;
      WatchPayment(req: object): grpc.ClientReadableStream<unknown>;
    };
    try {
      const reply = await new Promise<Record<string, unknown>>((done, fail) =>
        client.Authorize({ orderId: 'ord_1' }, (error, r) => (error ? fail(error) : done(r))),
      );
      expect(reply).toEqual(expect.objectContaining({ paymentId: expect.any(String), status: expect.any(String) }));
      // A server-streaming stub that falls through streams auto-mocked messages.
      const events: unknown[] = [];
      await new Promise<void>((done, fail) => {
        const call = client.WatchPayment({ paymentId: 'pay_1' });
        call.on('data', (m: unknown) => events.push(m));
        call.on('error', fail);
        call.on('end', () => done());
      });
      expect(events.length).toBeGreaterThan(0);
    } finally {
      client.close();
    }
    // Every stub ran (and counted the call in the state skeleton) before the auto-mock answered.
    expect(stack.state<{ calls: Record<string, number> }>().calls).toEqual({
      getRates: 1,
      'Query.product': 1,
      'checkout.payments.v1.PaymentService/Authorize': 1,
      'checkout.payments.v1.PaymentService/WatchPayment': 1,
    });
  } finally {
    await stack.close();
  }
}, 60_000);

test('init never overwrites a file without force', async () => {
  const dir = project('force');
  const file = join(dir, 'scenarios', 'mocks.ts');
  mkdirSync(join(dir, 'scenarios'), { recursive: true });
  writeFileSync(file, '// mine\n');
  const error = await failure(init({ root: dir }));
  expect(error?.code).toBe(ErrorCode.InitFileExists);
  expect(error?.message).toMatch(/mocks\.ts already exists; pass --force/);
  expect(readFileSync(file, 'utf8')).toBe('// mine\n');
  const result = await init({ root: dir, force: true, contracts: [join(dir, 'schemas', 'catalog.graphql')], basePort: 9100 });
  expect(result.services).toEqual([expect.objectContaining({ name: 'catalog', port: 9100 })]);
  expect(readFileSync(file, 'utf8')).toContain("graphql<MocksState>({ port: 9100, schema: 'schemas/catalog.graphql' }");
});

test('init reads GraphQL contracts as up serves them: an introspection result (schema.json) and a federation subgraph get a stub per root field', async () => {
  const dir = project('graphql-kinds');
  mkdirSync(join(dir, 'contracts'), { recursive: true });
  const storefront = join(dir, 'contracts', 'storefront.json');
  cpSync(join(repo, 'node_modules/@2fd/graphdoc/test/shopify.json'), storefront);
  const subgraph = join(dir, 'contracts', 'products.graphql');
  writeFileSync(
    subgraph,
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n\ntype Query {\n  product(upc: ID!): Product\n}\n\ntype Product @key(fields: "upc") {\n  upc: ID!\n}\n',
  );
  const result = await init({ root: dir, contracts: [storefront, subgraph], basePort: 9200 });
  expect(result.services.map((service) => service.name)).toEqual(['storefront', 'products']);
  const text = readFileSync(join(dir, 'scenarios', 'mocks.ts'), 'utf8');
  expect(text).toContain("schema: 'contracts/storefront.json'");
  expect(text).toMatch(/QueryRoot: \{[\s\S]*shop:/);
  expect(text).toMatch(/product: /);
});

test('bad inputs: an unknown kind lists the accepted ones, a broken contract names its file and line, no contracts says what to pass', async () => {
  const dir = project('bad');
  const notes = join(dir, 'notes.txt');
  writeFileSync(notes, 'hello');
  const unknown = await failure(init({ root: dir, contracts: [notes] }));
  expect(unknown?.code).toBe(ErrorCode.SourceKind);
  expect(unknown?.message).toMatch(
    /notes\.txt is not a contract mockstack init reads; it accepts \.json\/\.yaml\/\.yml \(OpenAPI 3 or Swagger 2\.0\), \.graphql\/\.graphqls\/\.gql \(GraphQL SDL\), \.json \(GraphQL introspection result\), \.proto \(gRPC\)/,
  );

  const proto = join(dir, 'broken.proto');
  writeFileSync(proto, 'syntax = "proto3";\npackage x;\nservice S {\n  rpc Get(Missing) returns (Missing);\n}\n');
  const broken = await failure(init({ root: dir, contracts: [proto] }));
  expect(broken?.code).toBe(ErrorCode.ContractLoad);
  expect(broken?.message).toContain('broken.proto');
  expect(broken?.message).toMatch(/Missing/);

  const sdl = join(dir, 'broken.graphql');
  writeFileSync(sdl, 'type Query {\n  a: Int\n  b: Nope\n}\n');
  const badSdl = await failure(init({ root: dir, contracts: [sdl] }));
  expect(badSdl?.code).toBe(ErrorCode.ContractLoad);
  expect(badSdl?.message).toMatch(/broken\.graphql(:\d+:\d+)?: Unknown type "Nope"/);

  const yaml = join(dir, 'broken.yaml');
  writeFileSync(yaml, 'openapi: 3.0.3\ninfo: { title: x, version: "1" }\npaths:\n  /a: { get: { responses: { "200": { description: ok } } }\n');
  const badYaml = await failure(init({ root: dir, contracts: [yaml] }));
  expect(badYaml?.code).toBe(ErrorCode.ContractLoad);
  expect(badYaml?.message).toMatch(/broken\.yaml.*line \d+/s);

  const empty = join(temp, 'empty');
  mkdirSync(empty, { recursive: true });
  const none = await failure(init({ root: empty }));
  expect(none?.code).toBe(ErrorCode.InitNoContracts);
  expect(none?.message).toMatch(/no protos\/ or schemas\/ directory; name the contracts/);

  // Nothing was written by the failed runs, and a good run afterwards works.
  const ok = await init({ root: dir, contracts: [join(dir, 'schemas', 'petstore.json')] });
  expect(ok.services).toHaveLength(1);
});

test('init --lenient: a slightly invalid OpenAPI document and SDL give a scenario with lenient: true that passes check and serves with warnings', async () => {
  const dir = join(temp, 'lenient');
  mkdirSync(join(dir, 'contracts'), { recursive: true });
  for (const f of ['partner.yaml', 'partner.graphql']) cpSync(join(repo, 'test/fixtures/lenient', f), join(dir, 'contracts', f));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'lenient', private: true, type: 'module' }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
  const strict = await failure(init({ root: dir, contracts: [join(dir, 'contracts')] }));
  expect(strict?.code).toBe(ErrorCode.ContractLoad);
  expect(strict?.message).toMatch(/partner\.graphql:5:3: Interface field Node\.createdAt expected but Quote does not provide it/);

  const result = await init({ root: dir, contracts: [join(dir, 'contracts')], lenient: true });
  const text = readFileSync(result.file, 'utf8');
  expect(text).toContain("rest<MocksState>({ port: 4011, openapi: 'contracts/partner.yaml', lenient: true }, [");
  expect(text).toContain("graphql<MocksState>({ port: 4010, schema: 'contracts/partner.graphql', lenient: true }, {");
  const checked = await check([result.file], { root: dir });
  expect(formatText(checked.problems)).toBe('');

  const warnings: string[] = [];
  const logger = { request: () => {}, info: () => {}, error: () => {}, warn: (m: string) => warnings.push(m) };
  const stack = await startStack(result.file, { logger });
  try {
    expect(warnings.join('\n')).toMatch(/loaded leniently despite \/info/);
    expect(warnings.join('\n')).toMatch(/loaded leniently despite .*partner\.graphql:\d+:\d+: Interface field Node\.createdAt/);
    expect((await fetch(`${stack.url('partner2')}/v1/quotes`)).status).toBe(200);
    const data = await new GraphQLClient(stack.url('partner')).request<{ quote: { id: string } | null }>('{ quote(id: "q1") { id } }');
    expect(data.quote === null || typeof data.quote.id === 'string').toBe(true);
  } finally {
    await stack.close();
  }
}, 60_000);
