/**
 * WireMock's admin API driven by wiremock-rest-client (1.11.0), the other WireMock client on npm:
 * mappings, requests (count, find, remove by WireMock request patterns), scenarios, global reset.
 * It sends `content-type: application/json` on every call, bodies or not; `continueOnFailure` makes
 * it answer an error body instead of exiting the process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { rest, scenario } from 'mockstack';
import { WireMockRestClient } from 'wiremock-rest-client';
import { serveWithAdmin } from '../helpers/admin.js';

const shop = scenario('wiremock-rest-client', { machines: { payment: ['pending', 'authorized', 'captured'] } }).services({
  shop: rest({ port: 0 }, [
    rest.get('/orders/:id', ({ params }) => ({ id: params.id, from: 'scenario' })),
    rest.get('/payment', { whenState: { payment: 'authorized' } }, { payment: 'authorized' }),
    rest.get('/payment', { payment: 'other' }),
  ]),
});
const served = serveWithAdmin(shop, 'shop');
let client: WireMockRestClient;
beforeEach(() => {
  client = new WireMockRestClient(new URL(served.admin).origin, { logLevel: 'silent', continueOnFailure: true });
});

const body = async (path: string, init?: RequestInit) => (await fetch(`${served.url}${path}`, init)).json();
const send = (method: string, path: string, payload: unknown) =>
  fetch(`${served.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

test('mappings: create, read, update, list, delete; a file of them', async () => {
  const created = (await client.mappings.createMapping({
    request: { method: 'GET', urlPath: '/orders/ord_1' },
    response: { status: 200, jsonBody: { id: 'ord_1', from: 'stub' } },
  })) as { id: string };
  expect(created).toEqual(expect.objectContaining({ id: expect.any(String), uuid: created.id }));
  expect(await body('/orders/ord_1')).toEqual({ id: 'ord_1', from: 'stub' });
  expect(await client.mappings.getMapping(created.id)).toEqual(expect.objectContaining({ request: { method: 'GET', urlPath: '/orders/ord_1' } }));

  await client.mappings.updateMapping(created.id, { request: { method: 'GET', urlPath: '/orders/ord_1' }, response: { status: 410 } });
  expect((await fetch(`${served.url}/orders/ord_1`)).status).toBe(410);
  expect(await client.mappings.getAllMappings()).toEqual({ mappings: [expect.objectContaining({ id: created.id })], meta: { total: 1 } });

  await client.mappings.deleteMapping(created.id);
  expect(await body('/orders/ord_1')).toEqual({ id: 'ord_1', from: 'scenario' });
  expect(await client.mappings.getMapping(created.id)).toEqual({
    error: { code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_UNKNOWN', message: expect.stringContaining(`no mapping has id ${created.id}`) },
  });

  await client.mappings.createMapping({ request: { method: 'GET', urlPath: '/orders/ord_2' }, response: { status: 200, jsonBody: { n: 2 } } });
  await client.mappings.deleteAllMappings();
  expect(await body('/orders/ord_2')).toEqual({ id: 'ord_2', from: 'scenario' });
  // A mapping file (JSON5, as the client reads it; it takes paths relative to the working directory).
  const dir = mkdtempSync(join(tmpdir(), 'wiremock-mappings-'));
  try {
    writeFileSync(join(dir, 'ord_3.json'), "{ request: { method: 'GET', urlPath: '/orders/ord_3' }, response: { status: 200, jsonBody: { n: 3 } } }");
    await client.mappings.createMappingFromFile(relative(process.cwd(), join(dir, 'ord_3.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(await body('/orders/ord_3')).toEqual({ n: 3 });
  await client.mappings.resetAllMappings();
  expect((await client.mappings.getAllMappings()).meta?.total).toBe(0);
});

test('requests: count, find and remove by WireMock patterns; list, get one, delete all', async () => {
  await client.mappings.createMapping({
    request: { method: 'POST', urlPathPattern: '/carts/[a-z0-9]+/items', bodyPatterns: [{ matchesJsonPath: '$.sku' }] },
    response: { status: 201, jsonBody: { added: true } },
  });
  expect(await (await send('POST', '/carts/c1/items', { sku: 'A-1' })).json()).toEqual({ added: true });
  await send('POST', '/carts/c2/items', { sku: 'B-2', gift: true });
  await send('POST', '/carts/c2/items', { quantity: 1 }); // no sku: no stub takes it
  await body('/orders/ord_1?expand=lines');

  const skuA = { method: 'POST', urlPathPattern: '/carts/.*/items', bodyPatterns: [{ equalToJson: { sku: 'A-1' } }] };
  expect(await client.requests.getCount(skuA)).toEqual({ count: 1 });
  expect(await client.requests.getCount({ method: 'POST', urlPath: '/carts/c2/items' })).toEqual({ count: 2 });
  expect(await client.requests.getCount({ method: 'ANY', url: '/orders/ord_1?expand=lines' })).toEqual({ count: 1 });
  expect(await client.requests.getCount({ urlPath: '/orders/ord_1', queryParameters: { expand: { equalTo: 'lines' } } })).toEqual({ count: 1 });
  expect(await client.requests.getCount({ urlPattern: '/carts/c2/.*', bodyPatterns: [{ contains: 'gift' }] })).toEqual({ count: 1 });
  const found = await client.requests.findRequests({
    method: 'POST',
    urlPath: '/carts/c2/items',
    bodyPatterns: [{ matchesJsonPath: { expression: '$.sku', absent: true } }],
  });
  expect(found.requests.map((r: { url: string; body: string }) => [r.url, JSON.parse(r.body)])).toEqual([['/carts/c2/items', { quantity: 1 }]]);

  // mockstack's own request patterns answer as before.
  expect(await client.requests.getCount({ method: 'POST' })).toEqual({ count: 3 });
  expect((await client.requests.findRequests({ path: '/carts/c1/items' })).entries).toHaveLength(1);

  const all = await client.requests.getAllRequests();
  expect(all.meta.total).toBe(4);
  const first = all.requests[all.requests.length - 1] as { id: string };
  expect(await client.requests.getRequest(first.id)).toEqual(
    expect.objectContaining({ id: first.id, request: expect.objectContaining({ url: '/carts/c1/items' }) }),
  );
  expect((await client.requests.getUnmatchedRequests()).requests.map((r: { url: string }) => r.url)).toEqual(['/carts/c2/items']);

  const removed = await client.requests.removeRequests({ method: 'POST', urlPathPattern: '/carts/c2/items' });
  expect(removed.requests).toHaveLength(2);
  expect((await client.requests.getAllRequests()).meta.total).toBe(2);
  await client.requests.deleteAllRequests();
  expect((await client.requests.getAllRequests()).meta.total).toBe(0);
  await body('/orders/ord_1');
  await client.requests.resetAllRequests();
  expect((await client.requests.getAllRequests()).meta.total).toBe(0);
});

