// mockstack/msw in Node: the scenario's REST (OpenAPI) and GraphQL (SDL) services answer through
// msw's interceptors, for fetch, graphql-request and node's own http client inside this process.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, test } from '@jest/globals';
import { matchers } from '@mockstack/testing';
import { fetchExchange, Client as UrqlClient } from '@urql/core';
import { GraphQLClient, gql } from 'graphql-request';
import { fault, graphql, rest, scenario } from 'mockstack';
import { handlersFor } from 'mockstack/msw';
import { setupServer } from 'msw/node';
import shop from '../fixtures/msw/shop.js';

// The global expect, which mockstack/testing's matchers are declared on (and work on anything with an `engine`).
expect.extend(matchers);

const mocks = handlersFor(shop);
const server = setupServer(...mocks);
const orders = 'http://localhost:8081';
const catalog = new GraphQLClient('http://localhost:8082/graphql');
const productQuery = gql`
  query Product($sku: String!) {
    product(sku: $sku) {
      sku
      stock
    }
  }
`;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  await mocks.ready;
});
beforeEach(() => {
  mocks.reset();
  mocks.variant();
});
afterAll(() => server.close());

/**
 * A JSON POST through node's http client (msw's ClientRequest interceptor, not fetch). `http.request`
 * is read at call time: msw patches the module object, not ESM bindings taken before.
 */
