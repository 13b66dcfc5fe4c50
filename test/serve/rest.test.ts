import { startStack, type TestStack } from '@mockstack/testing';
import { fault, respond, rest, scenario, sequence } from 'mockstack';

interface State {
  orders: Map<string, { id: string; total: number }>;
  created: number;
}

const orders = scenario<State>('rest-behaviour', {
  seed: 7,
  state: () => ({ orders: new Map([['o1', { id: 'o1', total: 10 }]]), created: 0 }),
}).services({
  shop: rest({ port: 0, bodyLimit: 1024 }, [
    // matching on query, headers, partial and exact body, params and a predicate
    rest.get('/search', { match: { query: { q: 'mug' } } }, [{ sku: 'MUG' }]),
    rest.get('/search', { match: { query: { q: /^tee/ } } }, [{ sku: 'TEE' }]),
    rest.get('/search', []),
    rest.get('/me', { match: { headers: { authorization: 'Bearer good' } } }, { name: 'Ada' }),
    rest.get('/me', fault.unauthenticated('send Authorization: Bearer good')),
    rest.post('/quotes', { match: { body: { coupon: 'FREE' } } }, { total: 0 }),
    rest.post('/quotes', { match: { bodyEquals: { items: 1 } } }, { total: 5 }),
    rest.post('/quotes', { match: { when: ({ body }) => Array.isArray((body as { items?: unknown })?.items) } }, { total: 99 }),
    rest.get('/orders/:id', { match: { params: { id: 'vip' } } }, respond({ id: 'vip', total: 1000 }, { headers: { 'x-tier': 'gold' } })),
    // responders: function of request and state, status + headers + body, sequence, times
    rest.get('/orders/:id', ({ params, state }) => state.orders.get(params.id) ?? fault.notFound(`order ${params.id}`)),
    rest.post('/orders', ({ body, state }) => {
      const id = `o${state.orders.size + 1}`;
      state.orders.set(id, { id, total: (body as { total: number }).total });
      state.created++;
      return respond({ id }, { status: 201, headers: { location: `/orders/${id}` } });
    }),
    rest.delete('/orders/:id', ({ params, state }) => {
      state.orders.delete(params.id);
    }),
    rest.get('/jobs/1', sequence([{ state: 'queued' }, { state: 'running' }, { state: 'done' }])),
    rest.get('/flaky', { times: 2 }, fault.unavailable('warming up')),
    rest.get('/flaky', { ok: true }),
    rest.get('/slow', { delay: '150ms' }, { slow: true }),
    rest.get('/limited', fault.rateLimited({ retryAfter: 30 })),
    rest.get('/teapot', fault.http(418, 'short and stout', { 'x-brew': 'earl grey' })),
    rest.get('/drop', fault.drop()),
    rest.get('/empty', fault.empty()),
    rest.get('/text', respond('plain words', { headers: { 'content-type': 'text/plain' } })),
    rest.get('/boom', () => {
      throw new Error('kaboom');
    }),
    rest.post('/echo', ({ body, headers }) => ({ body, contentType: headers['content-type'] })),
  ]),
});

let stack: TestStack;
let base: string;

