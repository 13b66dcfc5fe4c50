/**
 * A GraphQL service without a `path` of its own answers at every path of its port, as MSW's
 * `graphql.query` handlers do: real clients call `/v1/graphql` (Hasura), `/api/2025-01/graphql.json`
 * (Shopify's storefront client), `/graphql/` (Saleor). With a `path`, other paths stay 404.
 */
import { resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { GraphQLClient } from 'graphql-request';
import { createClient } from 'graphql-ws';
import { graphql, scenario } from 'mockstack';
import WebSocket from 'ws';

const schema = resolve(import.meta.dirname, '../fixtures/contracts/live-orders.graphql');
const ORDER = 'query Order($id: ID!) { order(id: $id) { id status } }';

let zeroConfig: TestStack;
let withPath: TestStack;
let origin: string;

beforeAll(async () => {
  zeroConfig = await startStack([schema], { seed: 7 });
  origin = new URL(zeroConfig.url('live-orders')).origin;
  withPath = await startStack(
    scenario('fixed-path', {}).services({
      orders: graphql({ schema, path: '/graphql' }, { Query: { order: (_, { id }) => ({ id: String(id), status: 'PAID' }) } }),
    }),
  );
});

afterAll(async () => {
  await Promise.all([zeroConfig.close(), withPath.close()]);
});

/** The auto-mocked order at `path`, over graphql-request. */
async function orderAt(path: string): Promise<{ order: { id: string; status: string } | null }> {
  return new GraphQLClient(`${origin}${path}`).request(ORDER, { id: 'o1' });
}

test('`mockstack up schema.graphql` lists /graphql and answers the same at any path a client is written for', async () => {
  expect(zeroConfig.url('live-orders')).toBe(`${origin}/graphql`);
  const atGraphql = await orderAt('/graphql');
  expect(atGraphql.order).toMatchObject({ id: expect.any(String), status: expect.stringMatching(/^(PLACED|PAID|SHIPPED|CANCELLED)$/) });
  for (const path of ['/v1/graphql', '/api/2025-01/graphql.json', '/graphql/', '/']) expect(await orderAt(path)).toEqual(atGraphql);
  expect(zeroConfig.requests({ service: 'live-orders' }).at(-2)).toMatchObject({ status: 200, target: 'POST /graphql/' });
});

test('a GET query and a graphql-ws subscription at another path', async () => {
  const query = encodeURIComponent('{ order(id: "o2") { id } }');
  const get = await fetch(`${origin}/v1/graphql?query=${query}`);
  expect(get.status).toBe(200);
  expect(await get.json()).toEqual({ data: { order: { id: expect.any(String) } } });

  const client = createClient({ url: `${origin.replace(/^http/, 'ws')}/v1/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    const events = client.iterate<{ ticker: { seq: number } }>({ query: 'subscription { ticker { seq } }' });
    const first = await events.next();
    expect(first.value).toEqual({ data: { ticker: { seq: expect.any(Number) } } });
    await events.return?.();
  } finally {
    await client.dispose();
  }
});

test('a request that is not GraphQL at another path gets a GraphQL error, and the service keeps answering', async () => {
  const response = await fetch(`${origin}/health`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ping":true}' });
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ errors: [expect.objectContaining({ message: expect.stringMatching(/query/) })] });
  expect((await orderAt('/health')).order).not.toBeNull();
});

test('with a `path`, another path is 404 and names the endpoint', async () => {
  const url = new URL(withPath.url('orders'));
  const response = await fetch(`${url.origin}/v1/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: ORDER, variables: { id: 'o1' } }),
  });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({
    errors: [expect.objectContaining({ message: 'no GraphQL endpoint at /v1/graphql; this service answers POST and GET at /graphql' })],
  });
  expect(await new GraphQLClient(url.href).request(ORDER, { id: 'o1' })).toEqual({ order: { id: 'o1', status: 'PAID' } });
});
