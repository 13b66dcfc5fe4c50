/**
 * Issue 17: requests without a body are answered without fastify (routed, decided and written on
 * node's response). What a client sees must be what fastify sent: status, headers (content type and
 * length, names as given), bytes, HEAD, 204, the query and decoded parameters; static answers are
 * constants whose JSON is made once (on the first answer), so changing one later fails loudly instead
 * of being answered stale.
 */

import { startStack, type TestStack } from '@mockstack/testing';
import { respond, rest, scenario } from 'mockstack';
import { request } from 'undici';

const order = { id: 'ord_1', lines: [{ sku: 'MUG', quantity: 2 }], note: 'ünïcode ✓' };
const shelf = [{ n: 1 }, { n: 2 }];

const direct = scenario('rest-direct').services({
  api: rest({ port: 0 }, [
    rest.get('/orders/:id', order),
    rest.get('/typed', respond({ a: 1 }, { status: 202, headers: { 'Content-Type': 'application/vnd.api+json', 'X-Custom': 'v' } })),
    rest.get('/text', 'plain words'),
    rest.get('/created', respond(undefined, { status: 201 })),
    rest.delete('/orders/:id', () => undefined),
    rest.get('/echo/:id', ({ params, query }) => ({ params, query })),
    rest.get('/shelf', shelf),
    rest.post('/shelf', () => {
      shelf.push({ n: 3 });
      return shelf;
    }),
    rest.get('/not-json', () => ({ big: 10n })),
  ]),
});

let stack: TestStack;
let base: string;

beforeAll(async () => {
  stack = await startStack(direct);
  base = stack.url('api');
});
afterAll(() => stack.close());

/** A request over undici with the raw status, headers and body text. */
async function call(method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const res = await request(`${base}${path}`, { method: method as 'GET' });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

test('a static answer: JSON bytes (UTF-8), content type and length as fastify sent them; HEAD gets the headers only', async () => {
  for (let i = 0; i < 3; i++) {
    const got = await call('GET', '/orders/1');
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(order))));
    expect(JSON.parse(got.text)).toEqual(order);
  }
  const head = await call('HEAD', '/orders/1');
  expect(head.status).toBe(200);
  expect(head.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(order))));
  expect(head.text).toBe('');
  expect(stack.requests({ operation: 'GET /orders/:id' }).map((entry) => entry.status)).toEqual([200, 200, 200, 200]);
});

test('status, own headers (any case) and their content type; a text body; no body: 201 with length 0, 204 with none', async () => {
  const typed = await call('GET', '/typed');
  expect(typed.status).toBe(202);
  expect(typed.headers['content-type']).toBe('application/vnd.api+json');
  expect(typed.headers['x-custom']).toBe('v');
  expect(JSON.parse(typed.text)).toEqual({ a: 1 });

  const text = await call('GET', '/text');
  expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
  expect(text.text).toBe('plain words');

  const created = await call('GET', '/created');
  expect(created.status).toBe(201);
  expect(created.headers['content-length']).toBe('0');
  expect(created.headers['content-type']).toBeUndefined();

  const deleted = await call('DELETE', '/orders/1');
  expect(deleted.status).toBe(204);
  expect(deleted.headers['content-length']).toBeUndefined();
  expect(deleted.text).toBe('');
});

test('the query is parsed and path parameters decoded as fastify does', async () => {
  const got = await call('GET', '/echo/a%20b?x=1&x=2&y=&z=%C3%BC');
  expect(JSON.parse(got.text)).toEqual({ params: { id: 'a b' }, query: { x: ['1', '2'], y: '', z: 'ü' } });
});

test('a handler changing a static answer after its first answer fails naming its rule; the answer stays as declared and the service serves on', async () => {
  expect(JSON.parse((await call('GET', '/shelf')).text)).toEqual([{ n: 1 }, { n: 2 }]);
  const changed = await call('POST', '/shelf');
  expect(changed.status).toBe(500);
  expect(JSON.parse(changed.text).error.message).toMatch(/rule api#8 .*not extensible/);
  expect(JSON.parse((await call('GET', '/shelf')).text)).toEqual([{ n: 1 }, { n: 2 }]);
  expect((await call('GET', '/orders/2')).status).toBe(200);
});

test('a body with no JSON form is one clear 500 naming the rule; the service serves on', async () => {
  const got = await call('GET', '/not-json');
  expect(got.status).toBe(500);
  expect(JSON.parse(got.text).error.message).toMatch(/the answer of rule api#9 .*cannot be sent: its body is not JSON/);
  expect(stack.requests({ operation: 'GET /not-json' }).at(-1)).toMatchObject({ status: 500, rule: 'api#9' });
  expect((await call('GET', '/orders/3')).status).toBe(200);
});
