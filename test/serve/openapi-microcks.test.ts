// OpenAPI documents written for Microcks: a request example (a parameter's or the request body's
// `examples`) goes with the response example of the same name, under any status, and
// `x-microcks-operation` picks how requests are told apart (JSON_BODY, FALLBACK, URI_PARAMS…) and
// delays answers. Served over real sockets, called with fetch, openapi-fetch and swagger-client.
import { resolve } from 'node:path';
import type { Logger } from '@mockstack/core';
import { loadOpenApi } from '@mockstack/openapi';
import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';
import createClient from 'openapi-fetch';
import SwaggerClient from 'swagger-client';

const fixtures = resolve(import.meta.dirname, '../fixtures/microcks');
const catalogFile = resolve(fixtures, 'catalog-openapi.yaml');
const ordersFile = resolve(fixtures, 'orders-dispatchers-openapi.yaml');
const badFile = resolve(fixtures, 'bad-pairings-openapi.yaml');

const warnings: string[] = [];
const logger: Logger = { request: () => {}, info: () => {}, error: () => {}, warn: (message) => warnings.push(message) };
const microcks = scenario('microcks-documents').services({
  catalog: rest({ port: 0, openapi: catalogFile }),
  orders: rest({ port: 0, openapi: ordersFile }),
  bad: rest({ port: 0, openapi: badFile }),
});

let stack: TestStack;
let catalog: string;
let orders: string;
let bad: string;
let servers: number;
const tcpServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

beforeAll(async () => {
  servers = tcpServers();
  stack = await startStack(microcks, { logger });
  catalog = `${stack.url('catalog')}/api`;
  orders = stack.url('orders');
  bad = stack.url('bad');
});
afterAll(async () => {
  await stack.close();
  // Closed servers release their handle a few ticks after close() resolves.
  for (let i = 0; i < 50 && tcpServers() > servers; i++) await new Promise((r) => setTimeout(r, 10));
  expect(tcpServers()).toBeLessThanOrEqual(servers);
});
beforeEach(() => stack.reset());

const answer = async (response: Response) => ({
  status: response.status,
  type: response.headers.get('content-type'),
  body: response.status === 204 ? undefined : ((await response.json()) as unknown),
});
const postJson = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const laptop = { id: 'lpt-13', name: 'Laptop 13"', price: 1299.5, tags: ['computer', 'portable'] };
const phone = { id: 'phn-7', name: 'Phone 7', price: 699, tags: ['phone'] };

describe('path parameter examples', () => {
  test("a request with example X's path value gets response example X, with X's status", async () => {
    expect(await answer(await fetch(`${catalog}/products/lpt-13`))).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: laptop });
    expect((await answer(await fetch(`${catalog}/products/phn-7`))).body).toEqual(phone);
    expect(await answer(await fetch(`${catalog}/products/nope-0`))).toEqual({
      status: 404,
      type: 'application/json; charset=utf-8',
      body: { code: 'NOT_FOUND', message: 'no product nope-0' },
    });
  });

  test("a value no example gives keeps today's answer: the first 2xx status's first example", async () => {
    expect(await answer(await fetch(`${catalog}/products/anything-else`))).toMatchObject({ status: 200, body: laptop });
  });

  test('Prefer: example= and Prefer: code= still choose the answer', async () => {
    expect((await answer(await fetch(`${catalog}/products/lpt-13`, { headers: { prefer: 'example=phone' } }))).body).toEqual(phone);
    expect((await fetch(`${catalog}/products/lpt-13`, { headers: { prefer: 'code=404' } })).status).toBe(404);
    expect((await answer(await fetch(`${catalog}/products/nope-0`, { headers: { prefer: 'code=200' } }))).body).toEqual(laptop);
  });

  test('x-microcks-refs pairs a response without content: DELETE answers 204, or the 404 example', async () => {
    const deleted = await fetch(`${catalog}/products/lpt-old`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(await answer(await fetch(`${catalog}/products/nope-0`, { method: 'DELETE' }))).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', message: 'no product nope-0 to delete' },
    });
  });

  test('the journal names the example rule that answered, not the contract', async () => {
    await fetch(`${catalog}/products/nope-0`);
    await fetch(`${catalog}/products/elsewhere`);
    const [paired, usual] = stack.requests({ service: 'catalog' });
    expect(paired?.status).toBe(404);
    expect(paired?.rule).toMatch(/^catalog#\d+$/);
    expect(usual?.rule).toBe('contract:GET /api/products/:id');
  });
});

