/**
 * Request bodies sent compressed (`content-encoding: gzip`, `deflate`, `br`, as Elasticsearch's client
 * with `compression: true`, the AWS SDK's request compression and OpenTelemetry exporters send them) are
 * matched, validated against the contract, handed to handlers and journaled decoded, over REST and
 * GraphQL. A body that is not what its header says, a coding the mock does not decode and a body that
 * decodes beyond the service's limit are refused with a clear error, and the service keeps answering.
 */
import { resolve } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, rest, scenario } from 'mockstack';

const shipping = resolve(import.meta.dirname, '../../schemas/shipping-rates.yaml');
const catalog = resolve(import.meta.dirname, '../../schemas/catalog.graphql');

let stack: TestStack;
let contract: TestStack;

beforeAll(async () => {
  stack = await startStack(
    scenario('compressed', {}).services({
      search: rest({ port: 0, bodyLimit: 4096 }, [
        rest.post('/logs/_bulk', { match: { body: { index: 'orders' } } }, { matched: true }),
        rest.post('/logs/_bulk', ({ body, headers }) => ({ body, encoding: headers['content-encoding'] ?? null })),
      ]),
      catalog: graphql({ port: 0, schema: catalog }),
    }),
  );
  contract = await startStack([shipping], { seed: 7 });
});

afterAll(async () => {
  await Promise.all([stack.close(), contract.close()]);
});

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

async function post(url: string, body: Uint8Array, encoding: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body });
  return { status: response.status, body: await response.json() };
}

test('gzip, deflate, br and a chain of two are decoded before matching and handlers', async () => {
  const url = `${stack.url('search')}/logs/_bulk`;
  const doc = { index: 'invoices', lines: [1, 2, 3] };
  for (const [encoding, body] of [
    ['gzip', gzipSync(json(doc))],
    ['deflate', deflateSync(json(doc))],
    ['br', brotliCompressSync(json(doc))],
    ['gzip, br', brotliCompressSync(gzipSync(json(doc)))],
    ['identity', json(doc)],
  ] as const) {
    expect({ encoding, ...(await post(url, body, encoding)) }).toEqual({ encoding, status: 200, body: { body: doc, encoding } });
  }
  expect(await post(url, gzipSync(json({ index: 'orders' })), 'gzip')).toEqual({ status: 200, body: { matched: true } });
  expect(stack.requests({ service: 'search' }).at(-1)).toMatchObject({ request: { body: { index: 'orders' } } });
});

test('a contract validates the decoded body', async () => {
  const url = `${contract.url('shipping-rates')}/v2/shipments`;
  const valid = { rateId: 'r1', to: { country: 'DE', postalCode: '10115' }, parcels: [{ weightGrams: 500 }] };
  expect((await post(url, gzipSync(json(valid)), 'gzip')).status).toBe(201);
  const { rateId: _, ...withoutRate } = valid;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(json(withoutRate)),
  });
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('x-mockstack-contract-violation')).toMatch(/rateId/);
});

test('a GraphQL request sent gzipped', async () => {
  const response = await post(stack.url('catalog'), gzipSync(json({ query: '{ __typename }' })), 'gzip');
  expect(response).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
});

describe('bad input', () => {
  const url = () => `${stack.url('search')}/logs/_bulk`;
  const stillServes = async () => expect(await post(url(), gzipSync(json({ index: 'orders' })), 'gzip')).toEqual({ status: 200, body: { matched: true } });

  test('a body that is not what its content-encoding says is a 400 naming the header', async () => {
    const response = await post(url(), json({ index: 'orders' }), 'gzip');
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(/request body cannot be decoded as its content-encoding \(gzip\) says: incorrect header check/);
    await stillServes();
  });

  test('a coding the mock does not decode is a 415 naming the ones it does', async () => {
    const response = await post(url(), json({ index: 'orders' }), 'zstd');
    expect(response.status).toBe(415);
    expect(JSON.stringify(response.body)).toMatch(/content-encoding \\"zstd\\" is not one this mock decodes \(gzip, deflate, br\)/);
    await stillServes();
  });

  test('a body that decodes beyond the service limit is a 413, however small it arrives', async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ index: 'x', pad: 'a'.repeat(1_000_000) })));
    expect(bomb.length).toBeLessThan(4096);
    const response = await post(url(), bomb, 'gzip');
    expect(response.status).toBe(413);
    await stillServes();
  });
});
