// Two stacks in one process on one real redis-server share state, machines, sequences and admin
// writes; bad stores and state that cannot be shared get clear errors, and serving goes on.
import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';
import { RedisServer } from '../../../test/helpers/redis.js';

const shop = scenario('store-redis-unit', {
  state: () => ({ visits: 0, notes: [] as string[] }),
  machines: { door: ['closed', 'open'] },
}).services({
  api: rest({ port: 0 }, [
    rest.post('/visit', ({ state }) => ({ visits: ++state.visits })),
    rest.post('/open', { setState: { door: 'open' } }, { opened: true }),
    rest.get('/door', { whenState: { door: 'open' } }, { door: 'open' }),
    rest.get('/door', { door: 'closed' }),
    rest.post('/unshareable', ({ state }) => {
      (state as unknown as Record<string, unknown>).callback = () => 1;
      return { ok: true };
    }),
  ]),
});

let redis: RedisServer;
let a: TestStack;
let b: TestStack;

beforeAll(async () => {
  redis = await RedisServer.start();
  [a, b] = await Promise.all([startStack(shop, { store: redis.url, admin: true }), startStack(shop, { store: redis.url, admin: true })]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
});

const post = async (stack: TestStack, path: string) => (await fetch(`${stack.url('api')}${path}`, { method: 'POST' })).json();
const get = async (stack: TestStack, path: string) => (await fetch(`${stack.url('api')}${path}`)).json();

test('state and state machines written through one stack are what the other sees', async () => {
  await a.reset();
  expect(await post(a, '/visit')).toEqual({ visits: 1 });
  expect(await post(b, '/visit')).toEqual({ visits: 2 });
  expect(await get(b, '/door')).toEqual({ door: 'closed' });
  await post(a, '/open');
  expect(await get(b, '/door')).toEqual({ door: 'open' });
});

test("the admin API's state and machines writes are shared too", async () => {
  await a.reset();
  const put = await fetch(`${a.adminUrl}/state`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"visits":41}' });
  expect(put.status).toBe(200);
  expect(await post(b, '/visit')).toEqual({ visits: 42 });
  expect(await (await fetch(`${b.adminUrl}/state`)).json()).toMatchObject({ visits: 42 });
  await fetch(`${b.adminUrl}/machines`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"door":"open"}' });
  expect(await (await fetch(`${a.adminUrl}/machines`)).json()).toMatchObject({ current: { door: 'open' } });
});

test('state that cannot be shared is a clear 500 naming the store, nothing is written, and serving goes on', async () => {
  await a.reset();
  const response = await fetch(`${a.url('api')}/unshareable`, { method: 'POST' });
  expect(response.status).toBe(500);
  expect(await response.text()).toMatch(/the store redis:\/\/127\.0\.0\.1:\d+\/0 failed: the state cannot be shared through Redis .*no functions/);
  expect(await post(b, '/visit')).toEqual({ visits: 1 });
});

test('a store that is not one, or that cannot be reached, stops the start with a clear error', async () => {
  await expect(startStack(shop, { store: 'ftp://example.com' })).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_STORE_UNKNOWN',
    message: expect.stringMatching(/unknown store "ftp:\/\/example\.com": give memory \(the default\) or redis:\/\/host:6379\/0/),
  });
  await expect(startStack(shop, { store: 'redis://127.0.0.1:1/0' })).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_STORE_UNAVAILABLE',
    message: expect.stringMatching(/cannot reach the store redis:\/\/127\.0\.0\.1:1\/0: .*[^.]\. Start Redis there/),
  });
  // The stacks already running were not disturbed.
  expect((await fetch(`${a.url('api')}/door`)).status).toBe(200);
});
