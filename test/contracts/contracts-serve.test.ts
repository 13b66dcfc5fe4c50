/**
 * Serve-time contract checks of dynamic answers (what handlers return), per protocol: OpenAPI
 * operations answer 500 naming the rule and field (unless the scenario opts out), gRPC answers
 * INTERNAL for a message that does not fit the proto, GraphQL a field error from graphql-js.
 * The stack keeps serving afterwards.
 */
import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, grpc, rest, scenario } from 'mockstack';

const root = resolve(import.meta.dirname, '../..');
const rate = { id: 'r1', carrier: 'DHL', service: 'standard', price: { amount: 4.99, currency: 'EUR' }, estimatedDays: 2 } as const;

/** Handlers that break their contract on purpose: typed loosely here, as a drifting scenario would be. */
const offContract = (handler: () => unknown): never => handler as never;

const drifting = scenario('serve-drift').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
    rest.operation(
      'getRate',
      { match: { params: { rateId: 'bad-type' } } },
      offContract(() => ({ ...rate, estimatedDays: 'two' })),
    ),
    rest.operation(
      'getRate',
      { match: { params: { rateId: 'bad-status' } } },
      offContract(() => ({ [Symbol.for('mockstack.kind')]: 'reply', status: 418, body: {} })),
    ),
    rest.operation('getRate', ({ params }) => ({ ...rate, id: params.rateId })),
  ]),
  lax: rest({ openapi: 'schemas/shipping-rates.yaml', validateResponses: false }, [
    rest.operation(
      'getRate',
      offContract(() => ({ id: 'r1', carrier: 'Hermes' })),
    ),
  ]),
  payments: grpc({ proto: 'protos/payments.proto' }, [
    grpc.method(
      'checkout.payments.v1.PaymentService/Capture',
      offContract(() => ({ paymentId: 42 })),
    ),
  ]),
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    { Query: { categories: offContract(() => [{ id: 'c', name: 'Mugs', slug: 'mugs', productCount: 'many' }]) } },
  ),
});

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack(drifting);
});
afterAll(() => stack.close());

test('an OpenAPI handler answering a body that breaks the schema gets a 500 naming the rule and field', async () => {
  const response = await fetch(`${stack.url('shipping')}/v2/rates/bad-type`);
  expect(response.status).toBe(500);
  const body = (await response.json()) as { detail: string; rule: string; problems: { field: string; message: string }[] };
  expect(body.detail).toMatch(
    /^contract violation: rule getRate \(.*contracts-serve\.test\.ts:\d+\) answered a 200 that breaks the contract: body\.estimatedDays must be integer$/,
  );
  expect(body.problems).toEqual([{ field: 'body.estimatedDays', message: 'must be integer' }]);
  // The stack keeps serving, and a conforming answer passes.
  const ok = await fetch(`${stack.url('shipping')}/v2/rates/r9`);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ ...rate, id: 'r9' });
});

test('an undocumented status is a 500 too', async () => {
  const response = await fetch(`${stack.url('shipping')}/v2/rates/bad-status`);
  expect(response.status).toBe(500);
  expect(((await response.json()) as { detail: string }).detail).toMatch(/answered status 418, which getRate does not document \(documented: 200, 404\)/);
});

test('a scenario may opt out (validateResponses: false) for negative tests', async () => {
  const response = await fetch(`${stack.url('lax')}/v2/rates/r1`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ id: 'r1', carrier: 'Hermes' });
});

test('gRPC answers INTERNAL naming the field of a message that does not fit the proto', async () => {
  const definition = grpcJs.loadPackageDefinition(loadSync(resolve(root, 'protos/payments.proto'), { includeDirs: [resolve(root, 'protos')] }));
  const Service = (definition.checkout as Record<string, Record<string, Record<string, unknown>>>).payments?.v1?.PaymentService as unknown as new (
    address: string,
    credentials: grpcJs.ChannelCredentials,
  ) => grpcJs.Client & { Capture(request: object, callback: (error: grpcJs.ServiceError | null) => void): void };
  const client = new Service(stack.url('payments'), grpcJs.credentials.createInsecure());
  try {
    const error = await new Promise<grpcJs.ServiceError | null>((done) => client.Capture({ paymentId: 'p1' }, done));
    expect(error?.code).toBe(grpcJs.status.INTERNAL);
    expect(error?.details).toMatch(/paymentId/);
  } finally {
    client.close();
  }
});

test('GraphQL answers a field error for a value of the wrong type', async () => {
  const response = await fetch(stack.url('catalog'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ categories { id productCount } }' }),
  });
  const body = (await response.json()) as { errors?: { message: string; path?: unknown[] }[] };
  expect(body.errors?.[0]?.message).toMatch(/Int cannot represent non-integer value: "many"/);
  expect(body.errors?.[0]?.path).toEqual(['categories', 0, 'productCount']);
});