describe('query parameter examples', () => {
  test("a search carrying exactly example X's query values gets example X", async () => {
    expect((await answer(await fetch(`${catalog}/products?q=laptop`))).body).toEqual([laptop]);
    expect((await answer(await fetch(`${catalog}/products?limit=1&q=phone`))).body).toEqual([phone]);
  });

  test('declared query parameters the example does not give make it no match (as Microcks compares them); undeclared ones are ignored', async () => {
    expect((await answer(await fetch(`${catalog}/products?q=phone`))).body).toEqual([laptop, phone]);
    expect((await answer(await fetch(`${catalog}/products?q=laptop&limit=5`))).body).toEqual([laptop, phone]);
    expect((await answer(await fetch(`${catalog}/products?q=laptop&_=1733400000`))).body).toEqual([laptop]);
    expect((await answer(await fetch(`${catalog}/products`))).body).toEqual([laptop, phone]);
  });
});

describe('request body examples', () => {
  test('a JSON body equal to example X (key order aside) gets example X, its status and its header example', async () => {
    const created = await postJson(`${catalog}/products`, { tags: ['computer'], price: 49.9, name: 'Keyboard' });
    expect(created.status).toBe(201);
    // The header's example of the same name, its server rewritten to the mock's address.
    expect(created.headers.get('location')).toBe(`${catalog}/products/kbd-1`);
    expect(await created.json()).toEqual({ id: 'kbd-1', name: 'Keyboard', price: 49.9, tags: ['computer'] });

    const duplicate = await answer(await postJson(`${catalog}/products`, { name: 'Laptop 13"', price: 1299.5 }));
    expect(duplicate).toMatchObject({ status: 409, body: { code: 'ALREADY_EXISTS' } });
  });

  test('another valid body gets the usual answer; an invalid one is still refused by the request check first', async () => {
    expect((await postJson(`${catalog}/products`, { name: 'Keyboard', price: 49.9 })).status).toBe(201);
    const invalid = await postJson(`${catalog}/products`, { name: 'Keyboard', price: 'cheap' });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain('/price');
  });
});

