import { rest, scenario } from 'mockstack';
import { adminRequest, serveWithAdmin } from '../helpers/admin.js';

// GET/PUT /__admin/state and /__admin/machines: a JSON view of Maps, Sets and Dates that round-trips,
// and edits that are checked against the scenario before anything changes.
const shop = scenario('admin-state', {
  state: () => ({ stock: new Map([['MUG', 5]]), tags: new Set(['new']), since: new Date('2026-01-01T00:00:00Z'), orders: [] as string[], open: true }),
  machines: { payment: ['pending', 'authorized', 'captured'] },
}).services({
  shop: rest({}, [
    rest.get('/stock/:sku', ({ params, state }) => ({ sku: params.sku, stock: state.stock.get(params.sku) ?? 0, tags: [...state.tags], open: state.open })),
    rest.get('/payment', { whenState: { payment: 'captured' } }, { status: 'captured' }),
    rest.get('/payment', { status: 'not captured' }),
  ]),
});

const served = serveWithAdmin(shop, 'shop');
const send = async (method: string, path: string, body?: unknown) => {
  const res = await adminRequest(served.admin, method, path, body);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const get = async (path: string) => (await fetch(`${served.url}${path}`)).json();

test('GET /state shows Maps, Sets and Dates tagged; sent back with PUT it round-trips', async () => {
  const view = await send('GET', '/state');
  expect(view).toEqual({
    status: 200,
    body: { stock: { $map: [['MUG', 5]] }, tags: { $set: ['new'] }, since: { $date: '2026-01-01T00:00:00.000Z' }, orders: [], open: true },
  });
  expect(await send('PUT', '/state', view.body)).toEqual(view);
  const state = served.running.stack.engine.state as { stock: unknown; tags: unknown; since: unknown };
  expect(state.stock).toEqual(new Map([['MUG', 5]]));
  expect(state.tags).toEqual(new Set(['new']));
  expect(state.since).toEqual(new Date('2026-01-01T00:00:00Z'));
});

test('PUT /state changes the keys sent (the others keep their values) and the next answer shows it', async () => {
  const put = await send('PUT', '/state', {
    stock: {
      $map: [
        ['MUG', 0],
        ['TEE', 9],
      ],
    },
    tags: { $set: ['sale'] },
  });
  expect(put.status).toBe(200);
  expect(put.body.open).toBe(true);
  expect(await get('/stock/TEE')).toEqual({ sku: 'TEE', stock: 9, tags: ['sale'], open: true });
});

test.each([
  ['an unknown key', { stok: { $map: [] } }, /the state has no key "stok" \(did you mean "stock"\?\)/],
  ['a value of another kind', { stock: [['MUG', 1]] }, /"stock" is a Map, not an array \(send \{ "\$map": \[\[key, value\], …\] \}\)/],
  ['a malformed map', { stock: { $map: [['MUG']] } }, /each entry of a "\$map" is a \[key, value\] pair/],
  ['a list for the whole state', [1, 2], /the state is an object; send an object/],
])('PUT /state with %s is a 400 and nothing changes', async (_name, body, message) => {
  const res = await send('PUT', '/state', body);
  expect(res).toEqual({ status: 400, body: { error: { code: 'MOCKSTACK_ERR_ADMIN_STATE_INVALID', message: expect.stringMatching(message) } } });
  expect(await get('/stock/MUG')).toEqual({ sku: 'MUG', stock: 5, tags: ['new'], open: true });
});

test('GET/PUT /machines show and move state machines; the next answer follows', async () => {
  expect(await send('GET', '/machines')).toEqual({
    status: 200,
    body: { current: { payment: 'pending' }, available: { payment: ['pending', 'authorized', 'captured'] } },
  });
  expect(await get('/payment')).toEqual({ status: 'not captured' });
  expect((await send('PUT', '/machines', { payment: 'captured' })).body.current).toEqual({ payment: 'captured' });
  expect(await get('/payment')).toEqual({ status: 'captured' });
});

test.each([
  ['an unknown machine', { paymnt: 'captured' }, /no state machine "paymnt"; the scenario has "payment"/],
  ['an unknown state', { payment: 'refunded' }, /state machine "payment" has no state "refunded"; its states: "pending", "authorized", "captured"/],
  ['a list', ['captured'], /send \{ "machine": "state", … \}/],
])('PUT /machines with %s is a 400 and nothing moves', async (_name, body, message) => {
  const res = await send('PUT', '/machines', body);
  expect(res.status).toBe(400);
  expect((res.body.error as { message: string }).message).toMatch(message);
  expect(served.running.stack.engine.machines).toEqual({ payment: 'pending' });
  expect(await get('/payment')).toEqual({ status: 'not captured' });
});
