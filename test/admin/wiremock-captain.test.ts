/**
 * WireMock's admin API driven by a WireMock client as WireMock users have it: wiremock-captain
 * (3.6.0, the newest release for Node 20), against a running scenario's admin port. The stubs it
 * registers answer on the service's port before the scenario's rules; what it cannot be given is
 * refused with a 400 and the stack keeps serving.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rest, scenario } from 'mockstack';
import { BodyType, DelayType, EndpointFeature, MatchingAttributes, ResponseTransformer, WireMock, WireMockAPI, WireMockFault } from 'wiremock-captain';
import { serveWithAdmin } from '../helpers/admin.js';
import { eventually } from '../helpers/eventually.js';

const shop = scenario('wiremock-captain').services({
  shop: rest({ port: 0 }, [rest.get('/orders/:id', ({ params }) => ({ id: params.id, from: 'scenario' })), rest.post('/orders', { from: 'scenario' })]),
});
const served = serveWithAdmin(shop, 'shop');
let mock: WireMock;
beforeEach(() => {
  // The admin API's origin: captain adds /__admin/… itself.
  mock = new WireMock(new URL(served.admin).origin);
});

const json = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${served.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as unknown };
};
const post = (path: string, body: unknown) => json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('a stub for a literal URL under a scenario route answers that URL; the scenario answers the others', async () => {
  const mapping = await mock.register({ method: 'GET', endpoint: '/orders/ord_1' }, { status: 200, body: { id: 'ord_1', from: 'stub' } });
  expect(mapping).toEqual(expect.objectContaining({ id: expect.any(String), uuid: mapping.id, request: { method: 'GET', url: '/orders/ord_1' } }));
  expect(await json('/orders/ord_1')).toEqual({ status: 200, body: { id: 'ord_1', from: 'stub' } });
  expect(await json('/orders/ord_2')).toEqual({ status: 200, body: { id: 'ord_2', from: 'scenario' } });
  // A path the scenario lacks is routed too.
  await mock.register({ method: 'GET', endpoint: '/refunds?page=2' }, { status: 200, body: { refunds: [] } });
  expect(await json('/refunds?page=2')).toEqual({ status: 200, body: { refunds: [] } });
  expect((await json('/refunds?page=3')).status).toBe(404);
});

test('priority: the lower answers first, whatever the order they were added in', async () => {
  const orders = new WireMockAPI(new URL(served.admin).origin, '/orders/ord_7', 'GET');
  await orders.registerDefaultResponse({ status: 200, body: { answer: 'first' } }, { stubPriority: 1 });
  await orders.registerDefaultResponse({ status: 200, body: { answer: 'second' } }, { stubPriority: 9 });
  expect((await json('/orders/ord_7')).body).toEqual({ answer: 'first' });
  // Of one priority, the newest.
  await orders.registerDefaultResponse({ status: 200, body: { answer: 'newest' } }, { stubPriority: 1 });
  expect((await json('/orders/ord_7')).body).toEqual({ answer: 'newest' });
});

test('scenarios are state machines: a stub answers in its state and moves the scenario on', async () => {
  const cart = { scenarioName: 'Cart' };
  await mock.register({ method: 'GET', endpoint: '/cart' }, { status: 200, body: { items: 0 } }, { scenario: { ...cart, requiredScenarioState: 'Started' } });
  await mock.register(
    { method: 'POST', endpoint: '/cart/items' },
    { status: 201, body: { added: true } },
    { scenario: { ...cart, requiredScenarioState: 'Started', newScenarioState: 'Filled' } },
  );
  await mock.register({ method: 'GET', endpoint: '/cart' }, { status: 200, body: { items: 1 } }, { scenario: { ...cart, requiredScenarioState: 'Filled' } });
  expect((await json('/cart')).body).toEqual({ items: 0 });
  expect(await post('/cart/items', { sku: 'A' })).toEqual({ status: 201, body: { added: true } });
  expect((await json('/cart')).body).toEqual({ items: 1 });
  expect(await mock.getAllScenarios()).toEqual([expect.objectContaining({ name: 'Cart', state: 'Filled', possibleStates: ['Started', 'Filled'] })]);
  await mock.resetAllScenarios();
  expect((await json('/cart')).body).toEqual({ items: 0 });
});

test('response templates render the request', async () => {
  await mock.register(
    { method: 'GET', endpoint: '/greetings/.*' },
    { status: 200, body: 'hello {{request.path.[1]}} from {{request.query.city}}', headers: { 'Content-Type': 'text/plain' } },
    { requestEndpointFeature: EndpointFeature.UrlPathPattern, responseBodyType: BodyType.Body, responseTransformers: [ResponseTransformer.RESPONSE_TEMPLATE] },
  );
  const response = await fetch(`${served.url}/greetings/ada?city=Paris`);
  expect(await response.text()).toBe('hello ada from Paris');
});

test('body patterns: equalToJson (exact), contains; the scenario answers the rest', async () => {
  await mock.register({ method: 'POST', endpoint: '/orders', body: { sku: 'A-1', quantity: 2 } }, { status: 201, body: { id: 'ord_A' } });
  await mock.register(
    { method: 'POST', endpoint: '/orders', body: 'gift' },
    { status: 201, body: { id: 'ord_gift' } },
    { requestBodyFeature: MatchingAttributes.Contains },
  );
  expect(await post('/orders', { sku: 'A-1', quantity: 2 })).toEqual({ status: 201, body: { id: 'ord_A' } });
  // equalToJson without ignoreExtraElements: an extra field is another body.
  expect(await post('/orders', { sku: 'A-1', quantity: 2, note: 'x' })).toEqual({ status: 200, body: { from: 'scenario' } });
  expect(await post('/orders', { sku: 'B', note: 'a gift' })).toEqual({ status: 201, body: { id: 'ord_gift' } });
});

test('headers and query parameters with matchers', async () => {
  await mock.register(
    { method: 'GET', endpoint: '/orders/ord_9', headers: { 'X-Tenant': 'acme-[0-9]+' }, queryParameters: { expand: 'lines' } },
    { status: 200, body: { tenant: true } },
    { requestEndpointFeature: EndpointFeature.UrlPath, requestHeaderFeatures: { 'X-Tenant': MatchingAttributes.Matches } },
  );
  expect((await json('/orders/ord_9?expand=lines', { headers: { 'x-tenant': 'acme-42' } })).body).toEqual({ tenant: true });
  expect((await json('/orders/ord_9?expand=lines', { headers: { 'x-tenant': 'other' } })).body).toEqual({ id: 'ord_9', from: 'scenario' });
  expect((await json('/orders/ord_9', { headers: { 'x-tenant': 'acme-42' } })).body).toEqual({ id: 'ord_9', from: 'scenario' });
});

test('faults: the connection is reset or closed empty, and the service keeps serving', async () => {
  await mock.register({ method: 'GET', endpoint: '/orders/reset' }, { status: 200 }, { fault: WireMockFault.CONNECTION_RESET_BY_PEER });
  await mock.register({ method: 'GET', endpoint: '/orders/empty' }, { status: 200 }, { fault: WireMockFault.EMPTY_RESPONSE });
  await expect(fetch(`${served.url}/orders/reset`)).rejects.toThrow();
  await expect(fetch(`${served.url}/orders/empty`)).rejects.toThrow();
  expect((await json('/orders/ord_3')).body).toEqual({ id: 'ord_3', from: 'scenario' });
});

test('a fixed delay holds the answer: the undelayed call answers first, and the client cuts the delayed one', async () => {
  await mock.register(
    { method: 'GET', endpoint: '/orders/slow' },
    { status: 200, body: { slow: true } },
    { responseDelay: { type: DelayType.FIXED, constantDelay: 60_000 } },
  );
  const cut = new AbortController();
  const order: string[] = [];
  const slow = fetch(`${served.url}/orders/slow`, { signal: cut.signal }).then(
    () => order.push('slow answered'),
    () => order.push('slow cut'),
  );
  expect((await json('/orders/ord_4')).body).toEqual({ id: 'ord_4', from: 'scenario' });
  order.push('fast answered');
  cut.abort();
  await slow;
  expect(order).toEqual(['fast answered', 'slow cut']);
  // The server journals the cut request once it sees the client gone: wait for it, so that it lands in this test's journal.
  await eventually(async () =>
    expect((await fetch(`${served.admin}/journal?limit=1`).then((r) => r.json() as Promise<{ entries: unknown[] }>)).entries[0]).toEqual(
      expect.objectContaining({ target: 'GET /orders/slow' }),
    ),
  );
});

test('mappings are listed, read, deleted, reset and cleared', async () => {
  const first = await mock.register({ method: 'GET', endpoint: '/orders/ord_1' }, { status: 200, body: { n: 1 } });
  const second = await mock.register({ method: 'GET', endpoint: '/orders/ord_2' }, { status: 200, body: { n: 2 } });
  expect(((await mock.getAllMappings()) as { id: string }[]).map((m) => m.id)).toEqual([second.id, first.id]);
  expect(await mock.getMapping(first.id)).toEqual(expect.objectContaining({ id: first.id, request: { method: 'GET', url: '/orders/ord_1' } }));
  await mock.deleteMapping(first.id);
  expect((await json('/orders/ord_1')).body).toEqual({ id: 'ord_1', from: 'scenario' });
  expect((await json('/orders/ord_2')).body).toEqual({ n: 2 });
  await mock.resetMappings();
  expect(await mock.getAllMappings()).toEqual([]);
  expect((await json('/orders/ord_2')).body).toEqual({ id: 'ord_2', from: 'scenario' });
  await mock.register({ method: 'GET', endpoint: '/orders/ord_5' }, { status: 200, body: { n: 5 } });
  await mock.clearAll();
  expect(await mock.getAllMappings()).toEqual([]);
  expect(await mock.getAllRequests()).toEqual([]);
});

test('requests: all of them, those of one endpoint, the unmatched ones; cleared', async () => {
  await mock.register({ method: 'GET', endpoint: '/orders/ord_1' }, { status: 200, body: { n: 1 } });
  await json('/orders/ord_1');
  await json('/orders/ord_2');
  await json('/nowhere');
  const all = (await mock.getAllRequests()) as { request: { method: string; url: string } }[];
  expect(all.map((r) => `${r.request.method} ${r.request.url}`)).toEqual(['GET /nowhere', 'GET /orders/ord_2', 'GET /orders/ord_1']);
  expect(all[2]).toEqual(
    expect.objectContaining({ wasMatched: true, stubMapping: expect.objectContaining({ request: { method: 'GET', url: '/orders/ord_1' } }) }),
  );
  expect(await mock.getRequestsForAPI('GET', '/orders/ord_2')).toEqual([
    expect.objectContaining({ responseDefinition: expect.objectContaining({ status: 200 }) }),
  ]);
  expect(((await mock.getUnmatchedRequests()) as { url: string }[]).map((r) => r.url)).toEqual(['/nowhere']);
  await mock.clearAllRequests();
  expect(await mock.getAllRequests()).toEqual([]);
});

test('a stub with a webhook calls it after answering', async () => {
  const received: { method: string; url: string; body: string }[] = [];
  const target = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', body });
      response.end();
    });
  });
  await new Promise<void>((listening) => target.listen(0, '127.0.0.1', listening));
  try {
    const { port } = target.address() as AddressInfo;
    await mock.register(
      { method: 'POST', endpoint: '/payments' },
      { status: 202, body: { id: 'pay_1', status: 'pending' } },
      { webhook: { method: 'POST', url: `http://127.0.0.1:${port}/hooks/payments`, body: { type: 'JSON', data: { id: 'pay_1', status: 'paid' } } } },
    );
    expect(await post('/payments', { amount: 10 })).toEqual({ status: 202, body: { id: 'pay_1', status: 'pending' } });
    await eventually(async () => expect(received).toEqual([{ method: 'POST', url: '/hooks/payments', body: '{"id":"pay_1","status":"paid"}' }]));
  } finally {
    await new Promise((closed) => target.close(closed));
  }
});

test('a stub it cannot honour (a templated webhook) is refused with a 400 naming it; nothing is added and the stack keeps serving', async () => {
  const refused = mock.register(
    { method: 'GET', endpoint: '/orders/ord_1' },
    { status: 200, body: {} },
    { webhook: { method: 'POST', url: 'http://127.0.0.1:1/hook', body: { type: 'String', data: '{{jsonPath originalRequest.body "$.id"}}' } } },
  );
  await expect(refused).rejects.toMatchObject({
    response: { status: 400, data: { error: { code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID', message: expect.stringContaining('is templated') } } },
  });
  expect(await mock.getAllMappings()).toEqual([]);
  expect((await json('/orders/ord_1')).body).toEqual({ id: 'ord_1', from: 'scenario' });
});

describe('a scenario of two REST services (the README: `new WireMock(admin)` on the checkout example)', () => {
  const two = scenario('wiremock-captain-two').services({
    orders: rest({ port: 0 }, [rest.get('/orders/:id', ({ params }) => ({ id: params.id, from: 'scenario' }))]),
    billing: rest({ port: 0 }, [rest.get('/invoices/:id', ({ params }) => ({ id: params.id, from: 'scenario' }))]),
  });
  const servedTwo = serveWithAdmin(two, 'orders');

  test('captain sends no metadata: a stub goes to the service whose routes take its URL; one no route takes is a 400 saying so', async () => {
    const client = new WireMock(new URL(servedTwo.admin).origin);
    await client.register({ method: 'GET', endpoint: '/orders/ord_1' }, { status: 200, body: { id: 'ord_1', status: 'PAID' } });
    await client.register({ method: 'GET', endpoint: '/invoices/inv_1' }, { status: 200, body: { id: 'inv_1', status: 'DUE' } });
    const at = async (service: string, path: string) => {
      const response = await fetch(`${servedTwo.running.stack.address(service).url}${path}`);
      return { status: response.status, body: (await response.json()) as unknown };
    };
    expect(await at('orders', '/orders/ord_1')).toEqual({ status: 200, body: { id: 'ord_1', status: 'PAID' } });
    expect(await at('orders', '/orders/ord_2')).toEqual({ status: 200, body: { id: 'ord_2', from: 'scenario' } });
    expect(await at('billing', '/invoices/inv_1')).toEqual({ status: 200, body: { id: 'inv_1', status: 'DUE' } });
    await expect(client.register({ method: 'GET', endpoint: '/refunds/r1' }, { status: 200, body: {} })).rejects.toMatchObject({
      response: {
        status: 400,
        data: { error: { code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID', message: expect.stringContaining('no route of theirs takes its URL') } },
      },
    });
    expect(await client.getAllMappings()).toHaveLength(2);
    await client.clearAll();
    expect(await at('orders', '/orders/ord_1')).toEqual({ status: 200, body: { id: 'ord_1', from: 'scenario' } });
  });
});
