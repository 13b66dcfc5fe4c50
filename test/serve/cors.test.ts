import { resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, respond, rest, scenario } from 'mockstack';

const SCHEMA = resolve(import.meta.dirname, '../../schemas/catalog.graphql');
const APP = 'http://localhost:3000';

// A browser app on http://localhost:3000 calling mocks on other origins.
const shop = scenario('cors', { seed: 3 }).services({
  orders: rest({ port: 0 }, [
    rest.get('/orders', respond([{ id: 'o1' }], { headers: { 'x-total-count': '1' } })),
    rest.post('/orders', respond({ id: 'o2' }, { status: 201 })),
  ]),
  catalog: graphql({ schema: SCHEMA }, { Query: { product: { sku: 'SKU-1', name: 'Mug' } } }),
  storefront: graphql({ schema: SCHEMA, on: 'orders', path: '/graphql' }),
  partner: rest({ port: 0, cors: { origins: [APP, /^https:\/\/.*\.example\.com$/], credentials: false, maxAge: 60 } }, [rest.get('/rates', { rates: [] })]),
  public: rest({ port: 0, cors: { origins: ['*'] } }, [rest.get('/rates', { rates: [] })]),
  legacy: rest({ port: 0, cors: false }, [rest.options('/rates', respond(undefined, { headers: { allow: 'GET' } })), rest.get('/rates', { rates: [] })]),
});

const preflight = (url: string, origin = APP, method = 'POST') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type,authorization' },
  });

describe('CORS for browser apps', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack(shop);
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  it('answers a preflight before any rule, echoing the origin and the requested headers', async () => {
    const response = await preflight(`${stack.url('orders')}/orders`);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(stack.requests()).toEqual([]);
  });

  it('lets the app read the answer and the headers it needs', async () => {
    const response = await fetch(`${stack.url('orders')}/orders`, { headers: { origin: APP } });
    expect(await response.json()).toEqual([{ id: 'o1' }]);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-expose-headers')).toContain('x-total-count');
    expect(response.headers.get('vary')).toContain('Origin');
    const created = await fetch(`${stack.url('orders')}/orders`, { method: 'POST', headers: { origin: APP, 'content-type': 'application/json' }, body: '{}' });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(APP);
    expect(stack.requests().map((e) => e.operation)).toEqual(['GET /orders', 'POST /orders']);
  });

  it('adds nothing to requests without an Origin (servers, curl)', async () => {
    const response = await fetch(`${stack.url('orders')}/orders`);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('covers GraphQL on its own port and mounted on a REST port, once each', async () => {
    for (const url of [stack.url('catalog'), stack.url('storefront')]) {
      const pre = await preflight(url);
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
      const response = await fetch(url, {
        method: 'POST',
        headers: { origin: APP, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ product(sku: "SKU-1") { sku } }' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    }
  });

  it('gives pages on other machines no CORS headers by default, and keeps serving', async () => {
    const foreign = await preflight(`${stack.url('orders')}/orders`, 'https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(`${stack.url('orders')}/orders`, { headers: { origin: 'https://evil.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    expect(read.headers.get('access-control-allow-credentials')).toBeNull();
    for (const origin of ['http://127.0.0.1:5173', 'http://[::1]:8080', 'http://app.localhost']) {
      const local = await fetch(`${stack.url('orders')}/orders`, { headers: { origin } });
      expect(local.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const graphqlForeign = await preflight(stack.url('catalog'), 'https://evil.example');
    expect(graphqlForeign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("allows any origin with origins: ['*']", async () => {
    const response = await fetch(`${stack.url('public')}/rates`, { headers: { origin: 'https://shop.example.org' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example.org');
  });

  it('allows only the listed origins when the service lists them', async () => {
    const allowed = await preflight(`${stack.url('partner')}/rates`, 'https://shop.example.com', 'GET');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    expect(allowed.headers.get('access-control-max-age')).toBe('60');
    const refused = await fetch(`${stack.url('partner')}/rates`, { headers: { origin: 'http://evil.test' } });
    expect(refused.status).toBe(200);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${stack.url('partner')}/rates`, { headers: { origin: APP } })).headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('leaves OPTIONS to the scenario with cors: false', async () => {
    const response = await preflight(`${stack.url('legacy')}/rates`, APP, 'GET');
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(stack.requests().map((e) => e.operation)).toEqual(['OPTIONS /rates']);
  });
});