beforeAll(async () => {
  stack = await startStack(orders);
  base = stack.url('shop');
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const get = (path: string, init?: RequestInit) => fetch(`${base}${path}`, init);
const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('matching', () => {
  test('on query, exact and by RegExp, falling through to a rule without conditions', async () => {
    expect(await (await get('/search?q=mug')).json()).toEqual([{ sku: 'MUG' }]);
    expect(await (await get('/search?q=tee-shirt')).json()).toEqual([{ sku: 'TEE' }]);
    expect(await (await get('/search?q=sofa')).json()).toEqual([]);
  });

  test('on headers', async () => {
    expect(await (await get('/me', { headers: { Authorization: 'Bearer good' } })).json()).toEqual({ name: 'Ada' });
    const denied = await get('/me');
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer good' } });
  });

  test('on JSON body: partial, exact, and a predicate', async () => {
    expect(await (await post('/quotes', { coupon: 'FREE', items: [1, 2] })).json()).toEqual({ total: 0 });
    expect(await (await post('/quotes', { items: 1 })).json()).toEqual({ total: 5 });
    expect(await (await post('/quotes', { items: [1] })).json()).toEqual({ total: 99 });
    const missed = await post('/quotes', { items: 1, extra: true });
    expect(missed.status).toBe(404);
  });

  test('on path params, before a general rule for the same route', async () => {
    const vip = await get('/orders/vip');
    expect(vip.headers.get('x-tier')).toBe('gold');
    expect(await vip.json()).toEqual({ id: 'vip', total: 1000 });
    expect(await (await get('/orders/o1')).json()).toEqual({ id: 'o1', total: 10 });
  });
});

describe('responders', () => {
  test('a function of the request and state changes state that later requests see', async () => {
    const created = await post('/orders', { total: 42 });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/orders/o2');
    expect(await (await get('/orders/o2')).json()).toEqual({ id: 'o2', total: 42 });
    expect(stack.state<State>().created).toBe(1);
    const deleted = await fetch(`${base}/orders/o2`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await get('/orders/o2')).status).toBe(404);
  });

  test('a sequence answers step by step and then repeats its last step', async () => {
    const states = [];
    for (let i = 0; i < 4; i++) states.push(((await (await get('/jobs/1')).json()) as { state: string }).state);
    expect(states).toEqual(['queued', 'running', 'done', 'done']);
  });

  test('times limits a rule, then the next rule answers', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/flaky')).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  test('reset returns state, counters and sequences to the seed', async () => {
    await post('/orders', { total: 1 });
    await get('/jobs/1');
    stack.reset();
    expect((await get('/orders/o2')).status).toBe(404);
    expect(await (await get('/jobs/1')).json()).toEqual({ state: 'queued' });
  });

  test('a delay holds the answer', async () => {
    const started = performance.now();
    expect((await get('/slow')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('text bodies keep their content type', async () => {
    const res = await get('/text');
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('plain words');
  });

  test('form-encoded and JSON bodies reach the handler parsed', async () => {
    const form = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two' });
    expect(await form.json()).toEqual({ body: { a: '1', b: 'two' }, contentType: 'application/x-www-form-urlencoded' });
  });
});

describe('faults', () => {
  test('429 carries Retry-After', async () => {
    const res = await get('/limited');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RESOURCE_EXHAUSTED');
  });

  test('fault.http sends exactly the status, body and headers given', async () => {
    const res = await get('/teapot');
    expect(res.status).toBe(418);
    expect(res.headers.get('x-brew')).toBe('earl grey');
    expect(await res.text()).toBe('short and stout');
  });

  test('a dropped connection and an empty reply fail the client, and serving continues', async () => {
    await expect(get('/drop')).rejects.toThrow();
    await expect(get('/empty')).rejects.toThrow();
    expect((await get('/search')).status).toBe(200);
    expect(stack.requests({ operation: 'GET /drop' })[0]?.status).toBe('connection reset');
  });

  test('a handler that throws answers 500 naming the rule and its line', async () => {
    const res = await get('/boom');
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).toMatch(/handler of rule shop#\d+ \(.*rest\.test\.ts:\d+:\d+\) threw: kaboom/);
    expect((await get('/search')).status).toBe(200);
  });
});

describe('unmatched requests', () => {
  test('a request no rule matches answers 404 naming the nearest rule and why it missed, and is journaled', async () => {
    const res = await post('/quotes', { items: 'none' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; nearest: { rule: string; missed: string[] }; hint: string } };
    expect(body.error.code).toBe('UNMATCHED');
    expect(body.error.nearest.rule).toMatch(/^shop#\d+$/);
    expect(body.error.nearest.missed.join(' ')).toMatch(/\$\.coupon is missing|\$\.items is "none"/);
    const [entry] = stack.requests({ matched: false });
    expect(entry).toMatchObject({ service: 'shop', operation: 'POST /quotes', rule: null, status: 404 });
    expect(entry?.miss?.nearest).toBeDefined();
  });

  test('a path no route serves answers 404 suggesting the closest route', async () => {
    const res = await get('/order/o1');
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { hint: string; candidates: string[] } };
    expect(body.error.hint).toMatch(/did you mean GET \/orders\/:id\?/);
    expect(body.error.candidates).toContain('POST /orders');
  });
});

describe('bad input', () => {
  test('malformed JSON gets 400 with a clear message, is journaled, and serving continues', async () => {
    const res = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"total": 4,' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/not valid JSON/);
    expect(stack.requests({ operation: 'POST /orders' })[0]).toMatchObject({ status: 400, rule: null });
    expect((await post('/orders', { total: 4 })).status).toBe(201);
  });

  test('a body over the service limit gets 413, and serving continues', async () => {
    const res = await post('/orders', { total: 1, padding: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/larger than this service's limit of 1024 bytes/);
    expect((await post('/orders', { total: 1 })).status).toBe(201);
  });
});

describe('journal', () => {
  test('records every request with the rule that answered, newest last, bounded', async () => {
    await get('/search?q=mug');
    await get('/orders/o1');
    const entries = stack.requests();
    expect(entries.map((e) => e.target)).toEqual(['GET /search?q=mug', 'GET /orders/o1']);
    expect(entries[0]).toMatchObject({ protocol: 'rest', service: 'shop', operation: 'GET /search', status: 200, request: { query: { q: 'mug' } } });
    expect(entries[0]?.rule).toMatch(/^shop#1$/);
  });
});
