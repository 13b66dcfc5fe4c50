/**
 * WireMock's admin endpoints with plain fetch, on the bundled checkout example (orders and shipping are
 * its REST services): which service a mapping goes to, a literal URL under a scenario route, patterns,
 * imports, replacement, templates, dribbled bodies, verification by WireMock request patterns, reset,
 * the OpenAPI document; and every bad input answered with a clear 4xx while the stack keeps serving.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { adminRequest } from '../helpers/admin.js';
import { eventually } from '../helpers/eventually.js';

const root = resolve(import.meta.dirname, '../..');
let running: RunningStack;
let admin: string;
let orders: string;

beforeAll(async () => {
  running = await runScenario(resolve(root, 'scenarios/checkout.ts'), {
    randomPorts: true,
    adminPort: 0,
    wiremockFiles: resolve(root, 'test/fixtures/wiremock-files'),
  });
  admin = running.admin?.url ?? '';
  orders = running.stack.address('orders').url;
});
afterAll(() => running.close());
beforeEach(() => running.stack.engine.reset());

type Json = Record<string, unknown>;
const send = async (method: string, path: string, body?: unknown) => {
  const response = await adminRequest(admin, method, path, body);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json };
};
const get = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${orders}${path}`, init);
  return { status: response.status, body: (await response.json()) as Json };
};
const ofOrders = { metadata: { service: 'orders' } };
/** The scenario's own answer for an order it seeds: the stack serves as before. */
const stillServing = async () => expect(await get('/orders/ord_1002')).toEqual({ status: 200, body: expect.objectContaining({ id: 'ord_1002' }) });
const lastJournalEntry = async () => ((await send('GET', '/journal?limit=1')).body.entries as Json[])[0];

