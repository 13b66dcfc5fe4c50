import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { JournalEntry, Logger } from '@mockstack/core';
import { startStack, type TestStack } from '@mockstack/testing';
import { GraphQLClient } from 'graphql-request';
import { graphql, grpc, rest, scenario } from 'mockstack';

const root = resolve(import.meta.dirname, '../..');
const SECRET = 'sk_live_51Hxyz';

const shop = scenario('redact', { seed: 1, redact: { headers: ['x-partner-key'] } }).services({
  // The handler sees the real header: redaction is for what is written down only.
  orders: rest({ port: 0 }, [rest.get('/orders', ({ headers }) => ({ auth: headers.authorization ?? null }))]),
  catalog: graphql(
    { port: 0, schema: resolve(root, 'schemas/catalog.graphql') },
    // The description repeats the caller's token: the journaled answer (kept as the JSON text sent) must not.
    { Query: { product: (_, __, { headers }) => ({ sku: 'SKU-1', name: 'Mug', description: `for ${headers.authorization}` }) } },
  ),
  payments: grpc(
    { port: 0, proto: resolve(root, 'protos/payments.proto') },
    {
      'checkout.payments.v1.PaymentService': { Authorize: { authorizationId: 'auth_1', status: 'AUTHORIZED' } },
    },
  ),
});

const logged: JournalEntry[] = [];
const logger: Logger = { request: (entry) => logged.push(entry), info: () => {}, warn: () => {}, error: () => {} };

describe('secrets in requests', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack(shop, { admin: true, logger });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.reset();
    logged.length = 0;
  });

  it('are redacted in the journal, the admin journal and the logs over REST; the handler sees them', async () => {
    const response = await fetch(`${stack.url('orders')}/orders?access_token=${SECRET}&page=2&API_KEY=${SECRET}`, {
      headers: { authorization: `Bearer ${SECRET}`, cookie: `session=${SECRET}`, 'x-api-key': SECRET, 'x-partner-key': SECRET, 'x-request-id': 'r1' },
    });
    expect(await response.json()).toEqual({ auth: `Bearer ${SECRET}` });

    const [entry] = stack.requests();
    expect(entry?.target).toBe('GET /orders?access_token=[redacted]&page=2&API_KEY=[redacted]');
    expect(entry?.request.query).toEqual({ access_token: '[redacted]', page: '2', API_KEY: '[redacted]' });
    expect(entry?.request.headers).toMatchObject({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'x-partner-key': '[redacted]',
      'x-request-id': 'r1',
    });
    const admin = await (await fetch(`${stack.adminUrl}/journal`)).text();
    expect(admin).not.toContain(SECRET);
    expect(JSON.stringify(logged)).not.toContain(SECRET);
    expect(logged).toHaveLength(1);
  });

  it('are redacted for GraphQL and gRPC authorization metadata', async () => {
    const client = new GraphQLClient(stack.url('catalog'), { headers: { authorization: `Bearer ${SECRET}` } });
    await expect(client.request('{ product(sku: "SKU-1") { name description } }')).resolves.toEqual({
      product: { name: 'Mug', description: `for Bearer ${SECRET}` },
    });
    const graphqlEntry = stack.requests({ protocol: 'graphql' })[0];
    expect(graphqlEntry?.response?.body).toEqual({ data: { product: { name: 'Mug', description: 'for [redacted]' } } });

    const definition = grpcJs.loadPackageDefinition(loadSync(resolve(root, 'protos/payments.proto')));
    const Payments = (definition.checkout as Record<string, Record<string, Record<string, unknown>>>).payments?.v1?.PaymentService as typeof grpcJs.Client;
    const payments = new Payments(stack.url('payments'), grpcJs.credentials.createInsecure()) as grpcJs.Client & {
      Authorize(request: object, metadata: grpcJs.Metadata, done: (error: grpcJs.ServiceError | null, reply?: object) => void): void;
    };
    const metadata = new grpcJs.Metadata();
    metadata.set('authorization', `Bearer ${SECRET}`);
    metadata.set('x-tenant', 'acme');
    try {
      await new Promise((done, fail) => payments.Authorize({ orderId: 'o1' }, metadata, (error, reply) => (error ? fail(error) : done(reply))));
    } finally {
      payments.close();
    }
    const grpcEntry = stack.requests({ protocol: 'grpc' })[0];
    expect(grpcEntry?.request.headers).toMatchObject({ authorization: '[redacted]', 'x-tenant': 'acme' });
    expect(JSON.stringify(stack.requests())).not.toContain(SECRET);
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });
});

test('redact: false journals them verbatim', async () => {
  const stack = await startStack(shop, { redact: false });
  try {
    await fetch(`${stack.url('orders')}/orders?token=${SECRET}`, { headers: { authorization: SECRET } });
    expect(stack.requests()[0]).toMatchObject({ target: `GET /orders?token=${SECRET}`, request: { headers: { authorization: SECRET } } });
  } finally {
    await stack.close();
  }
});
