// MSW's WebSocket handlers (`ws.link`) served by mockstack over real sockets, to a real client (`ws`):
// zero-config from a handlers module, and as a REST service's `webSocket` endpoint in a scenario.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startStack, type TestStack } from '@mockstack/testing';
import { mswWebSocket, rest, scenario } from 'mockstack';
import { ws } from 'msw';
import WebSocket, { WebSocketServer } from 'ws';
import { handlers } from '../fixtures/msw/chat-handlers.js';
import { eventually } from '../helpers/eventually.js';
import { GOOD_KEY, rawHandshake } from '../helpers/raw-handshake.js';

let served: TestStack;

beforeAll(async () => {
  served = await startStack('test/fixtures/msw/chat-handlers.ts');
});

afterAll(async () => {
  await served.close();
});

/** A connected client and the messages it received (text, or bytes as an array of numbers). */
async function connect(url: string): Promise<{ socket: WebSocket; received: unknown[]; next: () => Promise<unknown>; closed: Promise<[number, string]> }> {
  const socket = new WebSocket(url);
  const received: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? [...data] : data.toString();
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else received.push(message);
  });
  const closed = new Promise<[number, string]>((resolve) => socket.on('close', (code: number, reason: Buffer) => resolve([code, reason.toString()])));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = () => (received.length > 0 ? Promise.resolve(received.shift()) : new Promise<unknown>((resolve) => waiting.push(resolve)));
  return { socket, received, next, closed };
}

const wsUrl = (stack: TestStack, service: string, path: string) => `${stack.url(service).replace(/^http/, 'ws')}${path}`;

/** The status of a handshake the server refuses. */
function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => reject(new Error(`${url} was accepted`)));
    socket.once('error', () => {});
  });
}

test('a handlers module with a wss:// link is served zero-config: the link gets a service of its host, its handler answers', async () => {
  expect(Object.keys(served.services).sort()).toEqual(['chat.example.com', 'msw']);
  const { socket, next, closed } = await connect(wsUrl(served, 'chat.example.com', '/rooms/42'));
  expect(await next()).toBe('welcome to 42');
  socket.send('hello');
  expect(await next()).toBe(JSON.stringify({ room: '42', text: 'hello' }));
  socket.send(Buffer.from([1, 2, 3]));
  expect(await next()).toEqual([3, 2, 1]);
  socket.close(1000);
  expect(await closed).toEqual([1000, '']);
  // The same service answers the module's HTTP handler for that origin.
  expect(await (await fetch(`${served.url('chat.example.com')}/rooms`)).json()).toEqual([{ id: '42' }]);
});

test("a link written relative (ws.link('/echo')) is served on the service of no particular origin", async () => {
  const { socket, next, closed } = await connect(wsUrl(served, 'msw', '/echo'));
  socket.send('hi');
  expect(await next()).toBe('echo: hi');
  socket.close();
  await closed;
  expect(await refusedStatus(wsUrl(served, 'msw', '/rooms/1'))).toBe(404);
});

test('the connection is journaled when it closes: GET /path (WebSocket), 101, the messages both ways, a token in its query redacted', async () => {
  const { socket, next, closed } = await connect(wsUrl(served, 'chat.example.com', '/rooms/7?token=abc'));
  await next();
  socket.send('ping');
  await next();
  socket.close();
  await closed;
  const entry = await eventuallyEntry(served, 'GET /rooms/7?token=[redacted] (WebSocket)');
  expect(entry.status).toBe(101);
  expect(entry.rule).toBe('websocket');
  expect(entry.response?.messages?.map((m) => [m.direction, m.message])).toEqual([
    ['out', 'welcome to 7'],
    ['in', 'ping'],
    ['out', JSON.stringify({ room: '7', text: 'ping' })],
  ]);
});