test('with two REST services a mapping names one in metadata.service, or goes to the one whose routes take its URL; else a 400 says how', async () => {
  // Neither orders nor shipping routes /refunds: which one is meant cannot be told.
  const refused = await send('POST', '/mappings', { request: { method: 'GET', url: '/refunds/r1' }, response: { status: 200 } });
  expect(refused).toEqual({
    status: 400,
    body: {
      error: {
        code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
        message: expect.stringContaining(
          'several REST services (orders, shipping) and no route of theirs takes its URL: name one in the mapping\'s metadata, e.g. "metadata": { "service": "orders" }',
        ),
      },
    },
  });
  // A pattern may be meant for either.
  expect((await send('POST', '/mappings', { request: { method: 'GET', urlPathPattern: '/orders/.*' }, response: { status: 200 } })).status).toBe(400);
  expect((await send('GET', '/mappings')).body).toEqual({ mappings: [], meta: { total: 0 } });
  await stillServing();

  // Only orders routes GET /orders/ord_1001 (its /orders/:id), and only shipping POST /v2/shipments: no metadata
  // needed, as with a WireMock client that cannot send any (wiremock-captain).
  const byRoute = await send('POST', '/mappings', {
    request: { method: 'GET', url: '/orders/ord_1001' },
    response: { status: 200, jsonBody: { id: 'ord_1001', status: 'STUBBED' } },
  });
  expect(byRoute.status).toBe(201);
  expect(await get('/orders/ord_1001')).toEqual({ status: 200, body: { id: 'ord_1001', status: 'STUBBED' } });
  const template = await send('POST', '/mappings', {
    request: { method: 'POST', urlPathTemplate: '/v2/shipments' },
    response: { status: 201, jsonBody: { id: 'shp_stub' } },
  });
  expect(template.status).toBe(201);
  const shipped = await fetch(`${running.stack.address('shipping').url}/v2/shipments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rateId: 'rate_dhl_std', to: { name: 'Ada', street: 'Main St 1', postalCode: '10115', city: 'Berlin', country: 'DE' } }),
  });
  expect({ status: shipped.status, body: await shipped.json() }).toEqual({ status: 201, body: { id: 'shp_stub' } });
  await send('POST', '/mappings/reset');
  await stillServing();
});

test("a literal URL under the scenario's GET /orders/:id goes to that route, with its id as a condition", async () => {
  const created = await send('POST', '/mappings', {
    ...ofOrders,
    request: { method: 'GET', url: '/orders/ord_1001' },
    response: { status: 200, jsonBody: { id: 'ord_1001', status: 'STUBBED' } },
  });
  expect(created).toEqual({ status: 201, body: expect.objectContaining({ id: expect.any(String), uuid: created.body.id }) });
  expect(await get('/orders/ord_1001')).toEqual({ status: 200, body: { id: 'ord_1001', status: 'STUBBED' } });
  // The route the REST server took, and the rule added to it (not a new literal route).
  expect(await lastJournalEntry()).toEqual(expect.objectContaining({ operation: 'GET /orders/:id', rule: expect.stringMatching(/^added:orders#\d+$/) }));
  // GET /rules lists it first, as added, with its priority; verification knows its operation.
  const rules = (await send('GET', '/rules')).body as unknown as Json[];
  expect(rules[0]).toEqual(
    expect.objectContaining({ id: expect.stringMatching(/^added:orders#\d+$/), service: 'orders', operation: 'GET /orders/:id', added: true, priority: 5 }),
  );
  expect(rules.filter((r) => r.added)).toHaveLength(1);
  // `url` is the whole URL: with a query it is another URL, answered by the scenario.
  expect((await get('/orders/ord_1001?expand=lines')).body).toEqual(expect.objectContaining({ id: 'ord_1001', customerId: expect.any(String) }));
  await stillServing();
  expect((await get('/orders/ord_9')).status).toBe(404);
  expect(await lastJournalEntry()).toEqual(expect.objectContaining({ operation: 'GET /orders/:id', rule: 'orders#3' }));

  await send('POST', '/mappings', {
    ...ofOrders,
    request: { method: 'POST', urlPath: '/orders/ord_1001/cancel' },
    response: { status: 409, jsonBody: { error: 'LOCKED' } },
  });
  expect(await get('/orders/ord_1001/cancel', { method: 'POST' })).toEqual({ status: 409, body: { error: 'LOCKED' } });
  expect(await lastJournalEntry()).toEqual(expect.objectContaining({ operation: 'POST /orders/:id/cancel' }));
});

test('a path pattern answers the paths it matches on every route that takes them; the scenario answers the others', async () => {
  await send('POST', '/mappings', {
    ...ofOrders,
    request: { method: 'GET', urlPathPattern: '/orders/ord_9[0-9]+(/items)?' },
    response: { status: 200, jsonBody: { from: 'pattern' } },
  });
  expect((await get('/orders/ord_901')).body).toEqual({ from: 'pattern' });
  expect((await get('/orders/ord_901/items')).body).toEqual({ from: 'pattern' });
  // /orders/:id still takes the order ids the pattern does not match (the added wildcard does not take them).
  expect(await get('/orders/ord_1001')).toEqual({ status: 200, body: expect.objectContaining({ id: 'ord_1001' }) });
  expect((await get('/orders/ord_8')).body).toEqual(expect.objectContaining({ error: expect.objectContaining({ code: 'NOT_FOUND' }) }));
});

test("a mapping on the OpenAPI service (shipping) goes to the document's operation and answers within its contract", async () => {
  const shipping = running.stack.address('shipping').url;
  const rate = { id: 'rate_x', carrier: 'DPD', service: 'standard', price: { amount: 3.5, currency: 'EUR' }, estimatedDays: 3 };
  const created = await send('POST', '/mappings', {
    metadata: { service: 'shipping' },
    request: { method: 'GET', urlPath: '/v2/rates/rate_x' },
    response: { status: 200, jsonBody: rate },
  });
  expect(created.status).toBe(201);
  expect(await (await fetch(`${shipping}/v2/rates/rate_x`)).json()).toEqual(rate);
  expect(await lastJournalEntry()).toEqual(
    expect.objectContaining({ service: 'shipping', operation: 'GET /v2/rates/:rateId', rule: expect.stringMatching(/^added:shipping#/) }),
  );
  // Another rate is the document's answer, as before.
  expect((await fetch(`${shipping}/v2/rates/rate_y`)).status).toBe(200);
  expect(await lastJournalEntry()).toEqual(expect.objectContaining({ rule: 'contract:GET /v2/rates/:rateId' }));
});

test('templates, dribbled bodies and delays in the response', async () => {
  await send('POST', '/mappings', {
    ...ofOrders,
    request: { method: 'GET', urlPathTemplate: '/receipts/{receiptId}', pathParameters: { receiptId: { matches: 'r_[0-9]+' } } },
    response: {
      status: 200,
      headers: { 'Content-Type': 'application/json', 'X-Receipt': '{{request.path.receiptId}}' },
      jsonBody: { receipt: '{{request.path.receiptId}}', lang: '{{request.headers.Accept-Language}}' },
      transformers: ['response-template'],
    },
  });
  const receipt = await fetch(`${orders}/receipts/r_42`, { headers: { 'accept-language': 'de' } });
  expect(receipt.headers.get('x-receipt')).toBe('r_42');
  expect(await receipt.json()).toEqual({ receipt: 'r_42', lang: 'de' });
  expect((await fetch(`${orders}/receipts/x`)).status).toBe(404);

  await send('POST', '/mappings', {
    ...ofOrders,
    request: { method: 'GET', url: '/export' },
    response: {
      status: 200,
      body: 'id,total\n1,10\n2,20\n',
      headers: { 'Content-Type': 'text/csv' },
      chunkedDribbleDelay: { numberOfChunks: 3, totalDuration: 30 },
    },
  });
  expect(await (await fetch(`${orders}/export`)).text()).toBe('id,total\n1,10\n2,20\n');

  await send('POST', '/mappings', {
    ...ofOrders,
    request: { method: 'GET', url: '/orders/ord_1001' },
    response: { status: 200, jsonBody: {}, delayDistribution: { type: 'uniform', lower: 60_000, upper: 90_000 } },
  });
  const cut = new AbortController();
  const order: string[] = [];
  const slow = fetch(`${orders}/orders/ord_1001`, { signal: cut.signal }).then(
    () => order.push('delayed answered'),
    () => order.push('delayed cut'),
  );
  await stillServing();
  order.push('undelayed answered');
  cut.abort();
  await slow;
  expect(order).toEqual(['undelayed answered', 'delayed cut']);
  // The server journals the cut request once it sees the client gone: wait for it, so that it lands in this test's journal.
  await eventually(async () =>
    expect((await fetch(`${admin}/journal?limit=1`).then((r) => r.json() as Promise<{ entries: unknown[] }>)).entries[0]).toEqual(
      expect.objectContaining({ target: 'GET /orders/ord_1001' }),
    ),
  );
});

test('requests are verified by WireMock request patterns; mockstack patterns and /verify answer as before', async () => {
  await get('/orders/ord_1001');
  await get('/orders/ord_1002', { headers: { 'x-trace': 'abc-1' } });
  const count = (pattern: unknown) => send('POST', '/requests/count', pattern);
  expect(await count({ method: 'GET', urlPathPattern: '/orders/ord_100[0-9]' })).toEqual({ status: 200, body: { count: 2 } });
  expect(await count({ urlPath: '/orders/ord_1002', headers: { 'X-Trace': { matches: 'abc-[0-9]' } } })).toEqual({ status: 200, body: { count: 1 } });
  expect(await count({ method: 'POST', url: '/orders/ord_1001' })).toEqual({ status: 200, body: { count: 0 } });
  expect(await count({ operation: 'GET /orders/:id' })).toEqual({ status: 200, body: { count: 2 } });
  expect((await send('POST', '/verify', { operation: 'GET /orders/:id', times: 2 })).body).toEqual(expect.objectContaining({ ok: true }));
  const found = await send('POST', '/requests/find', { method: 'GET', urlPath: '/orders/ord_1002' });
  expect(found.body.requests).toEqual([expect.objectContaining({ url: '/orders/ord_1002', method: 'GET', absoluteUrl: `${orders}/orders/ord_1002` })]);
  expect((await send('POST', '/requests/find', { path: '/orders/ord_1002' })).body.entries).toHaveLength(1);
});

test('import checks every mapping first; PUT replaces one; POST /__admin/reset forgets them all', async () => {
  const first = {
    id: 'a0000000-0000-0000-0000-000000000001',
    ...ofOrders,
    request: { method: 'GET', url: '/orders/ord_1001' },
    response: { status: 200, jsonBody: { n: 1 } },
  };
  const second = { ...ofOrders, request: { method: 'GET', url: '/coupons' }, response: { status: 200, jsonBody: { coupons: [] } } };
  const bad = { ...ofOrders, request: { method: 'GET', url: '/x', multipartPatterns: [{ matchingType: 'SOME' }] }, response: { status: 200 } };
  const refused = await send('POST', '/mappings/import', { mappings: [first, second, bad] });
  expect(refused.status).toBe(400);
  expect(refused.body.error).toEqual({
    code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
    message: expect.stringContaining('mappings[2]: multipartPatterns[0]: matchingType must be ANY or ALL; got "SOME"'),
  });
  expect((await send('GET', '/mappings')).body.meta).toEqual({ total: 0 });

  expect((await send('POST', '/mappings/import', { mappings: [first, second] })).status).toBe(200);
  expect((await get('/orders/ord_1001')).body).toEqual({ n: 1 });
  expect((await get('/coupons')).body).toEqual({ coupons: [] });
  // IGNORE keeps the mapping there is of that id.
  await send('POST', '/mappings/import', {
    mappings: [{ ...first, response: { status: 200, jsonBody: { n: 2 } } }],
    importOptions: { duplicatePolicy: 'IGNORE' },
  });
  expect((await get('/orders/ord_1001')).body).toEqual({ n: 1 });

  const replaced = await send('PUT', `/mappings/${first.id}`, { ...first, response: { status: 200, jsonBody: { n: 3 } } });
  expect(replaced).toEqual({ status: 200, body: expect.objectContaining({ id: first.id, response: { status: 200, jsonBody: { n: 3 } } }) });
  expect((await get('/orders/ord_1001')).body).toEqual({ n: 3 });
  expect((await send('GET', `/mappings/${first.id}`)).body).toEqual(expect.objectContaining({ id: first.id }));
  // A refused replacement leaves the mapping serving.
  const badPut = await send('PUT', `/mappings/${first.id}`, { ...first, response: { status: 200, bodyFileName: 'order.json' } });
  expect(badPut.body.error).toEqual({
    code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
    message: expect.stringContaining('bodyFileName order.json: no such file in test/fixtures/wiremock-files'),
  });
  expect((await get('/orders/ord_1001')).body).toEqual({ n: 3 });

  expect((await send('POST', '/reset')).status).toBe(200);
  expect((await send('GET', '/mappings')).body).toEqual({ mappings: [], meta: { total: 0 } });
  expect((await get('/orders/ord_1001')).body).toEqual(expect.objectContaining({ id: 'ord_1001', customerId: expect.any(String) }));
  expect((await get('/coupons')).status).toBe(404);
});

test('value matchers: absent, present, doesNotMatch, doesNotContain; cookies and basic credentials', async () => {
  const stub = (request: Json, answer: string, priority = 5) =>
    send('POST', '/mappings', { ...ofOrders, priority, request: { method: 'GET', urlPath: '/gate', ...request }, response: { jsonBody: { answer } } });
  expect((await stub({ headers: { 'X-Trace': { absent: true } }, queryParameters: { mode: { doesNotMatch: 'dry.*' } } }, 'untraced, not dry', 1)).status).toBe(
    201,
  );
  expect((await stub({ headers: { 'X-Trace': { absent: false }, 'User-Agent': { doesNotContain: 'bot' } } }, 'traced human', 2)).status).toBe(201);
  expect((await stub({ cookies: { session: { equalTo: 's-1' }, theme: { matches: 'dark|light' } } }, 'session s-1', 3)).status).toBe(201);
  expect((await stub({ basicAuthCredentials: { username: 'ada', password: 'p:ss' } }, 'ada')).status).toBe(201);
  const answer = async (path: string, headers: Record<string, string> = {}) => {
    const { status, body } = await get(path, { headers });
    return status === 200 ? body.answer : status;
  };
  expect(await answer('/gate?mode=live')).toBe('untraced, not dry');
  // Present and not matching: `mode=dry-run` fails doesNotMatch; a missing value fails it too (it is not there to differ).
  expect(await answer('/gate?mode=dry-run', { 'x-trace': '1', 'user-agent': 'curl' })).toBe('traced human');
  expect(await answer('/gate', { 'x-trace': '1', 'user-agent': 'crawler-bot' })).toBe(404);
  expect(await answer('/gate?mode=dry', { cookie: 'theme=dark; session=s-1' })).toBe('session s-1');
  expect(await answer('/gate?mode=dry', { cookie: 'theme=blue; session=s-1' })).toBe(404);
  expect(await answer('/gate?mode=dry', { cookie: 'xsession=s-1; theme=dark' })).toBe(404);
  expect(await answer('/gate?mode=dry', { authorization: `Basic ${Buffer.from('ada:p:ss').toString('base64')}` })).toBe('ada');
  expect(await answer('/gate?mode=dry', { authorization: `Basic ${Buffer.from('ada:other').toString('base64')}` })).toBe(404);
  // The same matchers in request patterns over the journal.
  expect((await send('POST', '/requests/count', { urlPath: '/gate', headers: { 'X-Trace': { absent: true } } })).body).toEqual({ count: 6 });
  expect((await send('POST', '/requests/count', { urlPath: '/gate', queryParameters: { mode: { doesNotContain: 'dry' } } })).body).toEqual({ count: 1 });
});

test('a proxy stub sends its requests to the real service, with headers added and removed and a prefix cut', async () => {
  const seen: { url: string | undefined; headers: Record<string, unknown> }[] = [];
  const upstream = createServer((request, response) => {
    seen.push({ url: request.url, headers: request.headers });
    response.writeHead(202, { 'content-type': 'application/json', 'x-real': 'yes' }).end(JSON.stringify({ real: true, url: request.url }));
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
  try {
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const created = await send('POST', '/mappings', {
      ...ofOrders,
      request: { method: 'ANY', urlPathPattern: '/legacy/.*' },
      response: {
        proxyBaseUrl: `${base}/v2`,
        proxyUrlPrefixToRemove: '/legacy',
        additionalProxyRequestHeaders: { Authorization: 'Bearer real-token' },
        removeProxyRequestHeaders: ['X-Mock-Only'],
      },
    });
    expect(created.status).toBe(201);
    const answer = await fetch(`${orders}/legacy/items/7?full=1`, { headers: { 'x-mock-only': 'drop me', 'x-kept': 'keep me' } });
    expect([answer.status, answer.headers.get('x-real'), await answer.json()]).toEqual([202, 'yes', { real: true, url: '/v2/items/7?full=1' }]);
    expect(seen[0]?.headers).toEqual(expect.objectContaining({ authorization: 'Bearer real-token', 'x-kept': 'keep me' }));
    expect(seen[0]?.headers).not.toHaveProperty('x-mock-only');
    const posted = await fetch(`${orders}/legacy/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"A"}' });
    expect(await posted.json()).toEqual({ real: true, url: '/v2/items' });
    // The scenario's own routes are not proxied.
    await stillServing();
  } finally {
    await new Promise((done) => upstream.close(done));
  }
});

