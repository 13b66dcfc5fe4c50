import { fault, rest, scenario } from 'mockstack';
import { adminRequest, serveWithAdmin } from '../helpers/admin.js';

const shop = scenario('admin-api', { state: () => ({ hits: 0 }) })
  .services({
    shop: rest({ port: 0 }, [rest.get('/hits', ({ state }) => ({ hits: ++state.hits })), rest.post('/orders', { id: 'o1' })]),
  })
  .variants({
    'shop-down': { shop: fault.unavailable('maintenance') },
    'shop-slow': { shop: { delay: '1ms' } },
  });

const json = async (res: Response | Promise<Response>) => (await res).json() as Promise<Record<string, unknown>>;
const served = serveWithAdmin(shop, 'shop');
const send = (method: string, path: string, body?: unknown) => adminRequest(served.admin, method, path, body);

test('listens on loopback under /__admin', () => {
  expect(served.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__admin$/);
});

test("health names the scenario, seed and active variants, with the fields of WireMock's health", async () => {
  expect(await json(fetch(`${served.admin}/health`))).toEqual({
    status: 'ok',
    message: 'mockstack is ok',
    uptimeInSeconds: expect.any(Number),
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    scenario: 'admin-api',
    file: expect.stringContaining('admin-api.test.ts'),
    seed: 1,
    variants: [],
  });
});

test('services lists each service with its URL and operations', async () => {
  const services = (await (await fetch(`${served.admin}/services`)).json()) as { name: string; url: string; operations: { id: string }[] }[];
  expect(services).toEqual([expect.objectContaining({ name: 'shop', protocol: 'rest', url: served.url })]);
  expect(services[0]?.operations.map((o) => o.id)).toEqual(['GET /hits', 'POST /orders']);
});

