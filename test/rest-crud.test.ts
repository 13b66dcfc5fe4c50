import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';

interface Customer {
  id: string;
  name: string;
  tier: 'gold' | 'basic';
}
interface State {
  customers: Map<string, Customer>;
  notes: { key: string; text: string }[];
}

const customers = scenario('crud', {
  state: (): State => ({
    customers: new Map(
      [
        { id: '1', name: 'Ada', tier: 'gold' },
        { id: '2', name: 'Grace', tier: 'basic' },
        { id: '3', name: 'Linus', tier: 'basic' },
      ].map((c) => [c.id, c as Customer]),
    ),
    notes: [{ key: 'n1', text: 'hello' }],
  }),
}).services({
  crm: rest({}, [
    ...rest.crud('/customers', { collection: (s: State) => s.customers, pageSize: 2 }),
    ...rest.crud('/notes', { collection: (s: State) => s.notes, idField: 'key' }),
  ]),
});

let stack: TestStack;
let base: string;
beforeAll(async () => {
  stack = await startStack(customers);
  base = stack.url('crm');
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, { method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });

test('lists with paging, filters and sorting', async () => {
  expect(await (await send('GET', '/customers')).json()).toEqual({
    items: [expect.objectContaining({ id: '1' }), expect.objectContaining({ id: '2' })],
    page: 1,
    pageSize: 2,
    total: 3,
  });
  expect(((await (await send('GET', '/customers?page=2')).json()) as { items: Customer[] }).items.map((c) => c.id)).toEqual(['3']);
  expect(((await (await send('GET', '/customers?tier=basic&sort=-name')).json()) as { items: Customer[] }).items.map((c) => c.name)).toEqual([
    'Linus',
    'Grace',
  ]);
});

test('gets, creates, replaces, updates and deletes over the shared state', async () => {
  expect(await (await send('GET', '/customers/2')).json()).toEqual({ id: '2', name: 'Grace', tier: 'basic' });
  const created = await send('POST', '/customers', { name: 'Barbara', tier: 'gold' });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe('/customers/4');
  expect(stack.state<State>().customers.get('4')).toEqual({ id: '4', name: 'Barbara', tier: 'gold' });
  expect(await (await send('PATCH', '/customers/4', { tier: 'basic' })).json()).toEqual({ id: '4', name: 'Barbara', tier: 'basic' });
  expect(await (await send('PUT', '/customers/4', { name: 'B.' })).json()).toEqual({ id: '4', name: 'B.' });
  expect((await send('DELETE', '/customers/4')).status).toBe(204);
  expect((await send('GET', '/customers/4')).status).toBe(404);
});

test('an array collection with its own id field', async () => {
  expect(await (await send('GET', '/notes/n1')).json()).toEqual({ key: 'n1', text: 'hello' });
  expect((await send('POST', '/notes', { key: 'n2', text: 'bye' })).status).toBe(201);
  expect(stack.state<State>().notes).toHaveLength(2);
});

test('bad requests: a duplicate id is 409, a missing record 404, a non-object body 400; serving continues', async () => {
  expect((await send('POST', '/customers', { id: '1', name: 'again' })).status).toBe(409);
  expect((await send('PATCH', '/customers/99', { name: 'x' })).status).toBe(404);
  const bad = await send('POST', '/customers', [1, 2]);
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({ error: { code: 'INVALID_ARGUMENT', message: 'POST /customers needs a JSON object body' } });
  expect((await send('GET', '/customers/1')).status).toBe(200);
});