test('bodyFileName reads the WireMock files folder (up --wiremock-files); base64Body answers bytes', async () => {
  const add = (response: Json, url: string) => send('POST', '/mappings', { ...ofOrders, request: { method: 'GET', url }, response });
  expect((await add({ bodyFileName: 'orders/ord_file.json', headers: { 'Content-Type': 'application/json' } }, '/files/order')).status).toBe(201);
  expect((await add({ bodyFileName: 'note.txt' }, '/files/note')).status).toBe(201);
  expect(
    (await add({ base64Body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]).toString('base64'), headers: { 'Content-Type': 'image/png' } }, '/files/logo'))
      .status,
  ).toBe(201);
  expect(await get('/files/order')).toEqual({ status: 200, body: { id: 'ord_file', status: 'SHIPPED' } });
  expect(await (await fetch(`${orders}/files/note`)).text()).toBe('plain text from a file\n');
  const logo = await fetch(`${orders}/files/logo`);
  expect([logo.headers.get('content-type'), [...new Uint8Array(await logo.arrayBuffer())]]).toEqual(['image/png', [0x89, 0x50, 0x4e, 0x47, 0, 255]]);
  // Only files inside the folder: a name reaching out of it is no file; so is a folder.
  for (const name of ['../../package.json', '/etc/hostname', 'orders']) {
    const refused = await add({ bodyFileName: name }, '/files/out');
    expect([refused.status, (refused.body.error as Json).message]).toEqual([400, expect.stringContaining(`bodyFileName ${name}: no such file in`)]);
  }
  expect((await add({ base64Body: 'not base64!' }, '/files/bad')).body.error).toEqual({
    code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
    message: expect.stringContaining('base64Body is not base64'),
  });
  await stillServing();
});