test('journal lists requests, filtered by operation, match and limit', async () => {
  await fetch(`${served.url}/hits`);
  await fetch(`${served.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"A"}' });
  await fetch(`${served.url}/missing`);
  const all = (await json(fetch(`${served.admin}/journal`))).entries as { target: string }[];
  expect(all.map((e) => e.target)).toEqual(['GET /hits', 'POST /orders', 'GET /missing']);
  const unmatched = (await json(fetch(`${served.admin}/journal?matched=false`))).entries as { target: string; miss: unknown }[];
  expect(unmatched).toEqual([expect.objectContaining({ target: 'GET /missing', miss: expect.objectContaining({ hint: expect.any(String) }) })]);
  expect(((await json(fetch(`${served.admin}/journal?operation=${encodeURIComponent('POST /orders')}`))).entries as unknown[]).length).toBe(1);
  expect(((await json(fetch(`${served.admin}/journal?limit=1`))).entries as { target: string }[])[0]?.target).toBe('GET /missing');
  await send('DELETE', '/journal');
  expect((await json(fetch(`${served.admin}/journal`))).entries).toEqual([]);
});

/** Reads Server-Sent Events from `response` until `until` accepts what has arrived; then stops reading. */
async function eventsUntil(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

test('events streams the journal: the entries after Last-Event-ID, then each new one, and a clear', async () => {
  await fetch(`${served.url}/hits`);
  await fetch(`${served.url}/missing`);
  const controller = new AbortController();
  const response = await fetch(`${served.admin}/events`, { headers: { 'last-event-id': '1' }, signal: controller.signal });
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const backlog = await eventsUntil(response, (text) => text.includes('event: ready'));
  expect([...backlog.matchAll(/^id: (\d+)$/gm)].map((m) => m[1])).toEqual(['2']);
  expect(backlog).toContain('"target":"GET /missing"');

  // subscribed once the headers arrive
  const live = await fetch(`${served.admin}/events?after=2`);
  const arrived = eventsUntil(live, (text) => text.includes('event: cleared'));
  await fetch(`${served.url}/hits`);
  await send('DELETE', '/journal');
  const text = await arrived;
  expect(text).toMatch(/id: 3\nevent: entry\ndata: \{"id":3,.*"target":"GET \/hits"/);
  expect(text).toContain('id: 0\nevent: cleared');
  controller.abort();
});

const order = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${served.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('verify takes the shared vocabulary: criteria, times/atLeast/atMost, inOrder; a miss lists the nearest requests', async () => {
  await order({ sku: 'A', qty: 1 }, { 'x-tenant': 'acme' });
  await fetch(`${served.url}/hits?from=test`);
  expect(await json(send('POST', '/verify', { operation: 'POST /orders', body: { sku: 'A' }, headers: { 'x-tenant': 'acme' }, times: 1 }))).toMatchObject({
    ok: true,
    count: 1,
    matching: [1],
  });
  expect(await json(send('POST', '/verify', { method: 'GET', path: '/hits', query: { from: 'test' }, atMost: 1 }))).toMatchObject({ ok: true, count: 1 });
  const miss = await json(send('POST', '/verify', { operation: 'POST /orders', body: { sku: 'B' } }));
  expect(miss).toMatchObject({
    ok: false,
    count: 0,
    expected: 'at least once',
  });
  expect((miss.nearest as unknown[])[0]).toMatchObject({ id: 1, missed: ['body: $.sku is "A", wanted "B"'] });
  expect(miss.message).toMatch(/Nearest requests:\n {2}#1 shop POST \/orders → 200: body: \$\.sku is "A", wanted "B"/);
  expect(await json(send('POST', '/verify', { inOrder: [{ operation: 'POST /orders' }, { operation: 'GET /hits' }] }))).toMatchObject({
    ok: true,
    matching: [1, 2],
  });
  expect(await json(send('POST', '/verify', { inOrder: [{ operation: 'GET /hits' }, { operation: 'POST /orders' }] }))).toMatchObject({ ok: false });
});

test('requests: find, count and remove by a full pattern; unmatched ones with their near miss', async () => {
  await order({ sku: 'A' }, { 'x-tenant': 'acme' });
  await order({ sku: 'B' }, { 'x-tenant': 'globex' });
  await fetch(`${served.url}/ordres`);
  const found = (await json(send('POST', '/requests/find', { operation: 'POST /orders', headers: { 'x-tenant': 'globex' } }))).entries as Record<
    string,
    unknown
  >[];
  expect(found).toEqual([
    expect.objectContaining({ id: 2, request: expect.objectContaining({ body: { sku: 'B' } }), response: { status: 200, body: { id: 'o1' } } }),
  ]);
  expect(await json(send('POST', '/requests/count', { method: 'POST', bodyEquals: { sku: 'A' } }))).toEqual({ count: 1 });
  const unmatched = (await json(fetch(`${served.admin}/requests/unmatched`))).entries as Record<string, unknown>[];
  expect(unmatched).toEqual([
    expect.objectContaining({ target: 'GET /ordres', miss: expect.objectContaining({ hint: expect.stringMatching(/did you mean/) }) }),
  ]);
  expect(await json(send('POST', '/requests/remove', { headers: { 'x-tenant': 'acme' } }))).toEqual({ removed: 1 });
  expect(((await json(fetch(`${served.admin}/journal`))).entries as { id: number }[]).map((e) => e.id)).toEqual([2, 3]);
});

test('reset returns state to the seed and empties the journal', async () => {
  await fetch(`${served.url}/hits`);
  await fetch(`${served.url}/hits`);
  expect(await json(send('POST', '/reset'))).toEqual({ reset: true, scenario: 'admin-api' });
  expect(await json(fetch(`${served.url}/hits`))).toEqual({ hits: 1 });
  expect(((await json(fetch(`${served.admin}/journal`))).entries as unknown[]).length).toBe(1);
});

test('variants switch at runtime without a restart', async () => {
  expect(await json(fetch(`${served.admin}/variants`))).toEqual({ active: [], available: ['shop-down', 'shop-slow'] });
  expect(await json(send('PUT', '/variants', { active: ['shop-down'] }))).toEqual({ active: ['shop-down'], available: ['shop-down', 'shop-slow'] });
  const down = await fetch(`${served.url}/hits`);
  expect(down.status).toBe(503);
  expect(await down.json()).toEqual({ error: { code: 'UNAVAILABLE', message: 'maintenance' } });
  await send('PUT', '/variants', { active: [] });
  expect((await fetch(`${served.url}/hits`)).status).toBe(200);
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
    expect((await json(fetch(`${served.admin}/variants`))).active).toEqual(['shop-slow']);
    expect((await fetch(`${served.url}/hits`)).status).toBe(200);
  });

  test.each([
    [
      'an unknown criterion',
      '/verify',
      { operation: 'POST /orders', header: { a: 'b' } },
      'MOCKSTACK_ERR_VERIFY_UNKNOWN_CRITERION',
      /"header"; did you mean "headers"\?/,
    ],
    [
      'the criteria inside "pattern"',
      '/verify',
      { pattern: { operation: 'POST /orders' }, times: 1 },
      'MOCKSTACK_ERR_VERIFY_UNKNOWN_CRITERION',
      /at the top level, beside the count .*not inside "pattern"/,
    ],
    [
      'the criteria inside "pattern", to find',
      '/requests/find',
      { pattern: { path: '/hits' } },
      'MOCKSTACK_ERR_VERIFY_UNKNOWN_CRITERION',
      /not inside "pattern"/,
    ],
    ["another tool's word", '/verify', { operation: 'POST /orders', count: 1 }, 'MOCKSTACK_ERR_VERIFY_UNKNOWN_CRITERION', /did you mean "times"/],
    ['an unknown operation', '/verify', { operation: 'POST /orderz' }, 'MOCKSTACK_ERR_VERIFY_UNKNOWN_OPERATION', /did you mean "POST \/orders"/],
    ['an unknown service', '/requests/count', { service: 'shopp' }, 'MOCKSTACK_ERR_VERIFY_UNKNOWN_OPERATION', /did you mean "shop"/],
    ['a count in a pattern', '/requests/find', { operation: 'POST /orders', times: 1 }, 'BAD_REQUEST', /belong to POST \/__admin\/verify/],
    ['a negative count', '/verify', { operation: 'POST /orders', atLeast: -1 }, 'MOCKSTACK_ERR_VERIFY_INVALID', /atLeast must be a whole number/],
    ['an order that is not a list', '/verify', { inOrder: 'POST /orders' }, 'BAD_REQUEST', /inOrder/],
  ])('%s is a 400 with a code', async (_name, path, body, code, message) => {
    await fetch(`${served.url}/hits`);
    const res = await send('POST', path, body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error).toEqual({ code, message: expect.stringMatching(message) });
    expect((await fetch(`${served.url}/hits`)).status).toBe(200);
  });

  test('a journal filter that is not a number', async () => {
    expect((await fetch(`${served.admin}/journal?limit=lots`)).status).toBe(400);
  });
});
