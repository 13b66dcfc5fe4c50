/**
 * Proxy fallback: `rest({ proxy })` sends what no rule answers to the real service (a fastify app
 * started here), journaled as proxied; `rest.proxy(url)` does it for one rule; an unreachable
 * real service is a 502 and the mock keeps serving.
 */

import { startStack, type TestStack } from '@mockstack/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { respond, rest, scenario } from 'mockstack';
import { eventually } from '../helpers/eventually.js';

let upstream: FastifyInstance;
let upstreamUrl: string;
let stack: TestStack;
/** Resolved when the real service's event stream of each request closes, by the path it was asked at. */
const eventStreamsClosed = new Map<string, Promise<void>>();

beforeAll(async () => {
  // Connections the proxy opened and has not used yet (fetch's pool opens one ahead while another streams) are closed too.
  upstream = Fastify({ forceCloseConnections: true });
  upstream.get('/orders/:id', async (request, reply) => reply.header('x-served-by', 'real').send({ id: (request.params as { id: string }).id, real: true }));
  upstream.post('/orders', async (request, reply) => reply.code(201).send({ created: request.body, query: request.query }));
  upstream.get('/text', async (_request, reply) => reply.type('text/csv').send('a,b\n1,2\n'));
  upstream.get('/live/:id', async (request) => ({ live: (request.params as { id: string }).id }));
  upstream.get('/events/:id', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write(`data: first of ${(request.params as { id: string }).id}\n\n`);
    // Never ends by itself: only the client leaving closes it.
    eventStreamsClosed.set(request.url, new Promise((closed) => request.raw.socket.once('close', () => closed())));
  });
  upstream.post('/login', async (_request, reply) => reply.header('set-cookie', ['session=s1; Path=/; HttpOnly', 'theme=dark; Path=/']).send({ ok: true }));
  // What the real service received, byte for byte: its own parsers are not what is tested.
  upstream.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => done(null, text));
    raw.post('/echo', async (request) => ({ type: request.headers['content-type'], body: request.body }));
  });
  await upstream.listen({ port: 0, host: '127.0.0.1' });
  upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}`;
  stack = await startStack(
    scenario('proxied', { seed: 1 }).services({
      orders: rest({ proxy: upstreamUrl }, [
        rest.get('/orders/1', { id: '1', mocked: true }),
        rest.get('/live/:id', rest.proxy(upstreamUrl)),
        rest.post('/rule/echo', rest.proxy(upstreamUrl, { stripPrefix: '/rule' })),
        rest.post('/rule/login', rest.proxy(upstreamUrl, { stripPrefix: '/rule' })),
        rest.get('/rule/events/:id', rest.proxy(upstreamUrl, { stripPrefix: '/rule' })),
        rest.get('/cookies', respond({ ok: true }, { headers: { 'Set-Cookie': 'a=1; Path=/\nb=2; Secure' } })),
        rest.post('/cookies', respond({ ok: true }, { headers: { 'Set-Cookie': 'a=1; Path=/\nb=2; Secure' } })),
      ]),
      down: rest({ proxy: 'http://127.0.0.1:1' }, [rest.get('/ok', { ok: true })]),
    }),
  );
});

afterAll(async () => {
  await stack.close();
  await upstream.close();
});

test('a request no rule answers goes to the real service, and the journal says it was proxied', async () => {
  const mocked = await fetch(`${stack.url('orders')}/orders/1`);
  expect(await mocked.json()).toEqual({ id: '1', mocked: true });

  const real = await fetch(`${stack.url('orders')}/orders/2`);
  expect(real.status).toBe(200);
  expect(real.headers.get('x-served-by')).toBe('real');
  expect(await real.json()).toEqual({ id: '2', real: true });

  const created = await fetch(`${stack.url('orders')}/orders?source=web`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: 'A-1' }),
  });
  expect(created.status).toBe(201);
  expect(await created.json()).toEqual({ created: { sku: 'A-1' }, query: { source: 'web' } });

  const text = await fetch(`${stack.url('orders')}/text`);
  expect(text.headers.get('content-type')).toBe('text/csv');
  expect(await text.text()).toBe('a,b\n1,2\n');

  const journal = stack.requests({ service: 'orders' });
  expect(journal.map((e) => [e.target, e.rule, e.status])).toEqual([
    ['GET /orders/1', 'orders#1', 200],
    ['GET /orders/2', 'proxy:orders', 200],
    ['POST /orders?source=web', 'proxy:orders', 201],
    ['GET /text', 'proxy:orders', 200],
  ]);
  expect(journal[1]?.response?.body).toEqual({ id: '2', real: true });
});

test('rest.proxy(url) answers one rule from the real service', async () => {
  const response = await fetch(`${stack.url('orders')}/live/7`);
  expect(await response.json()).toEqual({ live: '7' });
  expect(stack.requests({ operation: 'GET /live/:id' }).at(-1)?.rule).toBe('orders#2');
});

test('a form post and a file upload reach the real service in their own media type, not as JSON', async () => {
  for (const path of ['/echo', '/rule/echo']) {
    const form = await fetch(`${stack.url('orders')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=orders+refunds&metadata%5Bplan%5D=pro&tag=a&tag=b',
    });
    expect(await form.json()).toEqual({
      type: 'application/x-www-form-urlencoded',
      body: 'grant_type=client_credentials&scope=orders+refunds&metadata%5Bplan%5D=pro&tag=a&tag=b',
    });

    const upload = new FormData();
    upload.append('title', 'logo');
    upload.append('file', new Blob(['\u0089PNG'], { type: 'image/png' }), 'logo.png');
    const uploaded = (await (await fetch(`${stack.url('orders')}${path}`, { method: 'POST', body: upload })).json()) as { type: string; body: string };
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(uploaded.type)?.[1];
    expect(boundary).toBeDefined();
    expect(uploaded.body).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nlogo\r\n`);
    expect(uploaded.body).toContain('Content-Disposition: form-data; name="file"; filename="logo.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG\r\n');
  }
});

test("each of the real service's cookies is a Set-Cookie header of its own, and so is each line of a rule's set-cookie", async () => {
  for (const path of ['/login', '/rule/login']) {
    const response = await fetch(`${stack.url('orders')}${path}`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['session=s1; Path=/; HttpOnly', 'theme=dark; Path=/']);
    expect(await response.json()).toEqual({ ok: true });
  }
  // GET is written without fastify, a POST with a body through it.
  for (const init of [{}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }]) {
    const response = await fetch(`${stack.url('orders')}/cookies`, init);
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Secure']);
  }
});

test("the real service's server-sent events are passed on as they come, and its stream closes when the client leaves", async () => {
  for (const [path, upstreamPath] of [
    ['/events/a', '/events/a'],
    ['/rule/events/b', '/events/b'],
  ] as const) {
    const client = new AbortController();
    const response = await fetch(`${stack.url('orders')}${path}`, { signal: client.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(`data: first of ${upstreamPath.slice(-1)}\n\n`);
    client.abort();
    expect(eventStreamsClosed.has(upstreamPath)).toBe(true);
    await eventStreamsClosed.get(upstreamPath);
  }
  await eventually(async () => expect(stack.requests({ service: 'orders' }).filter((e) => e.target.includes('/events/')).length).toBe(2));
});

test('an unreachable real service is a 502 naming it, and the mock keeps serving', async () => {
  const response = await fetch(`${stack.url('down')}/anything`);
  expect(response.status).toBe(502);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('BAD_GATEWAY');
  expect(body.error.message).toMatch(/^proxy to http:\/\/127\.0\.0\.1:1 failed: .*is the real service up\?$/);
  expect(stack.requests({ service: 'down' }).at(-1)).toMatchObject({ rule: 'proxy:down', status: 502 });

  const ok = await fetch(`${stack.url('down')}/ok`);
  expect(await ok.json()).toEqual({ ok: true });
});