test('formParameters: an OAuth token endpoint answered by grant type, nested fields by their bracketed names', async () => {
  const token = (formParameters: Json, answer: Json) =>
    send('POST', '/mappings', { ...ofOrders, request: { method: 'POST', urlPath: '/oauth/token', formParameters }, response: { jsonBody: answer } });
  expect((await token({ grant_type: { equalTo: 'client_credentials' }, scope: { contains: 'orders' } }, { access_token: 'cc' })).status).toBe(201);
  expect(
    (await token({ grant_type: { equalTo: 'refresh_token' }, refresh_token: { matches: 'rt-[0-9]+' }, scope: { absent: true } }, { access_token: 'rt' }))
      .status,
  ).toBe(201);
  expect((await token({ 'metadata[plan]': { equalTo: 'pro' } }, { plan: 'pro' })).status).toBe(201);
  const post = async (form: string) => {
    const response = await fetch(`${orders}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    return response.status === 200 ? await response.json() : response.status;
  };
  expect(await post('grant_type=client_credentials&scope=read%3Aorders')).toEqual({ access_token: 'cc' });
  expect(await post('grant_type=refresh_token&refresh_token=rt-42')).toEqual({ access_token: 'rt' });
  expect(await post('grant_type=refresh_token&refresh_token=rt-42&scope=x')).toBe(404);
  expect(await post('metadata%5Bplan%5D=pro')).toEqual({ plan: 'pro' });
  expect(await post('grant_type=password')).toBe(404);
  expect(
    (await send('POST', '/mappings', { ...ofOrders, request: { urlPath: '/x', formParameters: { a: { hasExactly: [] } } }, response: {} })).body.error,
  ).toEqual({
    code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
    message: expect.stringContaining('form parameter a: {"hasExactly":[]} is not translated'),
  });
});

test('body patterns read a form or JSON body as the client sent it, not as parsed', async () => {
  const stub = (bodyPatterns: Json[], answer: string) =>
    send('POST', '/mappings', { ...ofOrders, request: { method: 'POST', urlPath: '/oauth/raw', bodyPatterns }, response: { body: answer } });
  expect((await stub([{ contains: 'grant_type=client_credentials' }, { matches: '.*scope=read%3Aorders.*' }], 'form')).status).toBe(201);
  expect((await stub([{ equalTo: '{ "grant_type" : "jwt" }' }], 'json as sent')).status).toBe(201);
  const post = async (type: string, body: string) => {
    const response = await fetch(`${orders}/oauth/raw`, { method: 'POST', headers: { 'content-type': type }, body });
    return response.status === 200 ? await response.text() : response.status;
  };
  expect(await post('application/x-www-form-urlencoded', 'grant_type=client_credentials&scope=read%3Aorders')).toBe('form');
  expect(await post('application/json', '{ "grant_type" : "jwt" }')).toBe('json as sent');
  expect(await post('application/json', '{"grant_type":"jwt"}')).toBe(404);
  await stillServing();
});

test('near misses: the mappings nearest to an unmatched request, and the requests nearest to a pattern', async () => {
  await send('POST', '/mappings', {
    ...ofOrders,
    request: { method: 'POST', urlPath: '/coupons', headers: { 'X-Tenant': { equalTo: 'acme' } } },
    response: {},
  });
  await send('POST', '/mappings', { ...ofOrders, request: { method: 'GET', urlPath: '/vouchers' }, response: {} });
  expect((await fetch(`${orders}/coupons`, { method: 'POST', headers: { 'x-tenant': 'other' } })).status).toBe(404);
  const unmatched = (await send('GET', '/requests/unmatched/near-misses')).body.nearMisses as Json[];
  expect(unmatched.map((miss) => [(miss.request as Json).url, ((miss.stubMapping as Json).request as Json).urlPath, miss.matchResult])).toEqual([
    ['/coupons', '/coupons', { distance: 0.333 }],
    ['/coupons', '/vouchers', { distance: 1 }],
  ]);
  // A logged request sent by a client (wiremock-rest-client posts under /requests).
  for (const path of ['/near-misses/request', '/requests/near-misses/request']) {
    const near = (await send('POST', path, { url: '/vouchers?x=1', method: 'POST', headers: { 'X-Tenant': 'acme' } })).body.nearMisses as Json[];
    expect(near.map((miss) => [((miss.stubMapping as Json).request as Json).urlPath, miss.matchResult])).toEqual([
      ['/coupons', { distance: 0.333 }],
      ['/vouchers', { distance: 0.5 }],
    ]);
  }
  await get('/orders/ord_1002');
  const byPattern = (await send('POST', '/near-misses/request-pattern', { method: 'GET', urlPath: '/orders/ord_1003' })).body.nearMisses as Json[];
  expect(byPattern[0]).toEqual({
    request: expect.objectContaining({ url: '/orders/ord_1002', method: 'GET' }),
    requestPattern: { method: 'GET', urlPath: '/orders/ord_1003' },
    matchResult: { distance: 0.5 },
  });
  // Bad input: a logged request without a URL, a pattern that is not an object; the stack keeps serving.
  expect((await send('POST', '/near-misses/request', { method: 'GET' })).body.error).toEqual({
    code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
    message: expect.stringContaining('a logged request has "url" and "method"'),
  });
  expect((await send('POST', '/near-misses/request-pattern', [])).status).toBe(400);
  await stillServing();
});

describe('bad input is a clear 4xx, nothing is added, and the stack keeps serving', () => {
  const refusals: [what: string, send: () => Promise<{ status: number; body: Json }>, status: number, code: string, says: string][] = [
    ['malformed JSON', () => send('POST', '/mappings', '{"request": {"method": "GET",'), 400, 'BAD_REQUEST', 'JSON'],
    ['not an object', () => send('POST', '/mappings', [1, 2]), 400, 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID', 'a mapping is a JSON object'],
    [
      'an unknown service',
      () => send('POST', '/mappings', { metadata: { service: 'billing' }, request: { url: '/x' }, response: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'metadata.service "billing" is not a REST service of the scenario; it has orders, shipping',
    ],
    [
      'a service of another protocol',
      () => send('POST', '/mappings', { metadata: { service: 'catalog' }, request: { url: '/x' }, response: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'metadata.service "catalog" is not a REST service',
    ],
    [
      'an unsupported matcher',
      () => send('POST', '/mappings', { ...ofOrders, request: { url: '/x', headers: { 'X-Api-Key': { binaryEqualTo: 'AQID' } } }, response: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'header X-Api-Key: binaryEqualTo is not a matcher mockstack evaluates (equalTo, contains, doesNotContain, matches, doesNotMatch, absent, and, or, not,',
    ],
    [
      'an XML body pattern that is not XML',
      () => send('POST', '/mappings', { ...ofOrders, request: { url: '/x', bodyPatterns: [{ equalToXml: '<a>' }] }, response: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'body pattern {"equalToXml":"<a>"}: equalToXml is not well-formed XML (',
    ],
    [
      'a proxy to no http(s) URL',
      () => send('POST', '/mappings', { ...ofOrders, request: { url: '/x' }, response: { proxyBaseUrl: 'ftp://example.com' } }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'proxyBaseUrl must be an http(s) URL such as "http://localhost:8080"; got "ftp://example.com"',
    ],
    [
      'malformed basic credentials',
      () => send('POST', '/mappings', { ...ofOrders, request: { url: '/x', basicAuthCredentials: { username: 'ada' } }, response: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'basicAuthCredentials must be { "username": "…", "password": "…" }',
    ],
    [
      'a cookie that must be absent',
      () => send('POST', '/mappings', { ...ofOrders, request: { url: '/x', cookies: { session: { absent: true } } }, response: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'cookie session: {"absent":true} is not translated (equalTo, matches, contains and absent: false are)',
    ],
    [
      'two URLs and a bad priority',
      () => send('POST', '/mappings', { ...ofOrders, priority: 0, request: { url: '/x', urlPath: '/x' }, response: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'request has url and urlPath: give one of',
    ],
    [
      'a regex JavaScript cannot compile',
      () => send('POST', '/mappings', { ...ofOrders, request: { urlPattern: '/orders/([' }, response: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'the regex "/orders/([" does not compile',
    ],
    ['an unknown mapping id (GET)', () => send('GET', '/mappings/nope'), 404, 'MOCKSTACK_ERR_WIREMOCK_MAPPING_UNKNOWN', 'no mapping has id nope'],
    [
      'an unknown mapping id (PUT)',
      () => send('PUT', '/mappings/nope', { request: {}, response: {} }),
      404,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_UNKNOWN',
      'no mapping has id nope',
    ],
    ['an unknown mapping id (DELETE)', () => send('DELETE', '/mappings/nope'), 404, 'MOCKSTACK_ERR_WIREMOCK_MAPPING_UNKNOWN', 'no mapping has id nope'],
    [
      'a request pattern with a multipart part header that is not kept',
      () => send('POST', '/requests/count', { urlPath: '/x', multipartPatterns: [{ headers: { 'X-Part': { equalTo: 'a' } } }] }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'the request pattern is refused, nothing was added: multipartPatterns[0]: the part header X-Part is not kept by the REST adapter',
    ],
    [
      'a request pattern whose regex does not compile',
      () => send('POST', '/requests/count', { urlPattern: '/x([' }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'the regex "/x([" does not compile',
    ],
    [
      'a near-miss pattern whose regex does not compile',
      () => send('POST', '/near-misses/request-pattern', { urlPath: '/x', headers: { a: { matches: '(' } } }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'the regex "^(?:()$" does not compile',
    ],
    [
      'a logged request whose URL is no URL',
      () => send('POST', '/near-misses/request', { url: 'http://[', method: 'GET' }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'the logged request',
    ],
    [
      'a record spec without a target',
      () => send('POST', '/recordings/start', { captureHeaders: {} }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      "targetBaseUrl must be the real service's http(s) URL",
    ],
    [
      'a snapshot filter whose regex does not compile',
      () => send('POST', '/recordings/snapshot', { filters: { urlPattern: '[' } }),
      400,
      'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
      'the regex "[" does not compile',
    ],
    [
      'a form posted from a page (no JSON)',
      () =>
        fetch(`${admin}/mappings/reset`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json })),
      415,
      'ADMIN_UNSUPPORTED_MEDIA_TYPE',
      'content-type: application/json',
    ],
  ];
  test.each(refusals)('%s', async (_what, refuse, status, code, says) => {
    const answer = await refuse();
    expect(answer).toEqual({ status, body: { error: { code, message: expect.stringContaining(says) } } });
    expect((await send('GET', '/mappings')).body.meta).toEqual({ total: 0 });
    await stillServing();
    // And it still takes a good mapping.
    expect((await send('POST', '/mappings', { ...ofOrders, request: { method: 'GET', url: '/ok' }, response: { jsonBody: { ok: true } } })).status).toBe(201);
    expect((await get('/ok')).body).toEqual({ ok: true });
  });
});

test('the OpenAPI document lists the WireMock endpoints, with their path parameters', async () => {
  const document = (await send('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
  expect(Object.keys(document.paths['/__admin/mappings/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
  expect(document.paths['/__admin/mappings/{id}']?.get?.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
  expect(document.paths['/__admin/scenarios/{name}/state']?.put).toBeDefined();
  expect(Object.keys(document.paths['/__admin/mappings'] ?? {}).sort()).toEqual(['delete', 'get', 'post']);
  // /requests/count takes either pattern: one operation, either body.
  expect(JSON.stringify(document.paths['/__admin/requests/count']?.post)).toContain('oneOf');
});
