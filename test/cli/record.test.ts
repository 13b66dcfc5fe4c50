/**
 * `mockstack record` in process: real upstreams (a fastify REST app, a GraphQL server, a grpc-js
 * server) behind the recorder's proxies → the written scenario passes `check` → served by
 * mockstack, it answers the same requests with the same responses, and writes no secret.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { check } from '@mockstack/contracts';
import { Recorder, writeRecording } from '@mockstack/record';
import { startStack, type TestStack } from '@mockstack/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildSchema, graphql as executeGraphql } from 'graphql';

const root = resolve(import.meta.dirname, '../..');
const temp = join(root, 'test', `.record-tmp-${process.pid}`);
const protoFile = join(root, 'protos', 'payments.proto');
const protoOptions = { keepCase: false, longs: String, enums: String, defaults: false, includeDirs: [join(root, 'protos')] };

const sdl = `
type Product { sku: ID!, title: String!, price: Int! }
type Query { product(sku: ID!): Product, products: [Product!]! }
type Mutation { rename(sku: ID!, title: String!): Product }
`;
const products = [
  { sku: 'A-1', title: 'Lamp', price: 30 },
  { sku: 'B-2', title: 'Chair', price: 80 },
];

let rest: FastifyInstance;
let gql: FastifyInstance;
let grpcServer: grpcJs.Server;
let grpcPort: number;
let created = 0;

type Client = grpcJs.Client & {
  Authorize(request: object, callback: (error: grpcJs.ServiceError | null, value?: object) => void): void;
  WatchPayment(request: object): grpcJs.ClientReadableStream<object>;
};
const definition = grpcJs.loadPackageDefinition(loadSync(protoFile, protoOptions)) as unknown as {
  checkout: { payments: { v1: { PaymentService: grpcJs.ServiceClientConstructor } } };
};
const PaymentService = definition.checkout.payments.v1.PaymentService;

beforeAll(async () => {
  rest = Fastify();
  rest.get('/orders/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (id === 'missing') return reply.code(404).send({ error: 'no such order' });
    return { id, total: id === '1' ? 10 : 20, lines: [] };
  });
  rest.get('/orders', async (request) => {
    const { status } = request.query as { status?: string };
    return { items: [{ id: '1', status: status ?? 'any' }] };
  });
  rest.post('/orders', async (request, reply) => {
    created += 1;
    return reply
      .code(201)
      .header('location', `/orders/n${created}`)
      .send({ id: `n${created}`, ...(request.body as object) });
  });
  rest.get('/me', async (request, reply) =>
    reply.header('set-cookie', 'session=abcdef123456; HttpOnly').send({ user: 'ada', token: String(request.headers.authorization).replace('Bearer ', '') }),
  );
  rest.get('/catalog', async () => ({ items: Array.from({ length: 60 }, (_, i) => ({ sku: `SKU-${i}`, title: `Item number ${i}` })) }));
  rest.get('/health', async (_request, reply) => reply.type('text/plain').send('ok'));
  await rest.listen({ port: 0, host: '127.0.0.1' });

  const schema = buildSchema(sdl);
  const rootValue = {
    product: ({ sku }: { sku: string }) => products.find((p) => p.sku === sku) ?? null,
    products: () => products,
    rename: ({ sku, title }: { sku: string; title: string }) => ({ ...(products.find((p) => p.sku === sku) ?? products[0]), title }),
  };
  gql = Fastify();
  gql.post('/graphql', async (request) => {
    const { query, variables, operationName } = request.body as { query: string; variables?: Record<string, unknown>; operationName?: string };
    return executeGraphql({ schema, source: query, rootValue, variableValues: variables ?? null, operationName: operationName ?? null });
  });
  await gql.listen({ port: 0, host: '127.0.0.1' });

  grpcServer = new grpcJs.Server();
  grpcServer.addService(PaymentService.service, {
    Authorize: (call: grpcJs.ServerUnaryCall<{ orderId: string; amount?: { units?: string } }, object>, callback: grpcJs.sendUnaryData<object>) => {
      if (call.request.orderId === 'ord_bad') callback({ code: grpcJs.status.FAILED_PRECONDITION, details: 'card declined' } as grpcJs.ServiceError);
      else callback(null, { paymentId: `pay_${call.request.orderId}`, status: 'AUTHORIZED' });
    },
    WatchPayment: (call: grpcJs.ServerWritableStream<{ paymentId: string }, object>) => {
      call.write({ paymentId: call.request.paymentId, status: 'AUTHORIZED' });
      call.write({ paymentId: call.request.paymentId, status: 'CAPTURED' });
      call.end();
    },
  });
  grpcPort = await new Promise<number>((done, fail) =>
    grpcServer.bindAsync('127.0.0.1:0', grpcJs.ServerCredentials.createInsecure(), (error, port) => (error ? fail(error) : done(port))),
  );

  mkdirSync(temp, { recursive: true });
  cpSync(join(root, 'protos'), join(temp, 'protos'), { recursive: true });
  writeFileSync(join(temp, 'package.json'), JSON.stringify({ name: 'recorded', private: true, type: 'module' }));
  writeFileSync(join(temp, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
});

afterAll(async () => {
  await rest.close();
  await gql.close();
  await new Promise<void>((done) => grpcServer.tryShutdown(() => done()));
  rmSync(temp, { recursive: true, force: true });
});

/** The calls a client makes, run against the recorder's proxies and then against the served scenario. */
async function calls(urls: { api: string; catalog: string; payments: string }) {
  const json = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${urls.api}${path}`, init);
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: type.includes('json') ? await response.json() : await response.text(), location: response.headers.get('location') };
  };
  const query = async (body: object) => {
    const response = await fetch(`${urls.catalog}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };
  const client = new PaymentService(urls.payments, grpcJs.credentials.createInsecure()) as unknown as Client;
  const authorize = (request: object) =>
    new Promise<unknown>((done) => client.Authorize(request, (error, value) => done(error ? { code: error.code, details: error.details } : value)));
  const watch = (request: object) =>
    new Promise<unknown[]>((done, fail) => {
      const events: unknown[] = [];
      const stream = client.WatchPayment(request);
      stream.on('data', (event) => events.push(event));
      stream.on('error', fail);
      stream.on('end', () => done(events));
    });
  try {
    return {
      order1: await json('/orders/1'),
      order2: await json('/orders/2'),
      missing: await json('/orders/missing'),
      paid: await json('/orders?status=paid'),
      open: await json('/orders?status=open'),
      created1: await json('/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'A-1' }) }),
      created2: await json('/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'A-1' }) }),
      me: await json('/me', { headers: { authorization: 'Bearer s3cr3t-t0ken-value' } }),
      catalog: await json('/catalog'),
      health: await json('/health'),
      lamp: await query({ query: 'query Product($sku: ID!) { product(sku: $sku) { sku title price } }', variables: { sku: 'A-1' } }),
      chair: await query({ query: 'query Product($sku: ID!) { product(sku: $sku) { sku title price } }', variables: { sku: 'B-2' } }),
      all: await query({ query: 'query All { products { sku } }', operationName: 'All' }),
      renamed: await query({ query: 'mutation Rename { rename(sku: "A-1", title: "Desk lamp") { sku title } }' }),
      paid1: await authorize({ orderId: 'ord_1', amount: { currencyCode: 'EUR', units: '12' } }),
      paid2: await authorize({ orderId: 'ord_2', amount: { currencyCode: 'EUR', units: '99' } }),
      declined: await authorize({ orderId: 'ord_bad' }),
      events: await watch({ paymentId: 'pay_1' }),
    };
  } finally {
    client.close();
  }
}

test('record → check → serve: the scenario answers the recorded requests as the real services did, with no secret in it', async () => {
  const recorder = await Recorder.start({
    targets: [
      { url: `http://127.0.0.1:${(rest.server.address() as { port: number }).port}`, name: 'api' },
      { url: `http://127.0.0.1:${(gql.server.address() as { port: number }).port}`, name: 'catalog' },
      { url: `grpc://127.0.0.1:${grpcPort}`, name: 'payments' },
    ],
    protos: [join(temp, 'protos', 'payments.proto')],
  });
  let recorded: Awaited<ReturnType<typeof calls>>;
  try {
    const [api, catalog, payments] = recorder.proxies;
    recorded = await calls({ api: api?.url ?? '', catalog: catalog?.url ?? '', payments: payments?.url.replace('grpc://', '') ?? '' });
  } finally {
    await recorder.stop();
  }
  expect(recorded.order1).toEqual({ status: 200, body: { id: '1', total: 10, lines: [] }, location: null });
  expect(recorded.declined).toEqual({ code: grpcJs.status.FAILED_PRECONDITION, details: 'card declined' });

  const file = join(temp, 'scenarios', 'recorded.ts');
  const result = await writeRecording(recorder, { out: file, fixtureBytes: 1024 });
  const text = readFileSync(file, 'utf8');

  // No secret is written: the token echoed in a body, the cookie, the Authorization header.
  const everything = [text, ...result.written.map((f) => readFileSync(f, 'utf8'))].join('\n');
  expect(everything).not.toContain('s3cr3t-t0ken-value');
  expect(everything).not.toContain('abcdef123456');
  expect(text).toContain('response header set-cookie left out (a secret');
  // Matchers only on what varied; alike requests answered differently in turn; the big body as a fixture.
  expect(text).toContain("rest.get('/orders', { match: { query: { status: 'paid' } } }");
  expect(text).toMatch(/rest\.post\('\/orders', sequence\(\[/);
  expect(text).toContain("graphql.query('Product', { match: { variables: { sku: 'A-1' } } }");
  expect(text).toMatch(/import apiGetCatalog from '\.\/fixtures\/recorded\/api-get-catalog\.json' with \{ type: 'json' \}/);
  expect(readdirSync(join(temp, 'scenarios', 'fixtures', 'recorded'))).toEqual(['api-get-catalog.json']);
  expect(existsSync(join(temp, 'schemas', 'recorded-catalog.graphql'))).toBe(true);
  expect(text).toContain("fault.grpc('FAILED_PRECONDITION', 'card declined')");
  expect(result.services.map((s) => [s.name, s.protocol])).toEqual([
    ['api', 'rest'],
    ['catalog', 'graphql'],
    ['payments', 'grpc'],
  ]);

  const checked = await check([file], { root: temp });
  expect(checked.problems).toEqual([]);

  let stack: TestStack | undefined;
  try {
    stack = await startStack(file);
    const replayed = await calls({ api: stack.url('api'), catalog: stack.url('catalog').replace(/\/graphql$/, ''), payments: stack.url('payments') });
    // The same answers, except what carried a secret: the echoed token is blanked.
    expect(replayed).toEqual({ ...recorded, me: { ...recorded.me, body: { user: 'ada', token: '[redacted]' } } });
  } finally {
    await stack?.close();
  }
}, 120_000);
