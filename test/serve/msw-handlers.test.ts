// An app's existing MSW handlers served by mockstack (`mswHandlers`): real sockets, real clients (fetch,
// graphql-request), the handlers' own msw doing the matching, mockstack's journal around them.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startStack, type TestStack } from '@mockstack/testing';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { mswHandlers, rest, scenario } from 'mockstack';
import { handlers } from '../fixtures/msw/app-handlers.js';

let stack: TestStack;
let realServer: Server;

beforeAll(async () => {
  realServer = createServer((request, response) => response.end(`real ${request.url}`));
  await new Promise<void>((listening) => realServer.listen(0, '127.0.0.1', listening));
  const real = `http://127.0.0.1:${(realServer.address() as { port: number }).port}`;
  stack = await startStack(
    scenario('msw-app').services({
      app: rest({ port: 0 }, [rest.get('/health', { ok: true }), ...mswHandlers(handlers)]),
      api: rest({ port: 0 }, mswHandlers(handlers, { origin: 'https://api.example.com', name: 'api.example.com handlers' })),
      proxied: rest({ port: 0, proxy: real }, mswHandlers(handlers)),
    }),
  );
});

afterAll(async () => {
  await stack.close();
  await new Promise((closed) => realServer.close(closed));
});

test('a handler answers with its status, headers and body; rules before the handlers win', async () => {
  const user = await fetch(`${stack.url('app')}/user`);
  expect(user.status).toBe(200);
  expect(user.headers.get('content-type')).toBe('application/json');
  expect(await user.json()).toEqual({ id: 'u1', name: 'Ada' });
  expect(await (await fetch(`${stack.url('app')}/health`)).json()).toEqual({ ok: true });

  const created = await fetch(`${stack.url('app')}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"A-1","qty":2}' });
  expect(created.status).toBe(201);
  expect(await created.json()).toEqual({ received: { sku: 'A-1', qty: 2 } });

  const entries = stack.requests({ service: 'app' });
  expect(entries.map((e) => [e.target, e.status])).toEqual([
    ['GET /user', 200],
    ['GET /health', 200],
    ['POST /orders', 201],
  ]);
  expect(entries[0]?.response?.body).toEqual({ id: 'u1', name: 'Ada' });
});

test('handlers written for an absolute origin answer the service given that origin', async () => {
  const order = await fetch(`${stack.url('api')}/orders/ord_7?expand=lines&expand=customer`);
  expect(await order.json()).toEqual({ id: 'ord_7', expand: ['lines', 'customer'] });
  // The same handlers on the app's own address: the absolute one does not match there.
  const elsewhere = await fetch(`${stack.url('app')}/orders/ord_7`);
  expect(elsewhere.status).toBe(404);
});

test('forms, uploads and cookies reach the handlers and come back as sent', async () => {
  const login = await fetch(`${stack.url('app')}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'user=ada&password=secret',
  });
  expect(login.status).toBe(201);
  expect(login.headers.getSetCookie()).toEqual(['session=ada; HttpOnly', 'theme=dark']);
  expect(await login.json()).toEqual({ user: 'ada' });

  const upload = new FormData();
  upload.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
  const uploaded = await fetch(`${stack.url('app')}/avatar`, { method: 'POST', body: upload });
  expect(await uploaded.text()).toBe('hello.txt text/plain hello');
});

test('binary bodies, event streams, delays and once-handlers behave as under msw', async () => {
  const logo = await fetch(`${stack.url('app')}/logo.png`);
  expect(logo.headers.get('content-type')).toBe('image/png');
  expect([...new Uint8Array(await logo.arrayBuffer())]).toEqual([137, 80, 78, 71]);

  const events = await fetch(`${stack.url('app')}/events`);
  expect(events.headers.get('content-type')).toBe('text/event-stream');
  expect(await events.text()).toBe('data: {"n":1}\n\ndata: {"n":2}\n\n');

  expect(await (await fetch(`${stack.url('app')}/slow`)).text()).toBe('slow');
  expect(stack.requests({ operation: 'GET /*' }).at(-1)?.durationMs).toBeGreaterThanOrEqual(25);

  expect(await (await fetch(`${stack.url('app')}/once`)).text()).toBe('first');
  expect(await (await fetch(`${stack.url('app')}/once`)).text()).toBe('later');
});

