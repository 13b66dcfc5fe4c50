/**
 * Issue 16 item 6: nothing recurses over user data without a bound. A small body of thousands of nested
 * arrays does not break rule matching, the journal or verification; a GraphQL query nested thousands
 * deep is a 400, not a stack overflow; and each service serves normally afterwards.
 */
import { resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, rest, scenario } from 'mockstack';

const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const deepScenario = scenario('deep-input', { state: () => ({ kept: null as unknown }) }).services({
  api: rest({}, [
    rest.post('/orders', { match: { body: { sku: 'A' } } }, { matched: true }),
    rest.get('/fine', { fine: true }),
    rest.post('/keep', ({ body, state }) => {
      state.kept = body;
      return { kept: true };
    }),
  ]),
  gql: graphql({ schema: resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql') }, {}),
});

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack(deepScenario, { admin: true });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.reset());

const post = (path: string, body: string): Promise<Response> =>
  fetch(`${stack.url('api')}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

test('REST: 5,000 nested arrays to a rule with a body matcher and to an unknown path are answered 404 with a near-miss report', async () => {
  const matched = await post('/orders', deep(5000));
  expect(matched.status).toBe(404);
  expect(((await matched.json()) as { error: { nearest: { missed: string[] } } }).error.nearest.missed[0]).toMatch(
    /\$ is \[\[\[.*nested deeper than 8 levels.*, wanted an object$/,
  );
  expect((await post('/nowhere', deep(5000))).status).toBe(404);
  expect(await (await fetch(`${stack.url('api')}/fine`)).json()).toEqual({ fine: true });
});

test('the journal and verification answer after deeply nested bodies, with the body cut at a marked depth', async () => {
  await post('/orders', deep(5000));
  await post('/orders', JSON.stringify({ sku: 'A' }));
  const journal = await fetch(`${stack.adminUrl}/journal`);
  expect(journal.status).toBe(200);
  const { entries } = (await journal.json()) as { entries: { request: { body: unknown } }[] };
  expect(JSON.stringify(entries[0]?.request.body)).toContain('[truncated by mockstack]: nested deeper than 64 levels');
  expect(entries[1]?.request.body).toEqual({ sku: 'A' });

  const verify = await fetch(`${stack.adminUrl}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'POST /orders', body: { sku: 'A' }, times: 1 }),
  });
  expect(verify.status).toBe(200);
  expect(await verify.json()).toMatchObject({ ok: true, count: 1 });
  // A verification pattern nested deeper than the bound is a clear 400, not a stack overflow.
  const deepPattern = await fetch(`${stack.adminUrl}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"operation":"POST /orders","body":${deep(5000)}}`,
  });
  expect(deepPattern.status).toBe(400);
  expect(await deepPattern.json()).toMatchObject({ error: { message: expect.stringContaining('nests deeper than 64 levels') } });
  expect(stack.verify('POST /orders', { body: { sku: 'A' }, times: 1 }).pass).toBe(true);
});

test.each([5_000, 20_000])('GraphQL: a query nested %i deep answers 400 QUERY_TOO_DEEP, and the next query is served', async (levels) => {
  const query = `{ ${'items { '.repeat(levels)}id${' }'.repeat(levels)} }`;
  const res = await fetch(stack.url('gql'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  expect(res.status).toBe(400);
  const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors[0]?.extensions.code).toBe('QUERY_TOO_DEEP');
  const next = await fetch(stack.url('gql'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ items(first: 1) { id } }' }),
  });
  expect(next.status).toBe(200);
});

test('admin: a body nested 5,000 deep is a 400 naming the bound on every route; a deep value in state reads back cut', async () => {
  for (const [method, path] of [
    ['POST', '/verify'],
    ['POST', '/requests/find'],
    ['POST', '/requests/count'],
    ['PUT', '/state'],
  ] as const) {
    const response = await fetch(`${stack.adminUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: deep(5000) });
    expect([path, response.status]).toEqual([path, 400]);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('nests deeper than 64 levels');
  }
  expect((await post('/keep', deep(5000))).status).toBe(200);
  const state = await fetch(`${stack.adminUrl}/state`);
  expect(state.status).toBe(200);
  expect(JSON.stringify(await state.json())).toContain('[truncated by mockstack]: nested deeper than 64 levels');
  expect((await fetch(`${stack.adminUrl}/health`)).status).toBe(200);
});
