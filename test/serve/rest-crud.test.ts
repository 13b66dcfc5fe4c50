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
  posts: { id: number; title: string; views: number; author: string }[];
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
    posts: [
      { id: 1, title: 'Hello json-server', views: 10, author: 'ada' },
      { id: 2, title: 'Mocking REST', views: 250, author: 'grace' },
      { id: 3, title: 'hello again', views: 40, author: 'ada' },
      { id: 4, title: 'Typed scenarios', views: 99, author: 'linus' },
    ],
  }),
}).services({
  crm: rest({}, [
    ...rest.crud('/customers', { collection: (s: State) => s.customers, pageSize: 2 }),
    ...rest.crud('/notes', { collection: (s: State) => s.notes, idField: 'key' }),
    ...rest.crud('/posts', { collection: (s: State) => s.posts, list: 'array' }),
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

test("json-server's query vocabulary: filters, operators, full text, sorting and paging", async () => {
  const ids = async (query: string) => ((await (await send('GET', `/posts${query}`)).json()) as { id: number }[]).map((p) => p.id);
  const all = await send('GET', '/posts');
  expect(all.headers.get('x-total-count')).toBe('4');
  expect(await ids('')).toEqual([1, 2, 3, 4]);
  expect(await ids('?author=ada')).toEqual([1, 3]);
  expect(await ids('?author=ada&author=linus')).toEqual([1, 3, 4]);
  expect(await ids('?views_gte=40&views_lte=99')).toEqual([3, 4]);
  expect(await ids('?id_ne=2')).toEqual([1, 3, 4]);
  expect(await ids('?title_like=^hello')).toEqual([1, 3]);
  expect(await ids('?q=MOCK')).toEqual([2]);
  expect(await ids('?_sort=views&_order=desc')).toEqual([2, 4, 3, 1]);
  expect(await ids('?_sort=-views')).toEqual([2, 4, 3, 1]);
  expect(await ids('?_page=2&_limit=3')).toEqual([4]);
  expect(await ids('?_start=1&_end=3')).toEqual([2, 3]);
  expect(await ids('?_sort=views&_start=0&_limit=2')).toEqual([1, 3]);
  const paged = await send('GET', '/posts?_page=1&_limit=2');
  expect(paged.headers.get('x-total-count')).toBe('4');
});

test('a query parameter naming no field is ignored and reported, never a filter that empties the list', async () => {
  const busted = await send('GET', '/posts?_=1712345&callback=x&author=grace');
  expect(((await busted.json()) as { id: number }[]).map((p) => p.id)).toEqual([2]);
  expect(busted.headers.get('x-mockstack-ignored-query')).toBe('_, callback');
  const paged = await send('GET', '/customers?utm_source=mail');
  expect(((await paged.json()) as { total: number }).total).toBe(3);
  expect(paged.headers.get('x-mockstack-ignored-query')).toBe('utm_source');
  expect((await send('GET', '/posts?title_like=(')).status).toBe(200);
});