test('GraphQL handlers answer a GraphQL client, errors included', async () => {
  const client = new GraphQLClient(`${stack.url('app')}/graphql`);
  const data = await client.request<{ user: { id: string; name: string } }>(
    gql`
      query GetUser($id: ID!) {
        user(id: $id) {
          id
          name
        }
      }
    `,
    { id: 'u9' },
  );
  expect(data).toEqual({ user: { id: 'u9', name: 'Ada' } });
  const failed = await client
    .request(gql`
      mutation Login {
        login {
          token
        }
      }
    `)
    .catch((error: unknown) => error);
  expect(failed).toBeInstanceOf(ClientError);
  expect((failed as ClientError).response.errors?.[0]?.message).toBe('bad credentials');
});

test('no handler, passthrough(), a throwing handler and HttpResponse.error() each get a clear answer, and serving goes on', async () => {
  const missing = await fetch(`${stack.url('app')}/nothing-here`);
  expect(missing.status).toBe(404);
  const miss = (await missing.json()) as { error: { message: string; hint: string } };
  expect(miss.error.message).toMatch(
    /^no rule of app GET \/\* answers GET \/nothing-here: rule app#\d+ \(msw\) at test\/serve\/msw-handlers\.test\.ts:\d+:\d+ matched and passed it on$/,
  );
  expect(miss.error.hint).toMatch(/add a rule after it that does, or give the service a proxy/);
  expect(stack.requests({ service: 'app' }).at(-1)).toMatchObject({ target: 'GET /nothing-here', rule: null, status: 404 });

  const real = await fetch(`${stack.url('app')}/real-only`);
  expect(real.status).toBe(404);

  const boom = await fetch(`${stack.url('app')}/boom`);
  expect(boom.status).toBe(500);
  const error = (await boom.json()) as { error: { message: string } };
  expect(error.error.message).toMatch(/handler of rule .* threw.*kaboom/s);

  await expect(fetch(`${stack.url('app')}/network-error`)).rejects.toThrow('fetch failed');
  expect(stack.requests({ service: 'app' }).at(-1)).toMatchObject({ target: 'GET /network-error', error: 'connection dropped' });

  expect(await (await fetch(`${stack.url('app')}/user`)).json()).toEqual({ id: 'u1', name: 'Ada' });
});

test('passthrough() and requests no handler takes reach the real service of a service with a proxy', async () => {
  expect(await (await fetch(`${stack.url('proxied')}/real-only?x=1`)).text()).toBe('real /real-only?x=1');
  expect(await (await fetch(`${stack.url('proxied')}/not-mocked`)).text()).toBe('real /not-mocked');
  // The handler's fetch(bypass(request)) comes back to the service, which sends it on instead of asking the handlers again.
  expect(await (await fetch(`${stack.url('proxied')}/patched`)).text()).toBe('real /patched, patched');
  expect(await (await fetch(`${stack.url('proxied')}/user`)).json()).toEqual({ id: 'u1', name: 'Ada' });
  expect(stack.requests({ service: 'proxied' }).map((e) => [e.target, e.rule])).toEqual([
    ['GET /real-only?x=1', 'proxy:proxied'],
    ['GET /not-mocked', 'proxy:proxied'],
    ['GET /patched', 'proxy:proxied'],
    ['GET /patched', expect.stringMatching(/^proxied#\d+$/)],
    ['GET /user', expect.stringMatching(/^proxied#\d+$/)],
  ]);
});

test('`mockstack up handlers.ts`: a module exporting MSW handlers is served zero-config, a service per origin', async () => {
  const served = await startStack('test/fixtures/msw/app-handlers.ts');
  try {
    expect(Object.keys(served.services).sort()).toEqual(['api.example.com', 'chat.example.com', 'msw']);
    expect(await (await fetch(`${served.url('msw')}/user`)).json()).toEqual({ id: 'u1', name: 'Ada' });
    expect(await (await fetch(`${served.url('api.example.com')}/orders/ord_1`)).json()).toEqual({ id: 'ord_1', expand: [] });
    expect((await fetch(`${served.url('msw')}/orders/ord_1`)).status).toBe(404);
    expect(served.requests().map((e) => [e.service, e.target, e.status])).toEqual([
      ['msw', 'GET /user', 200],
      ['api.example.com', 'GET /orders/ord_1', 200],
      ['msw', 'GET /orders/ord_1', 404],
    ]);
  } finally {
    await served.close();
  }
});
