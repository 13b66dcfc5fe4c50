// mockstack/msw with a REST service's WebSocket endpoint (`rest({ webSocket: mswWebSocket(handlers, { origin }) })`):
// msw's WebSocket interception answers an app's `new WebSocket(…)` with the scenario's handlers, at the service's
// base URL and at the origin the handlers were written for, journaled like `mockstack up` journals them.
// Node 20 has no global WebSocket (the browser's, which msw intercepts): undici's stands in for it here.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { mswWebSocket, rest, scenario } from 'mockstack';
import { handlersFor } from 'mockstack/msw';
import { ws } from 'msw';
import { setupServer } from 'msw/node';
import { WebSocket as UndiciWebSocket } from 'undici';
import { type WebSocket as RealSocket, WebSocketServer } from 'ws';
import { handlers } from '../fixtures/msw/chat-handlers.js';
import { eventually } from '../helpers/eventually.js';

const globals = globalThis as { WebSocket?: unknown };
const hadWebSocket = 'WebSocket' in globals;
const original = globals.WebSocket;
globals.WebSocket ??= UndiciWebSocket;

const checkedHandshakes = mswWebSocket([ws.link('ws://localhost:8092/checked').addEventListener('connection', ({ client }) => client.send('checked'))]);
const chat = scenario('msw-chat').services({
  chat: rest({ port: 8090, webSocket: mswWebSocket(handlers, { origin: 'wss://chat.example.com' }) }, [rest.get('/health', { ok: true })]),
  // An endpoint of the scenario's own: it refuses (undefined), throws, or serves.
  own: rest({
    port: 8091,
    webSocket: (url) => {
      if (url.startsWith('/throws')) throw new Error('the endpoint broke');
      if (url.startsWith('/refused')) return undefined;
      return (connection) => connection.onMessage((data) => connection.send(`own: ${String(data)}`));
    },
  }),
  checked: rest({ baseUrl: 'http://localhost:8092', webSocket: checkedHandshakes }),
});

const mocks = handlersFor(chat);
const server = setupServer(...mocks);

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  await mocks.ready;
});
beforeEach(() => mocks.reset());
afterAll(() => {
  server.close();
  if (hadWebSocket) globals.WebSocket = original;
  else delete globals.WebSocket;
});

/** An app's socket, made the way a page makes one (the global WebSocket, which msw patched). */
function open(url: string): {
  socket: WebSocket;
  next: () => Promise<unknown>;
  opened: Promise<void>;
  closed: Promise<[number, string]>;
  errored: () => boolean;
} {
  const Socket = (globalThis as unknown as { WebSocket: typeof WebSocket }).WebSocket;
  const socket = new Socket(url);
  socket.binaryType = 'arraybuffer';
  const received: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  let errored = false;
  socket.addEventListener('message', (event: MessageEvent) => {
    const message = event.data instanceof ArrayBuffer ? [...new Uint8Array(event.data)] : event.data;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else received.push(message);
  });
  socket.addEventListener('error', () => {
    errored = true;
  });
  const opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve()));
  const closed = new Promise<[number, string]>((resolve) =>
    socket.addEventListener('close', (event: Event & { code: number; reason: string }) => resolve([event.code, event.reason])),
  );
  const next = () => (received.length > 0 ? Promise.resolve(received.shift()) : new Promise<unknown>((resolve) => waiting.push(resolve)));
  return { socket, next, opened, closed, errored: () => errored };
}