test('link.broadcast() reaches every client connected to the link; client.close(code, reason) closes with them', async () => {
  const a = await connect(wsUrl(served, 'chat.example.com', '/rooms/1'));
  const b = await connect(wsUrl(served, 'chat.example.com', '/rooms/2'));
  await a.next();
  await b.next();
  a.socket.send('all:dinner is ready');
  expect(await a.next()).toBe('dinner is ready');
  expect(await b.next()).toBe('dinner is ready');
  b.socket.send('bye');
  expect(await b.closed).toEqual([4000, 'bye bye']);
  a.socket.close();
  await a.closed;
});

test('a listener that throws (or connects a real server there is none of) closes its connection with 1011, journaled with the error; the service keeps serving', async () => {
  const broken = await connect(wsUrl(served, 'chat.example.com', '/rooms/9'));
  await broken.next();
  broken.socket.send('boom');
  const [code] = await broken.closed;
  expect(code).toBe(1011);
  const entry = await eventuallyEntry(served, 'GET /rooms/9 (WebSocket)');
  expect(entry.error).toMatch(/the chat handler broke/);

  // server.connect() where there is no real server: no origin, no proxy.
  const real = await connect(wsUrl(served, 'msw', '/echo'));
  real.socket.send('real');
  expect((await real.closed)[0]).toBe(1011);
  expect((await eventuallyEntries(served, 'GET /echo (WebSocket)', 2))[1]?.error).toMatch(
    /service "msw" has no real WebSocket server to connect to: give the service a proxy/,
  );

  const after = await connect(wsUrl(served, 'chat.example.com', '/rooms/9'));
  expect(await after.next()).toBe('welcome to 9');
  after.socket.close();
  await after.closed;
});

test('a handshake no handler matches is refused with 404 and journaled; the service keeps serving', async () => {
  expect(await refusedStatus(wsUrl(served, 'chat.example.com', '/lobby'))).toBe(404);
  const entry = await eventuallyEntry(served, 'GET /lobby (WebSocket)');
  expect(entry.status).toBe(404);
  expect(entry.error).toMatch(/no WebSocket endpoint at \/lobby/);
  const { socket, next, closed } = await connect(wsUrl(served, 'chat.example.com', '/rooms/5'));
  expect(await next()).toBe('welcome to 5');
  socket.close();
  await closed;
});

test('a handshake ws finds malformed (bad key, version, subprotocol, method) is refused with 400 or 405 and journaled; the service keeps serving', async () => {
  const url = wsUrl(served, 'chat.example.com', '/rooms/5');
  const cases: [string, Record<string, string | undefined>, string, number, RegExp][] = [
    ['missing key', { 'sec-websocket-version': '13' }, 'GET', 400, /Missing or invalid Sec-WebSocket-Key/],
    ['bad key', { 'sec-websocket-key': 'not-a-key', 'sec-websocket-version': '13' }, 'GET', 400, /Missing or invalid Sec-WebSocket-Key/],
    ['old version', { 'sec-websocket-key': GOOD_KEY, 'sec-websocket-version': '12' }, 'GET', 400, /Missing or invalid Sec-WebSocket-Version/],
    [
      'bad subprotocol',
      { 'sec-websocket-key': GOOD_KEY, 'sec-websocket-version': '13', 'sec-websocket-protocol': 'chat v1' },
      'GET',
      400,
      /Invalid Sec-WebSocket-Protocol/,
    ],
    ['POST', { 'sec-websocket-key': GOOD_KEY, 'sec-websocket-version': '13' }, 'POST', 405, /Invalid HTTP method/],
  ];
  for (const [name, headers, method, status, message] of cases) {
    const before = served.requests({ service: 'chat.example.com' }).length;
    const answer = await rawHandshake(url, headers, method);
    expect([name, answer.status]).toEqual([name, status]);
    expect(JSON.parse(answer.body).error).toMatch(message);
    if (name === 'old version') expect(answer.headers['sec-websocket-version']).toBe('13, 8');
    await eventually(async () => expect(served.requests({ service: 'chat.example.com' }).length).toBe(before + 1));
    expect(served.requests({ service: 'chat.example.com' }).at(-1)).toMatchObject({
      target: 'GET /rooms/5 (WebSocket)',
      status,
      error: expect.stringMatching(message),
    });
  }
  const { socket, next, closed } = await connect(url);
  expect(await next()).toBe('welcome to 5');
  socket.close();
  await closed;
});