function postWithNodeHttp(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

describe('mockstack/msw in Node', () => {
  test('the URLs the handlers intercept: localhost at each declared port, over https for a service with tls', async () => {
    expect(mocks.url('orders')).toBe('http://localhost:8081');
    expect(mocks.url('catalog')).toBe('http://localhost:8082/graphql');
    const secure = handlersFor(scenario('tls-urls').services({ api: rest({ port: 8443, tls: true }, []) }));
    expect(secure.url('api')).toBe('https://localhost:8443');
    await secure.ready;
  });

  test('rules answer, and state is shared between REST and GraphQL', async () => {
    const placed = await postWithNodeHttp(`${orders}/orders`, { sku: 'SKU-1', quantity: 2 });
    expect(placed).toEqual({ status: 201, body: { id: 'ord_1', sku: 'SKU-1', quantity: 2 } });

    const fetched = await fetch(`${orders}/orders/ord_1`);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual({ id: 'ord_1', sku: 'SKU-1', quantity: 2 });

    // The order took 2 of the 3 in stock; the GraphQL catalog reads the same state.
    expect(await catalog.request(productQuery, { sku: 'SKU-1' })).toEqual({ product: { sku: 'SKU-1', stock: 1 } });
    expect(mocks.state<{ stock: Record<string, number> }>().stock['SKU-1']).toBe(1);
  });

  test('a batch (a JSON array of operations, as BatchHttpLink sends) gets one result per operation, in order', async () => {
    const batch = await fetch('http://localhost:8082/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ product(sku: "SKU-2") { sku } }' }, { query: '{ nope }' }]),
    });
    expect(batch.status).toBe(200);
    const [product, invalid] = (await batch.json()) as { data?: unknown; errors?: { message: string }[] }[];
    expect(product).toEqual({ data: { product: { sku: 'SKU-2' } } });
    expect(invalid?.errors?.[0]?.message).toBe('Cannot query field "nope" on type "Query".');
    const empty = await fetch('http://localhost:8082/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { errors: { message: string }[] }).errors[0]?.message).toBe('the batch is empty; send one or more operations');
  });

  test('faults: a rule’s 404 and 409 in HTTP terms', async () => {
    const missing = await fetch(`${orders}/orders/ord_404`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'order ord_404 does not exist' } });

    const soldOut = await fetch(`${orders}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'SKU-2', quantity: 1 }),
    });
    expect(soldOut.status).toBe(409);
  });

  test('the OpenAPI contract answers what no rule does, and checks requests', async () => {
    const health = await fetch(`${orders}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const invalid = await fetch(`${orders}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'SKU-1', quantity: 0 }),
    });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('content-type')).toBe('application/problem+json');

    const wrongMethod = await fetch(`${orders}/health`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');

    const unknown = await fetch(`${orders}/nowhere`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-mockstack-unmatched')).toBe('1');
  });

  test('the SDL’s auto-mock answers fields without rules, seeded', async () => {
    const first = await catalog.request<{ featured: { sku: string; name: string }[] }>(gql`{ featured { sku name } }`);
    mocks.reset();
    const again = await catalog.request<{ featured: { sku: string; name: string }[] }>(gql`{ featured { sku name } }`);
    expect(first.featured.length).toBeGreaterThan(0);
    expect(again).toEqual(first);
  });

  test('a variant switched at run time changes the next answer; switching it off restores it', async () => {
    mocks.variant('orders-down');
    const down = await fetch(`${orders}/health`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('30');
    expect(await down.json()).toEqual({ error: { code: 'UNAVAILABLE', message: 'orders is down' } });

    mocks.variant();
    expect((await fetch(`${orders}/health`)).status).toBe(200);
  });

  test('a delay holds the answer; a client that gives up is journaled as aborted', async () => {
    mocks.variant('slow-catalog');
    const controller = new AbortController();
    let settled = false;
    const slow = fetch('http://localhost:8082/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ product(sku: "SKU-1") { stock } }' }),
      signal: controller.signal,
    }).finally(() => {
      settled = true;
    });
    // Another service answers at once while the catalog's answer is held back.
    expect((await fetch(`${orders}/health`)).status).toBe(200);
    expect(settled).toBe(false);
    controller.abort();
    await expect(slow).rejects.toThrow(/abort/i);
    await until(() => mocks.requests({ service: 'catalog' }).length === 1);
    expect(mocks.requests({ service: 'catalog' })[0]?.status).toBe(499);
  });

  test('the journal and toHaveReceived see every intercepted request', async () => {
    await postWithNodeHttp(`${orders}/orders`, { sku: 'SKU-1', quantity: 1 });
    await catalog.request(productQuery, { sku: 'SKU-1' });
    await fetch(`${orders}/orders/ord_1`);

    expect(mocks.requests().map((entry) => entry.operation)).toEqual(['POST /orders', 'query Product', 'GET /orders/:id']);
    expect(mocks).toHaveReceived('POST /orders', { body: { sku: 'SKU-1' }, times: 1 });
    expect(mocks).toHaveReceived('GET /orders/:id', { times: 1 });
    expect(mocks).not.toHaveReceived('POST /orders', { body: { sku: 'SKU-2' } });
    expect(mocks.verifyInOrder('POST /orders', 'GET /orders/:id').pass).toBe(true);
  });

  test('a malformed JSON body is a clear 400, journaled, and the next request is answered', async () => {
    const broken = await fetch(`${orders}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku": ' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toMatch(/request body is not valid JSON/);
    const graphqlBroken = await fetch('http://localhost:8082/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(graphqlBroken.status).toBe(400);
    expect(mocks.requests().map((entry) => entry.status)).toEqual([400, 400]);
    expect((await fetch(`${orders}/health`)).status).toBe(200);
  });
});