describe('mockstack/msw: a REST service’s WebSocket endpoint', () => {
  test('at the service’s base URL (ws://localhost:8090): the handlers answer, text and binary, and the connection is journaled', async () => {
    const { socket, next, opened, closed } = open('ws://localhost:8090/rooms/42?token=abc');
    await opened;
    expect(await next()).toBe('welcome to 42');
    socket.send('hello');
    expect(await next()).toBe(JSON.stringify({ room: '42', text: 'hello' }));
    socket.send(new Uint8Array([1, 2, 3]));
    expect(await next()).toEqual([3, 2, 1]);
    socket.send('bye');
    expect(await closed).toEqual([4000, 'bye bye']);
    await eventually(async () => expect(mocks.requests({ service: 'chat' })).toHaveLength(1));
    const [entry] = mocks.requests({ service: 'chat' });
    expect(entry).toMatchObject({ operation: 'GET /rooms/42 (WebSocket)', status: 101 });
    expect(entry?.target).toMatch(/^GET \/rooms\/42\?token=.* \(WebSocket\)$/);
    expect(entry?.target).not.toContain('abc');
  });

  test('at the origin the handlers were written for (wss://chat.example.com), as a browser app calls it', async () => {
    const { socket, next, opened, closed } = open('wss://chat.example.com/rooms/7');
    await opened;
    expect(await next()).toBe('welcome to 7');
    socket.send('hi');
    expect(await next()).toBe(JSON.stringify({ room: '7', text: 'hi' }));
    socket.close(1000);
    expect((await closed)[0]).toBe(1000);
    await eventually(async () => expect(mocks.requests({ service: 'chat' }).map((e) => e.operation)).toEqual(['GET /rooms/7 (WebSocket)']));
  });

  test('link.broadcast() reaches every client connected', async () => {
    const one = open('ws://localhost:8090/rooms/1');
    const two = open('wss://chat.example.com/rooms/2');
    await Promise.all([one.opened, two.opened]);
    expect(await one.next()).toBe('welcome to 1');
    expect(await two.next()).toBe('welcome to 2');
    one.socket.send('all:news');
    expect(await one.next()).toBe('news');
    expect(await two.next()).toBe('news');
    one.socket.close();
    two.socket.close();
    await Promise.all([one.closed, two.closed]);
  });

  test('a listener that throws closes its connection with 1011, journaled with the error; the endpoint keeps serving', async () => {
    const broken = open('ws://localhost:8090/rooms/9');
    await broken.opened;
    await broken.next();
    broken.socket.send('boom');
    expect((await broken.closed)[0]).toBe(1011);
    await eventually(async () => expect(mocks.requests({ service: 'chat' })[0]).toMatchObject({ status: 101, error: 'the chat handler broke' }));
    const after = open('ws://localhost:8090/rooms/10');
    await after.opened;
    expect(await after.next()).toBe('welcome to 10');
    after.socket.close();
    await after.closed;
  });

  test('a handshake the endpoint refuses fails as a refused one does in a browser (error, 1006), journaled 404; one whose endpoint throws, 500; the service keeps serving', async () => {
    const refused = open('ws://localhost:8091/refused');
    const [code, reason] = await refused.closed;
    expect(code).toBe(1006);
    expect(reason).toContain('no WebSocket endpoint at /refused');
    expect(refused.errored()).toBe(true);
    const thrown = open('ws://localhost:8091/throws');
    expect((await thrown.closed)[0]).toBe(1006);
    await eventually(async () =>
      expect(mocks.requests({ service: 'own' }).map((e) => [e.operation, e.status])).toEqual([
        ['GET /refused (WebSocket)', 404],
        ['GET /throws (WebSocket)', 500],
      ]),
    );
    const served = open('ws://localhost:8091/echo');
    await served.opened;
    served.socket.send('still here');
    expect(await served.next()).toBe('own: still here');
    served.socket.close();
    await served.closed;
  });

  test('a service with a baseUrl and no port takes handshakes there; HTTP handlers still answer beside the WebSocket ones', async () => {
    const checked = open('ws://localhost:8092/checked');
    expect(await checked.next()).toBe('checked');
    checked.socket.close();
    await checked.closed;
    expect(await (await fetch('http://localhost:8090/health')).json()).toEqual({ ok: true });
  });

  test('server.connect() opens the real server where the app connected (MSW’s own connection): messages flow both ways through the handler', async () => {
    const received: string[] = [];
    const real = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    real.on('connection', (socket: RealSocket) =>
      socket.on('message', (data: Buffer) => {
        received.push(data.toString());
        if (data.toString() === 'close-me') socket.close(4001, 'done');
        else socket.send(`real: ${data.toString()}`);
      }),
    );
    await new Promise((resolve) => real.once('listening', resolve));
    const origin = `ws://127.0.0.1:${(real.address() as { port: number }).port}`;
    const relay = ws.link(`${origin}/feed`).addEventListener('connection', ({ client, server: upstream }) => {
      upstream.connect();
      client.addEventListener('message', (event) => {
        if (event.data !== 'mocked') return;
        event.preventDefault();
        client.send('from the mock');
      });
    });
    const relayed = handlersFor(scenario('relay').services({ live: rest({ port: 8093, webSocket: mswWebSocket([relay], { origin }) }) }));
    server.use(...relayed);
    await relayed.ready;
    try {
      const { socket, next, opened, closed } = open(`${origin}/feed`);
      await opened;
      socket.send('hello');
      expect(await next()).toBe('real: hello');
      socket.send('mocked');
      expect(await next()).toBe('from the mock');
      socket.send('close-me');
      expect(await closed).toEqual([4001, 'done']);
      expect(received).toEqual(['hello', 'close-me']);
      await eventually(async () =>
        expect(relayed.requests()[0]?.response?.messages?.map((m) => [m.direction, m.message])).toEqual([
          ['in', 'hello'],
          ['out', 'real: hello'],
          ['in', 'mocked'],
          ['out', 'from the mock'],
          ['in', 'close-me'],
        ]),
      );
      // At the service's own address there is no real server MSW could open: the connection fails saying so.
      const elsewhere = open('ws://localhost:8093/feed');
      expect((await elsewhere.closed)[0]).toBe(1011);
      await eventually(async () => expect(relayed.requests()[1]?.error).toMatch(/under MSW, server.connect\(\) reaches only the address the app connected to/));
    } finally {
      server.resetHandlers();
      await new Promise((done) => real.close(done));
    }
  });
});