describe('generated and real OpenAPI clients', () => {
  interface Product {
    id: string;
    name: string;
    price: number;
    tags?: string[];
  }
  interface Paths {
    '/products/{id}': {
      get: {
        parameters: { path: { id: string } };
        responses: {
          200: { content: { 'application/json': Product } };
          404: { content: { 'application/json': { code: string; message: string } } };
        };
      };
    };
  }

  test('openapi-fetch gets the paired success as data and the paired 404 as error', async () => {
    const api = createClient<Paths>({ baseUrl: catalog });
    const found = await api.GET('/products/{id}', { params: { path: { id: 'phn-7' } } });
    expect(found.data).toEqual(phone);
    const missing = await api.GET('/products/{id}', { params: { path: { id: 'nope-0' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toEqual({ code: 'NOT_FOUND', message: 'no product nope-0' });
  });

  test('swagger-client, built from the document, gets the example its request pairs with', async () => {
    const { document } = await loadOpenApi(catalogFile);
    const api = await SwaggerClient({ spec: { ...document, servers: [{ url: catalog }] } });
    const search = await api.execute({ operationId: 'searchProducts', parameters: { q: 'phone', limit: 1 } });
    expect(search.status).toBe(200);
    expect(search.body).toEqual([phone]);
    // A 4xx answer is thrown by swagger-client, with the response on the error.
    const duplicate = await api
      .execute({ operationId: 'createProduct', requestContentType: 'application/json', requestBody: { name: 'Laptop 13"', price: 1299.5 } })
      .catch((error: { response?: { status: number; body: unknown } }) => error.response ?? Promise.reject(error));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ code: 'ALREADY_EXISTS' });
  });
});

describe('x-microcks-operation dispatchers', () => {
  const order = (country?: string) => ({ items: [{ sku: 'book-1', quantity: 1 }], ...(country ? { shipping: { country } } : {}) });

  test('JSON_BODY equals: the value at the pointer picks the case, whatever its status; default for the rest', async () => {
    expect(await answer(await postJson(`${orders}/orders`, order('Belgium')))).toMatchObject({ status: 201, body: { id: 'ord-be', carrier: 'bpost' } });
    expect(await answer(await postJson(`${orders}/orders`, order('Germany')))).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await answer(await postJson(`${orders}/orders`, order('France')))).toMatchObject({ status: 201, body: { id: 'ord-xx' } });
    expect(await answer(await postJson(`${orders}/orders`, order()))).toMatchObject({ status: 201, body: { id: 'ord-xx' } });
  });

  test('JSON_BODY size: ranges of an array length', async () => {
    const items = (n: number) => ({ items: Array.from({ length: n }, (_, i) => ({ sku: `sku-${i}`, quantity: 1 })) });
    expect((await answer(await postJson(`${orders}/orders/bulk`, items(3)))).body).toMatchObject({ id: 'bulk-s' });
    expect((await answer(await postJson(`${orders}/orders/bulk`, items(4)))).body).toMatchObject({ id: 'bulk-l' });
  });

  test('FALLBACK: its URI_PARTS dispatcher pairs the id it has an example for; any other id gets the fallback example', async () => {
    expect(await answer(await fetch(`${orders}/orders/ord-1`))).toMatchObject({ status: 200, body: { id: 'ord-1', status: 'shipped' } });
    expect(await answer(await fetch(`${orders}/orders/ord-404`))).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'no such order' } });
    // Prefer still wins over the fallback.
    expect((await fetch(`${orders}/orders/ord-404`, { headers: { prefer: 'code=200' } })).status).toBe(200);
  });

  test('URI_PARAMS compares only the query parameters its rules name', async () => {
    expect((await answer(await fetch(`${orders}/carriers?country=BE&trace=abc`))).body).toEqual(['bpost']);
    expect((await answer(await fetch(`${orders}/carriers?country=FR`))).body).toEqual(['bpost', 'dhl', 'ups']);
  });

  test('delay: the operation answers late (an undelayed call answers first; the delayed one is cut by its client)', async () => {
    const client = new AbortController();
    let settled = false;
    const delayed = fetch(`${orders}/slow-status`, { signal: client.signal }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    void delayed.finally(() => {
      settled = true;
    });
    // Sent after it, answered before it.
    for (const country of ['BE', 'FR']) expect((await fetch(`${orders}/carriers?country=${country}`)).status).toBe(200);
    expect(settled).toBe(false);
    client.abort();
    expect(await delayed).toBe('AbortError');
  });
});

describe('mistakes in a Microcks document: said at start, naming the file and the operation; the rest is served', () => {
  const said = (fragment: string) => warnings.find((w) => w.includes(fragment));

  test('a request example whose name pairs with no response example', async () => {
    expect(said('request example "grace-typo"')).toMatch(
      /service "bad" \(.*bad-pairings-openapi\.yaml\): GET \/users\/\{id\}: request example "grace-typo" \(path parameter id\) names no response example.*did you mean "grace"/,
    );
    expect((await answer(await fetch(`${bad}/users/u-1`))).body).toEqual({ name: 'Ada' });
    expect((await answer(await fetch(`${bad}/users/u-2`))).body).toEqual({ name: 'Ada' });
  });

  test('a dispatcher Microcks has and mockstack does not run (GROOVY)', async () => {
    expect(said('dispatcher GROOVY')).toMatch(/bad-pairings-openapi\.yaml\): GET \/users: dispatcher GROOVY is a Groovy script, which mockstack does not run/);
    expect(await answer(await fetch(`${bad}/users`))).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: ['Ada', 'Grace'] });
  });

  test('malformed JSON_BODY dispatcherRules', async () => {
    expect(said('dispatcherRules of JSON_BODY')).toMatch(/bad-pairings-openapi\.yaml\): POST \/users: dispatcherRules of JSON_BODY is not JSON like \{ "exp"/);
    expect((await postJson(`${bad}/users`, { name: 'Ada' })).status).toBe(201);
  });

  test('a dispatcher name Microcks does not have, with the nearest one', async () => {
    expect(said('"URI_PART"')).toMatch(
      /GET \/teams\/\{team\}: dispatcher "URI_PART" is not a Microcks dispatcher \(did you mean URI_PARTS\?\); examples are paired by their values/,
    );
    expect((await answer(await fetch(`${bad}/teams/core`))).body).toEqual({ team: 'core' });
  });

  test('a valid Microcks document says nothing', () => {
    expect(warnings.filter((w) => w.includes('catalog-openapi.yaml') || w.includes('orders-dispatchers-openapi.yaml'))).toEqual([]);
  });
});