test("scenarios: the scenario's own machines and those mappings add; set, reset one, reset all", async () => {
  await client.mappings.createMapping({
    scenarioName: 'Login',
    requiredScenarioState: 'Started',
    newScenarioState: 'Logged in',
    request: { method: 'POST', url: '/login' },
    response: { status: 204 },
  });
  await client.mappings.createMapping({
    scenarioName: 'Login',
    requiredScenarioState: 'Logged in',
    request: { method: 'GET', url: '/me' },
    response: { status: 200, jsonBody: { name: 'Ada' } },
  });
  expect((await fetch(`${served.url}/me`)).status).toBe(404);
  expect((await fetch(`${served.url}/login`, { method: 'POST' })).status).toBe(204);
  expect(await body('/me')).toEqual({ name: 'Ada' });
  const scenarios = async () => ((await client.scenarios.getAllScenarios()) as unknown as { scenarios: unknown[] }).scenarios;
  expect(await scenarios()).toEqual(
    expect.arrayContaining([
      { id: 'payment', name: 'payment', state: 'pending', possibleStates: ['pending', 'authorized', 'captured'], mappings: [] },
      {
        id: 'Login',
        name: 'Login',
        state: 'Logged in',
        possibleStates: ['Started', 'Logged in'],
        // WireMock 3.13 lists each scenario's mappings, oldest first.
        mappings: [
          expect.objectContaining({ request: { method: 'POST', url: '/login' } }),
          expect.objectContaining({ request: { method: 'GET', url: '/me' } }),
        ],
      },
    ]),
  );
  await client.scenarios.resetScenario('Login');
  expect((await fetch(`${served.url}/me`)).status).toBe(404);

  await client.scenarios.setScenarioState('payment', 'authorized');
  expect(await body('/payment')).toEqual({ payment: 'authorized' });
  await client.scenarios.setScenarioState('Login', 'Logged in');
  await client.scenarios.resetAllScenarios();
  expect(await body('/payment')).toEqual({ payment: 'other' });
  expect((await fetch(`${served.url}/me`)).status).toBe(404);

  expect(await client.scenarios.setScenarioState('payment', 'refunded')).toEqual({
    error: { code: 'MOCKSTACK_ERR_ADMIN_STATE_INVALID', message: expect.stringContaining('refunded') },
  });
  expect(await client.scenarios.setScenarioState('Checkout', 'Started')).toEqual({
    error: { code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_UNKNOWN', message: expect.stringContaining('no scenario (state machine) is named Checkout') },
  });
  expect(await body('/payment')).toEqual({ payment: 'other' });
});

test('mappings found and removed by their metadata', async () => {
  const tagged = (team: string, path: string) => ({
    metadata: { team, tags: ['smoke'] },
    request: { method: 'GET', urlPath: path },
    response: { status: 200, jsonBody: { team } },
  });
  await client.mappings.createMapping(tagged('checkout', '/orders/ord_1'));
  await client.mappings.createMapping(tagged('search', '/orders/ord_2'));
  // The client's ContentPattern type lists WireMock's patterns as a union the JSON below does not spell out.
  const byMetadata = (pattern: Record<string, unknown>) => client.mappings.findByMetaData(pattern as never);
  const byTeam = { matchesJsonPath: { expression: '$.team', equalTo: 'checkout' } };
  expect((await byMetadata(byTeam)).mappings?.map((m) => m.metadata)).toEqual([{ team: 'checkout', tags: ['smoke'] }]);
  expect((await byMetadata({ equalToJson: { team: 'search' }, ignoreExtraElements: true })).mappings).toHaveLength(1);
  await client.mappings.removeByMetaData(byTeam as never);
  expect(await body('/orders/ord_1')).toEqual({ id: 'ord_1', from: 'scenario' });
  expect(await body('/orders/ord_2')).toEqual({ team: 'search' });
  // WireMock's logical matchers nest under a JSON path as anywhere else.
  expect((await byMetadata({ matchesJsonPath: { expression: '$.team', or: [{ equalTo: 'search' }, { equalTo: 'ads' }] } })).mappings).toHaveLength(1);
  expect(await byMetadata({ equalToXml: '<team>' })).toEqual({
    error: { code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID', message: expect.stringContaining('equalToXml is not well-formed XML') },
  });
  expect(await body('/orders/ord_2')).toEqual({ team: 'search' });
});

test('global reset forgets every mapping, the journal and the states', async () => {
  await client.mappings.createMapping({ request: { method: 'GET', urlPath: '/orders/ord_1' }, response: { status: 200, jsonBody: { n: 1 } } });
  await client.scenarios.setScenarioState('payment', 'captured');
  await body('/orders/ord_1');
  await client.global.resetAll();
  expect(await client.mappings.getAllMappings()).toEqual({ mappings: [], meta: { total: 0 } });
  expect((await client.requests.getAllRequests()).meta.total).toBe(0);
  expect(((await client.scenarios.getAllScenarios()) as unknown as { scenarios: unknown[] }).scenarios).toEqual([
    expect.objectContaining({ name: 'payment', state: 'pending' }),
  ]);
  expect(await body('/orders/ord_1')).toEqual({ id: 'ord_1', from: 'scenario' });
});

test('near misses, as the client asks for them: of unmatched requests, of a logged request, of a pattern', async () => {
  await client.mappings.createMapping({
    request: { method: 'GET', urlPath: '/invoices', queryParameters: { year: { equalTo: '2026' } }, cookies: { session: { matches: 's-[0-9]+' } } },
    response: { status: 200, jsonBody: { invoices: [] } },
  });
  expect((await fetch(`${served.url}/invoices?year=2026`, { headers: { cookie: 'session=s-42' } })).status).toBe(200);
  expect((await fetch(`${served.url}/invoices?year=2025`, { headers: { cookie: 'session=s-42' } })).status).toBe(404);
  const unmatched = (await client.requests.getUnmatchedNearMisses()) as unknown as {
    nearMisses: { request: { url: string }; matchResult: { distance: number } }[];
  };
  expect(unmatched.nearMisses).toEqual([
    expect.objectContaining({ request: expect.objectContaining({ url: '/invoices?year=2025' }), matchResult: { distance: 0.333 } }),
  ]);
  const byRequest = (await client.requests.getNearMissesByRequest({ url: '/invoices?year=2026', method: 'GET', headers: {} } as never)) as {
    nearMisses: { stubMapping: { request: { urlPath: string } }; matchResult: { distance: number } }[];
  };
  expect(byRequest.nearMisses.map((miss) => [miss.stubMapping.request.urlPath, miss.matchResult.distance])).toEqual([['/invoices', 0.25]]);
  const byPattern = (await client.requests.getNearMissesByRequestPattern({ method: 'GET', urlPath: '/invoices' } as never)) as {
    nearMisses: { request: { url: string }; matchResult: { distance: number } }[];
  };
  expect(byPattern.nearMisses.map((miss) => [miss.request.url, miss.matchResult.distance])).toEqual([
    ['/invoices?year=2026', 0],
    ['/invoices?year=2025', 0],
  ]);
  await client.mappings.deleteAllMappings();
});

test('recordings: start proxies to the real service, stop serves what it answered as stubs (repeats as scenario steps); snapshot', async () => {
  let counter = 0;
  const upstream = createServer((request, response) => {
    const json = (status: number, value: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json', 'x-real': 'yes' }).end(JSON.stringify(value));
    if (request.url === '/counter') json(200, { n: ++counter });
    else if (request.method === 'POST') request.on('data', () => {}).on('end', () => json(201, { created: true }));
    else json(200, { id: request.url?.split('/').pop(), from: 'real' });
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
  const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  try {
    expect(await client.recordings.getRecordingStatus()).toEqual({ status: 'NeverStarted' });
    await client.recordings.startRecording({ targetBaseUrl: target, captureHeaders: { Accept: {} } });
    expect(await client.recordings.getRecordingStatus()).toEqual({ status: 'Recording' });
    // A second start, while recording, is refused.
    expect(await client.recordings.startRecording({ targetBaseUrl: target })).toEqual({
      error: expect.objectContaining({ message: expect.stringContaining('a recording is already running') }),
    });
    expect(await body('/orders/ord_9', { headers: { accept: 'application/json' } })).toEqual({ id: 'ord_9', from: 'real' });
    expect(await body('/counter')).toEqual({ n: 1 });
    expect(await body('/counter')).toEqual({ n: 2 });
    expect((await send('POST', '/orders', { sku: 'A' })).status).toBe(201);

    const { mappings } = (await client.recordings.stopRecording()) as { mappings: { request: Record<string, unknown>; scenarioName?: string }[] };
    expect(mappings.map((m) => [m.request.method, m.request.url, m.scenarioName ?? null])).toEqual([
      ['GET', '/orders/ord_9', null],
      ['GET', '/counter', 'recording-1-get-counter'],
      ['GET', '/counter', 'recording-1-get-counter'],
      ['POST', '/orders', null],
    ]);
    expect(mappings[0]?.request.headers).toEqual({ Accept: { equalTo: 'application/json' } });
    expect(mappings[3]?.request.bodyPatterns).toEqual([{ equalToJson: { sku: 'A' }, ignoreArrayOrder: true, ignoreExtraElements: true }]);
    expect(await client.recordings.getRecordingStatus()).toEqual({ status: 'Stopped' });
    // Snapshot: the requests a proxy stub sent on, as stubs (returned only, with persist: false).
    await client.mappings.createMapping({ request: { method: 'GET', urlPathPattern: '/live/.*' }, response: { proxyBaseUrl: target } });
    expect(await body('/live/7')).toEqual({ id: '7', from: 'real' });
    const snapshot = (await client.recordings.takeSnapshotRecording({ filters: { urlPathPattern: '/live/.*' }, persist: false })) as { mappings: unknown[] };
    expect(snapshot.mappings).toEqual([
      {
        request: { url: '/live/7', method: 'GET' },
        response: {
          status: 200,
          jsonBody: { id: '7', from: 'real' },
          headers: expect.objectContaining({ 'content-type': 'application/json', 'x-real': 'yes' }),
        },
      },
    ]);
  } finally {
    await new Promise((done) => upstream.close(done));
  }
  // The real service is gone: the recorded stubs answer, the repeats in order, the last one staying.
  const order = await fetch(`${served.url}/orders/ord_9`, { headers: { accept: 'application/json' } });
  expect([order.headers.get('x-real'), await order.json()]).toEqual(['yes', { id: 'ord_9', from: 'real' }]);
  expect([await body('/counter'), await body('/counter'), await body('/counter')]).toEqual([{ n: 1 }, { n: 2 }, { n: 2 }]);
  // Without the captured Accept the scenario answers.
  expect(await body('/orders/ord_9')).toEqual({ id: 'ord_9', from: 'scenario' });
  expect(await client.recordings.stopRecording()).toEqual({ error: expect.objectContaining({ message: expect.stringContaining('no recording is running') }) });
  expect(await client.recordings.startRecording({ targetBaseUrl: 'ftp://x' } as never)).toEqual({
    error: expect.objectContaining({ message: expect.stringContaining("targetBaseUrl must be the real service's http(s) URL") }),
  });
  await client.mappings.deleteAllMappings();
});
