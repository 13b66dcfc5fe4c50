import { type RunningStack, runScenario } from '@mockstack/runner';
import { fault, rest, scenario } from 'mockstack';

const shop = scenario('admin-api', { state: () => ({ hits: 0 }) })
  .services({
    shop: rest({ port: 0 }, [rest.get('/hits', ({ state }) => ({ hits: ++state.hits })), rest.post('/orders', { id: 'o1' })]),
  })
  .variants({
    'shop-down': { shop: fault.unavailable('maintenance') },
    'shop-slow': { shop: { delay: '1ms' } },
  });

let running: RunningStack;
let admin: string;
let shopUrl: string;
const json = async (res: Response | Promise<Response>) => (await res).json() as Promise<Record<string, unknown>>;
const send = (method: string, path: string, body?: unknown) =>
  fetch(`${admin}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

beforeAll(async () => {
  running = await runScenario(shop, { randomPorts: true, adminPort: 0 });
  admin = running.admin?.url ?? '';
  shopUrl = running.stack.address('shop').url;
});
afterAll(() => running.close());
beforeEach(() => running.stack.engine.reset());

test('listens on loopback under /__admin', () => {
  expect(admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__admin$/);
});

test('health names the scenario, seed and active variants', async () => {
  expect(await json(fetch(`${admin}/health`))).toEqual({
    status: 'ok',
    scenario: 'admin-api',
    file: expect.stringContaining('admin-api.test.ts'),
    seed: 1,
    variants: [],
  });
});

test('services lists each service with its URL and operations', async () => {
  const services = (await (await fetch(`${admin}/services`)).json()) as { name: string; url: string; operations: { id: string }[] }[];
  expect(services).toEqual([expect.objectContaining({ name: 'shop', protocol: 'rest', url: shopUrl })]);
  expect(services[0]?.operations.map((o) => o.id)).toEqual(['GET /hits', 'POST /orders']);
});

test('journal lists requests, filtered by operation, match and limit', async () => {
  await fetch(`${shopUrl}/hits`);
  await fetch(`${shopUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"A"}' });
  await fetch(`${shopUrl}/missing`);
  const all = (await json(fetch(`${admin}/journal`))).entries as { target: string }[];
  expect(all.map((e) => e.target)).toEqual(['GET /hits', 'POST /orders', 'GET /missing']);
  const unmatched = (await json(fetch(`${admin}/journal?matched=false`))).entries as { target: string; miss: unknown }[];
  expect(unmatched).toEqual([expect.objectContaining({ target: 'GET /missing', miss: expect.objectContaining({ hint: expect.any(String) }) })]);
  expect(((await json(fetch(`${admin}/journal?operation=${encodeURIComponent('POST /orders')}`))).entries as unknown[]).length).toBe(1);
  expect(((await json(fetch(`${admin}/journal?limit=1`))).entries as { target: string }[])[0]?.target).toBe('GET /missing');
  await send('DELETE', '/journal');
  expect((await json(fetch(`${admin}/journal`))).entries).toEqual([]);
});

test('verify counts requests of an operation with a body', async () => {
  await fetch(`${shopUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"A","qty":1}' });
  expect(await json(send('POST', '/verify', { operation: 'POST /orders', body: { sku: 'A' }, count: 1 }))).toMatchObject({ ok: true, count: 1 });
  expect(await json(send('POST', '/verify', { operation: 'POST /orders', body: { sku: 'B' } }))).toMatchObject({
    ok: false,
    count: 0,
    seen: [expect.objectContaining({ body: { sku: 'A', qty: 1 } })],
  });
});

test('reset returns state to the seed and empties the journal', async () => {
  await fetch(`${shopUrl}/hits`);
  await fetch(`${shopUrl}/hits`);
  expect(await json(send('POST', '/reset'))).toEqual({ reset: true, scenario: 'admin-api' });
  expect(await json(fetch(`${shopUrl}/hits`))).toEqual({ hits: 1 });
  expect(((await json(fetch(`${admin}/journal`))).entries as unknown[]).length).toBe(1);
});

test('variants switch at runtime without a restart', async () => {
  expect(await json(fetch(`${admin}/variants`))).toEqual({ active: [], available: ['shop-down', 'shop-slow'] });
  expect(await json(send('PUT', '/variants', { active: ['shop-down'] }))).toEqual({ active: ['shop-down'], available: ['shop-down', 'shop-slow'] });
  const down = await fetch(`${shopUrl}/hits`);
  expect(down.status).toBe(503);
  expect(await down.json()).toEqual({ error: { code: 'UNAVAILABLE', message: 'maintenance' } });
  await send('PUT', '/variants', { active: [] });
  expect((await fetch(`${shopUrl}/hits`)).status).toBe(200);
});

describe('bad admin requests get 400 and change nothing', () => {
  beforeEach(async () => {
    await send('PUT', '/variants', { active: ['shop-slow'] });
  });

  test.each([
    ['an unknown variant', { active: ['shop-dwn'] }, /unknown variant "shop-dwn"; scenario "admin-api" has "shop-down", "shop-slow"/],
    ['a body without "active"', { variants: ['shop-down'] }, /send \{ "active": \[/],
    ['malformed JSON', '{"active": [', /JSON/],
  ])('%s', async (_name, body, message) => {
    const res = await send('PUT', '/variants', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect((await json(fetch(`${admin}/variants`))).active).toEqual(['shop-slow']);
    expect((await fetch(`${shopUrl}/hits`)).status).toBe(200);
  });

  test('a verify without an operation', async () => {
    const res = await send('POST', '/verify', { count: 1 });
    expect(res.status).toBe(400);
  });

  test('a journal filter that is not a number', async () => {
    expect((await fetch(`${admin}/journal?limit=lots`)).status).toBe(400);
  });
});
