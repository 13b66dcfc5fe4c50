import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';
import { writeLargeDocument } from '../../bench/suites/openapi.mjs';

// A 12 MB document with 1,200 operations, generated at run time (bench/suites/openapi.mjs measures its speed).
const large = writeLargeDocument({ operations: 1200, targetBytes: 12 * 1024 * 1024 });
let stack: TestStack;
let base: string;

beforeAll(async () => {
  stack = await startStack(
    scenario('openapi-large', { seed: 3 }).services({
      api: rest({ port: 0, openapi: large.file }, [rest.operation('listResource500', { total: 1 })]),
    }),
  );
  base = stack.url('api');
});
afterAll(async () => {
  await stack?.close();
  large.cleanup();
});

test('every operation is a route; contract responses, validation and overrides work on any of them', async () => {
  expect(large.bytes).toBeGreaterThan(12 * 1000 * 1000);
  expect(stack.engine.model.services.get('api')?.operations.size).toBe(1200);

  const list = await fetch(`${base}/v1/resources599?limit=3`);
  expect(list.status).toBe(200);
  const body = (await list.json()) as { items: { id: string; email: string; status: string }[]; total: number };
  expect(body.items.length).toBeGreaterThan(0);
  for (const item of body.items) {
    expect(item.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(item.email).toContain('@');
    expect(['active', 'pending', 'closed']).toContain(item.status);
  }

  const invalid = await fetch(`${base}/v1/resources42/abc`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name":1}' });
  expect(invalid.status).toBe(422);
  expect(((await invalid.json()) as { violations: unknown[] }).violations).toEqual([
    { in: 'body', pointer: '/id', message: 'is required (id)' },
    { in: 'body', pointer: '/name', message: 'must be string' },
  ]);
  expect(await (await fetch(`${base}/v1/resources500`)).json()).toEqual({ total: 1 });
  expect((await fetch(`${base}/v1/resources600`)).status).toBe(404);
});

test("an operation's contract answers are made on its first request (not at start) and answer as they will later: a Prefer it cannot meet, then its example, then the same Prefer", async () => {
  // resources7's operations have not been asked by any test before this one.
  const asked = () => fetch(`${base}/v1/resources7?limit=2`, { headers: { prefer: 'code=418' } });
  const refused = await asked();
  expect(refused.status).toBe(400);
  expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await refused.json()) as { detail: string; available: string[] };
  expect(problem.detail).toMatch(/418/);
  expect(problem.available.length).toBeGreaterThan(0);
  const answered = await fetch(`${base}/v1/resources7?limit=2`);
  expect(answered.status).toBe(200);
  const body = await answered.json();
  expect(await (await fetch(`${base}/v1/resources7?limit=2`)).json()).toEqual(body);
  const again = await asked();
  expect(again.status).toBe(400);
  expect(await again.json()).toEqual(problem);
});

test("a method a path does not document is a 405 naming the documented ones (the paths' templates are compiled on the first such request), then the server keeps serving", async () => {
  const refused = await fetch(`${base}/v1/resources8/abc`, { method: 'DELETE' });
  expect(refused.status).toBe(405);
  expect(refused.headers.get('allow')).toBe('PUT');
  expect((await fetch(`${base}/v1/resources9/abc`, { method: 'DELETE' })).headers.get('allow')).toBe('PUT');
  expect((await fetch(`${base}/v1/resources8?limit=1`)).status).toBe(200);
});
