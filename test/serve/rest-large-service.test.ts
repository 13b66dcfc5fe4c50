// A REST service with many routes routes its operations itself (packages/rest/src/operation-router.ts),
// one under OWN_ROUTING_MIN_ROUTES gives fastify a route each: both must answer the same.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { fault, rest, scenario } from 'mockstack';
import { OWN_ROUTING_MIN_ROUTES } from '../../packages/rest/src/operation-router.js';

const filler = (count: number) => Array.from({ length: count }, (_, i) => rest.get(`/filler/${i}/:id`, { filler: i }));

function shop(routes: number) {
  return scenario(`routes-${routes}`).services({
    shop: rest({ port: 0 }, [
      rest.get('/orders/:id', ({ params, query }) => ({ id: params.id, expand: query.expand ?? null })),
      rest.post('/orders/:id/items', ({ params, body }) => ({ order: params.id, body })),
      rest.get('/orders/:id/status', { match: { headers: { 'x-tenant': 'acme' } } }, { status: 'shipped' }),
      rest.delete('/orders/:id', fault.notFound('no such order')),
      rest.get('/orders/latest', { latest: true }),
      ...filler(routes - 4),
    ]),
  });
}

describe.each([
  ['fastify routes each operation', 12],
  ['the service routes its operations', OWN_ROUTING_MIN_ROUTES + 50],
])('%s', (_, routes) => {
  let stack: TestStack;
  let base: string;
  beforeAll(async () => {
    stack = await startStack(shop(routes));
    base = stack.url('shop');
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  test('path parameters (decoded) and the query reach the handler; the journal names the route', async () => {
    const res = await fetch(`${base}/orders/a%20b?expand=items`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'a b', expand: 'items' });
    expect(stack.requests()[0]).toMatchObject({ operation: 'GET /orders/:id', status: 200 });
    expect(await (await fetch(`${base}/filler/7/x`)).json()).toEqual({ filler: 7 });
  });

  test('a literal path is taken before a parameter, also written with % escapes or with a query', async () => {
    for (const path of ['/orders/latest', '/orders/lat%65st', '/orders/latest?expand=items']) {
      const res = await fetch(`${base}${path}`);
      expect([path, res.status, await res.json()]).toEqual([path, 200, { latest: true }]);
    }
    expect((await fetch(`${base}/orders/latest`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${base}/orders/latest/`)).status).toBe(404);
    expect(await (await fetch(`${base}/orders/latest2`)).json()).toEqual({ id: 'latest2', expand: null });
    expect(stack.requests().map((r) => r.operation)).toEqual([
      'GET /orders/latest',
      'GET /orders/latest',
      'GET /orders/latest',
      'GET /orders/latest',
      'GET /orders/latest/',
      'GET /orders/:id',
    ]);
  });

  test('HEAD of a GET route answers its status and headers without a body', async () => {
    const res = await fetch(`${base}/orders/o1`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.text()).toBe('');
  });

  test('a request the route has no rule for, and a path no route serves, answer 404 and are journaled', async () => {
    const missed = await fetch(`${base}/orders/o1/status`);
    expect(missed.status).toBe(404);
    expect(((await missed.json()) as { error: { code: string } }).error.code).toBe('UNMATCHED');
    const nowhere = await fetch(`${base}/order/o1`);
    expect(nowhere.status).toBe(404);
    expect(((await nowhere.json()) as { error: { hint: string } }).error.hint).toMatch(/did you mean GET \/orders\/:id\?/);
    expect(stack.requests({ matched: false }).map((r) => r.operation)).toEqual(['GET /orders/:id/status', 'GET /order/o1']);
    expect((await fetch(`${base}/orders/o1/status`, { headers: { 'x-tenant': 'acme' } })).status).toBe(200);
  });

  test('malformed JSON gets 400 journaled against the route template, and serving continues', async () => {
    const res = await fetch(`${base}/orders/o1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    expect(stack.requests()[0]).toMatchObject({ operation: 'POST /orders/:id/items', status: 400, rule: null });
    const ok = await fetch(`${base}/orders/o1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"s1"}' });
    expect(await ok.json()).toEqual({ order: 'o1', body: { sku: 's1' } });
  });

  test('a fault rule answers its status', async () => {
    expect((await fetch(`${base}/orders/o1`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('an OpenAPI service with more operations than fastify is given routes for', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-large-openapi-'));
  const file = join(dir, 'large.json');
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < OWN_ROUTING_MIN_ROUTES + 20; i++) {
    paths[`/things${i}/{id}`] = {
      get: {
        operationId: `getThing${i}`,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { 200: { description: 'ok', content: { 'application/json': { example: { thing: i } } } } },
      },
    };
  }
  writeFileSync(file, JSON.stringify({ openapi: '3.0.3', info: { title: 'large', version: '1' }, paths }));
  let stack: TestStack;
  let base: string;
  beforeAll(async () => {
    stack = await startStack(scenario('large-openapi').services({ api: rest({ port: 0, openapi: file }) }));
    base = stack.url('api');
  });
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('operations answer from the contract, requests are validated, and other methods get 405 with Allow', async () => {
    expect(await (await fetch(`${base}/things42/7`)).json()).toEqual({ thing: 42 });
    const invalid = await fetch(`${base}/things42/seven`);
    expect(invalid.status).toBe(400);
    const wrongMethod = await fetch(`${base}/things42/7`, { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect(stack.requests().map((r) => `${r.operation} ${r.status}`)).toEqual(['GET /things42/:id 200', 'GET /things42/:id 400', 'POST /things42/7 405']);
    expect((await fetch(`${base}/things119/1`)).status).toBe(200);
  });
});