test('in a scenario: rest({ webSocket: mswWebSocket(handlers, { origin }) }) beside rules; a service without one refuses handshakes', async () => {
  const stack = await startStack(
    scenario('chat-app').services({
      chat: rest({ port: 0, webSocket: mswWebSocket(handlers, { origin: 'https://chat.example.com' }) }, [rest.get('/health', { ok: true })]),
      plain: rest({ port: 0 }, [rest.get('/health', { ok: true })]),
    }),
  );
  try {
    const { socket, next, closed } = await connect(wsUrl(stack, 'chat', '/rooms/3'));
    expect(await next()).toBe('welcome to 3');
    socket.close();
    await closed;
    expect(await (await fetch(`${stack.url('chat')}/health`)).json()).toEqual({ ok: true });
    await expect(connect(wsUrl(stack, 'plain', '/rooms/3'))).rejects.toThrow();
    expect(await (await fetch(`${stack.url('plain')}/health`)).json()).toEqual({ ok: true });
  } finally {
    await stack.close();
  }
});

test("server.connect() opens the service's proxy: messages flow both ways through the handler, preventDefault() keeps one back", async () => {
  const real = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const receivedByReal: string[] = [];
  real.on('connection', (socket) =>
    socket.on('message', (data: Buffer) => {
      receivedByReal.push(data.toString());
      if (data.toString() === 'close-me') socket.close(4001, 'done');
      else socket.send(`real: ${data}`);
    }),
  );
  await new Promise((listening) => real.once('listening', listening));
  const feed = ws.link('wss://live.example.com/feed');
  const relay = feed.addEventListener('connection', ({ client, server }) => {
    server.connect();
    client.addEventListener('message', (event) => {
      if (event.data !== 'mocked') return;
      event.preventDefault();
      client.send('from the mock');
    });
    server.addEventListener('message', (event) => {
      if (event.data !== 'real: secret') return;
      event.preventDefault();
      client.send('[hidden]');
    });
  });
  const stack = await startStack(
    scenario('relay').services({
      live: rest({
        port: 0,
        proxy: `http://127.0.0.1:${(real.address() as { port: number }).port}`,
        webSocket: mswWebSocket([relay], { origin: 'wss://live.example.com' }),
      }),
    }),
  );
  try {
    const { socket, next, closed } = await connect(wsUrl(stack, 'live', '/feed?since=1'));
    socket.send('hello');
    expect(await next()).toBe('real: hello');
    socket.send('mocked');
    expect(await next()).toBe('from the mock');
    socket.send('secret');
    expect(await next()).toBe('[hidden]');
    socket.send('close-me');
    expect(await closed).toEqual([4001, 'done']);
    expect(receivedByReal).toEqual(['hello', 'secret', 'close-me']);
    const entry = await eventuallyEntry(stack, 'GET /feed?since=1 (WebSocket)');
    expect(entry.response?.messages?.map((m) => [m.direction, m.message])).toEqual([
      ['in', 'hello'],
      ['out', 'real: hello'],
      ['in', 'mocked'],
      ['out', 'from the mock'],
      ['in', 'secret'],
      ['out', '[hidden]'],
      ['in', 'close-me'],
    ]);
  } finally {
    await stack.close();
    await new Promise((done) => real.close(done));
  }
});

/** The journal's entries of `target` once it has `count` (the server journals a connection on its own close, after the client's). */
async function eventuallyEntries(stack: TestStack, target: string, count: number) {
  await eventually(async () => expect(stack.requests().filter((e) => e.target === target).length).toBeGreaterThanOrEqual(count));
  return stack.requests().filter((e) => e.target === target);
}

async function eventuallyEntry(stack: TestStack, target: string) {
  const [entry] = await eventuallyEntries(stack, target, 1);
  if (!entry) throw new Error(`no journal entry ${target}`);
  return entry;
}
