import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, grpc, rest, scenario } from 'mockstack';

const root = resolve(import.meta.dirname, '../..');
const HERE = 'test/reliability/paths.test.ts';

const shop = scenario('paths', { seed: 1 }).services({
  orders: rest({ port: 0 }, [
    rest.get('/orders/:id', { match: { query: { expand: 'lines' } } }, { id: 'o1' }),
    rest.get('/boom', () => {
      throw new Error('no stock');
    }),
  ]),
  catalog: graphql(
    { port: 0, schema: resolve(root, 'schemas/catalog.graphql') },
    {
      Query: {
        product: () => {
          throw new Error('catalog is empty');
        },
      },
    },
  ),
  payments: grpc(
    { port: 0, proto: resolve(root, 'protos/payments.proto') },
    {
      'checkout.payments.v1.PaymentService': {
        Authorize: () => {
          throw new Error('card declined');
        },
      },
    },
  ),
});

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack(shop, { admin: true });
});
afterAll(() => stack.close());

/** The answer names the rule's file from the project, and no absolute path of this machine. */
function expectProjectPaths(text: string): void {
  expect(text).not.toContain(root);
  expect(text).toContain(HERE);
}

test('an unmatched REST request answers 404 naming the nearest rule by project path', async () => {
  const response = await fetch(`${stack.url('orders')}/orders/o1`);
  expect(response.status).toBe(404);
  expectProjectPaths(await response.text());
  expect((await fetch(`${stack.url('orders')}/orders/o1?expand=lines`)).status).toBe(200);
});

test('a throwing handler answers 500 naming its rule by project path, in every protocol', async () => {
  const rest = await fetch(`${stack.url('orders')}/boom`);
  expect(rest.status).toBe(500);
  expectProjectPaths(await rest.text());

  const gql = await fetch(stack.url('catalog'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ product(sku: "x") { name } }' }),
  });
  expectProjectPaths(await gql.text());

  const definition = grpcJs.loadPackageDefinition(loadSync(resolve(root, 'protos/payments.proto')));
  const Payments = (definition.checkout as Record<string, Record<string, Record<string, unknown>>>).payments?.v1?.PaymentService as typeof grpcJs.Client;
  const client = new Payments(stack.url('payments'), grpcJs.credentials.createInsecure()) as grpcJs.Client & {
    Authorize(request: object, done: (error: grpcJs.ServiceError | null) => void): void;
  };
  try {
    const error = await new Promise<grpcJs.ServiceError | null>((done) => client.Authorize({ orderId: 'o1' }, done));
    expect(error?.code).toBe(grpcJs.status.INTERNAL);
    expectProjectPaths(error?.details ?? '');
  } finally {
    client.close();
  }
  // still serving
  expect((await fetch(`${stack.url('orders')}/orders/o1?expand=lines`)).status).toBe(200);
});

test('/health names the scenario file by project path', async () => {
  const health = (await (await fetch(`${stack.adminUrl}/health`)).json()) as { file: string };
  expect(health.file).toBe(HERE);
  expectProjectPaths(JSON.stringify(await (await fetch(`${stack.adminUrl}/journal`)).json()));
});