describe('mockstack/msw options and bad input', () => {
  test('contract texts given with the scenario are served instead of the files', async () => {
    const sdl = `${readFileSync(new URL('../fixtures/msw/shop.graphql', import.meta.url), 'utf8')}\nextend type Product { price: Int! }\n`;
    const given = handlersFor(shop, {
      contracts: { 'shop.graphql': sdl },
      baseUrls: { catalog: 'https://catalog.example.test', orders: 'https://orders.example.test/api' },
    });
    const other = setupServer(...given);
    server.close();
    other.listen({ onUnhandledRequest: 'error' });
    try {
      const client = new GraphQLClient(given.url('catalog'));
      expect(given.url('catalog')).toBe('https://catalog.example.test/graphql');
      const answer = await client.request<{ product: { price: number } }>(gql`{ product(sku: "SKU-1") { price } }`);
      expect(typeof answer.product.price).toBe('number');
      // A base URL with a path: routes are below it.
      expect((await fetch('https://orders.example.test/api/health')).status).toBe(200);
    } finally {
      other.close();
      server.listen({ onUnhandledRequest: 'error' });
    }
  });

  test('file uploads (the GraphQL multipart request spec, as urql sends them) reach the Upload variables; a broken multipart request is refused with why', async () => {
    const sdl =
      'scalar Upload\ntype File { filename: String! size: Int! text: String! }\ntype Query { ok: Boolean }\ntype Mutation { upload(file: Upload!, note: String): File! }\n';
    type Upload = { filename: string; size: number; data: Uint8Array };
    const media = scenario('media').services({
      media: graphql(
        { baseUrl: 'https://media.example.test', schema: 'media.graphql' },
        {
          Mutation: {
            upload: (_: unknown, { file }: { file: Upload }) => ({ filename: file.filename, size: file.size, text: new TextDecoder().decode(file.data) }),
          },
        },
      ),
    });
    const given = handlersFor(media, { contracts: { 'media.graphql': sdl } });
    const other = setupServer(...given);
    server.close();
    other.listen({ onUnhandledRequest: 'error' });
    try {
      const client = new UrqlClient({ url: given.url('media'), exchanges: [fetchExchange] });
      const sent = await client
        .mutation('mutation ($file: Upload!, $note: String) { upload(file: $file, note: $note) { filename size text } }', {
          file: new File(['hello, world'], 'hello.txt', { type: 'text/plain' }),
          note: 'first',
        })
        .toPromise();
      expect(sent.error).toBeUndefined();
      expect(sent.data).toEqual({ upload: { filename: 'hello.txt', size: 12, text: 'hello, world' } });
      expect(given.requests().at(-1)?.request.body).toMatchObject({
        variables: { note: 'first', file: { filename: 'hello.txt', mimeType: 'text/plain', size: 12 } },
      });

      const form = new FormData();
      form.append('operations', JSON.stringify({ query: 'mutation ($file: Upload!) { upload(file: $file) { size } }', variables: { file: null } }));
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      const broken = await fetch(given.url('media'), { method: 'POST', body: form });
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(
        /map names the file part "0", which the request does not carry/,
      );
      const again = await client.mutation('mutation ($file: Upload!) { upload(file: $file) { size } }', { file: new File(['abc'], 'a.txt') }).toPromise();
      expect(again.data).toEqual({ upload: { size: 3 } });
    } finally {
      other.close();
      server.listen({ onUnhandledRequest: 'error' });
    }
  });

  test('a GraphQL service mounted on a REST one answers at its path on that base URL', async () => {
    const mounted = scenario('mounted').services({
      api: rest({ baseUrl: 'https://shop.example.test' }, [rest.get('/ping', { pong: true })]),
      catalog: graphql({ on: 'api', path: '/gql', schema: 'fixtures/msw/shop.graphql' }, { Query: { featured: () => [] } }),
    });
    const given = handlersFor(mounted, { root: new URL('..', import.meta.url).pathname });
    const other = setupServer(...given);
    server.close();
    other.listen({ onUnhandledRequest: 'error' });
    try {
      expect(given.url('catalog')).toBe('https://shop.example.test/gql');
      expect(await new GraphQLClient(given.url('catalog')).request(gql`{ featured { sku } }`)).toEqual({ featured: [] });
      expect(await (await fetch('https://shop.example.test/ping')).json()).toEqual({ pong: true });
      expect(given.requests().map((entry) => entry.operation)).toEqual(['query (anonymous)', 'GET /ping']);
    } finally {
      other.close();
      server.listen({ onUnhandledRequest: 'error' });
    }
  });

  test('parameters inside a segment route as on the server: `/files/:name.:ext`, Google custom methods, `.json` suffixes', async () => {
    const document = {
      openapi: '3.0.3',
      info: { title: 'in-segment', version: '1' },
      paths: {
        '/v1/{name}': {
          get: { parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } },
        },
        '/v1/{name}:cancel': {
          post: {
            parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z]+$' } }],
            responses: { 200: { description: 'ok', content: { 'application/json': { example: { cancelled: true } } } } },
          },
        },
      },
    };
    const segments = scenario('segments').services({
      files: rest({ baseUrl: 'https://files.example.test' }, [
        rest.get('/files/:name.:ext', ({ params }) => ({ name: params.name, ext: params.ext })),
        rest.get('/files/:id', ({ params }) => ({ id: params.id })),
      ]),
      google: rest({ baseUrl: 'https://google.example.test', openapi: 'google.json' }),
    });
    const given = handlersFor(segments, { contracts: { 'google.json': JSON.stringify(document) } });
    const other = setupServer(...given);
    server.close();
    other.listen({ onUnhandledRequest: 'error' });
    try {
      expect(await (await fetch('https://files.example.test/files/report.pdf')).json()).toEqual({ name: 'report', ext: 'pdf' });
      expect(await (await fetch('https://files.example.test/files/f1')).json()).toEqual({ id: 'f1' });
      expect(await (await fetch('https://google.example.test/v1/abc:cancel', { method: 'POST' })).json()).toEqual({ cancelled: true });
      expect((await fetch('https://google.example.test/v1/ABC:cancel', { method: 'POST' })).status).toBe(400);
      expect((await fetch('https://google.example.test/v1/abc')).status).toBe(200);
    } finally {
      other.close();
      server.listen({ onUnhandledRequest: 'error' });
    }
  });

  test("an OpenAPI document's examples paired by name (Microcks' convention) answer as on the server, links pointing at the intercepted host", async () => {
    const file = new URL('../fixtures/microcks/catalog-openapi.yaml', import.meta.url);
    const paired = scenario('paired').services({ catalog: rest({ baseUrl: 'https://catalog.example.test', openapi: 'catalog.yaml' }) });
    const given = handlersFor(paired, { contracts: { 'catalog.yaml': readFileSync(file, 'utf8') } });
    const other = setupServer(...given);
    server.close();
    other.listen({ onUnhandledRequest: 'error' });
    try {
      await given.ready;
      const missing = await fetch('https://catalog.example.test/api/products/nope-0');
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ code: 'NOT_FOUND', message: 'no product nope-0' });
      const created = await fetch('https://catalog.example.test/api/products', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Keyboard', price: 49.9, tags: ['computer'] }),
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe('https://catalog.example.test/api/products/kbd-1');
    } finally {
      other.close();
      server.listen({ onUnhandledRequest: 'error' });
    }
  });

  test('a service with no port and no base URL is refused with what to write', () => {
    const portless = scenario('portless').services({ api: rest({}, [rest.get('/x', { ok: true })]) });
    expect(() => handlersFor(portless)).toThrow(/service "api" has no port to intercept at; give it one, a baseUrl/);
    expect(() => handlersFor(portless, { baseUrls: { nope: 'http://x.test' } })).toThrow(/baseUrls names "nope"/);
    expect(() => handlersFor({ not: 'a scenario' })).toThrow(/handlersFor takes a scenario/);
    expect(() => handlersFor(shop, { baseUrls: { orders: '/api' } })).toThrow(/base URL "\/api", which is not a URL/);
  });

  test('a scenario that does not compile rejects `ready`, and the engine says why it is missing', async () => {
    const broken = scenario('broken').services({
      api: rest({ port: 9100 }, [rest.get('/x', { times: 0 }, { ok: true }), rest.get('/y', () => fault.notFound())]),
    });
    const mocked = handlersFor(broken);
    await expect(mocked.ready).rejects.toThrow(/times: 0/);
    expect(() => mocked.engine).toThrow(/MOCKSTACK_ERR_MSW_NOT_READY|still compiling/);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
