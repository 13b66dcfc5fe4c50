// mockstack/msw's WebSocket handler takes only the connections a scenario's service owns: an app's socket to
// another host reaches its real server, with msw's own `onUnhandledRequest` deciding as for requests. And many
// services with WebSocket endpoints, set up again and again in one process (a handler set per test file or
// per test), leave node quiet: every `ws.link` adds a listener to msw's one BroadcastChannel that is never
// taken away, so a link per service made node print a MaxListenersExceededWarning once 11 were made.
// Node 20 has no global WebSocket (the browser's, which msw intercepts): undici's stands in for it here.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { rest, scenario } from 'mockstack';
import { handlersFor } from 'mockstack/msw';
import { setupServer } from 'msw/node';
import { WebSocket as UndiciWebSocket } from 'undici';
import { WebSocketServer } from 'ws';
import { eventually } from '../helpers/eventually.js';

const root = resolve(import.meta.dirname, '../..');
const globals = globalThis as { WebSocket?: unknown };
const hadWebSocket = 'WebSocket' in globals;
const original = globals.WebSocket;
globals.WebSocket ??= UndiciWebSocket;

const echo = (name: string) => () => (connection: { onMessage(l: (d: unknown) => void): void; send(d: string): void }) =>
  connection.onMessage((data) => connection.send(`${name}: ${String(data)}`));
const chat = scenario('msw-ws-passthrough').services({
  chat: rest({ port: 8190, webSocket: echo('chat') }),
  alerts: rest({ baseUrl: 'https://alerts.example.test/v1', webSocket: echo('alerts') }),
  // Below another service's base URL: the longer base URL is the one a socket below it goes to.
  alertsV2: rest({ baseUrl: 'https://alerts.example.test/v1/v2', webSocket: echo('alerts v2') }),
});
const mocks = handlersFor(chat);
const server = setupServer(...mocks);
const real = new WebSocketServer({ host: '127.0.0.1', port: 0 });
real.on('connection', (socket, request) => socket.on('message', (data) => socket.send(`real ${request.url}: ${String(data)}`)));
let realUrl: string;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'bypass' });
  await mocks.ready;
  await new Promise((done) => real.once('listening', done));
  realUrl = `ws://127.0.0.1:${(real.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.close();
  await new Promise((done) => real.close(done));
  if (hadWebSocket) globals.WebSocket = original;
  else delete globals.WebSocket;
});

/** Opens an app's socket, sends `text` once open, and gives the first answer (or how the socket ended). */
async function exchange(url: string, text: string): Promise<string> {
  const Socket = (globalThis as unknown as { WebSocket: typeof WebSocket }).WebSocket;
  const socket = new Socket(url);
  try {
    return await new Promise<string>((answer) => {
      socket.addEventListener('open', () => socket.send(text));
      socket.addEventListener('message', (event: MessageEvent) => answer(String(event.data)));
      socket.addEventListener('error', () => answer('error'));
      socket.addEventListener('close', (event: Event & { code: number }) => answer(`closed ${event.code}`));
    });
  } finally {
    socket.close();
  }
}

test('a socket to a host no service owns reaches its real server, while the services’ own are served by the scenario', async () => {
  expect(await exchange(`${realUrl}/feed?x=1`, 'hi')).toBe('real /feed?x=1: hi');
  expect(await exchange('ws://localhost:8190/rooms/1', 'hi')).toBe('chat: hi');
  expect(await exchange('wss://alerts.example.test/v1/stream', 'hi')).toBe('alerts: hi');
  // Another port of the same host, and a path beside a service's base path, are not the services' either.
  expect(await exchange(`${realUrl.replace('127.0.0.1', 'localhost')}/rooms/1`, 'hello')).toBe('real /rooms/1: hello');
  expect(await exchange('wss://alerts.example.test/v1/v2/stream', 'hi')).toBe('alerts v2: hi');
  expect(await exchange('wss://alerts.example.test/v1/v2x', 'hi')).toBe('alerts: hi');
  await eventually(async () => expect(mocks.requests()).toHaveLength(4));
  expect(mocks.requests().map((entry) => `${entry.service} ${entry.operation}`)).toEqual(
    expect.arrayContaining([
      'chat GET /rooms/1 (WebSocket)',
      'alerts GET /stream (WebSocket)',
      'alertsV2 GET /stream (WebSocket)',
      'alerts GET /v2x (WebSocket)',
    ]),
  );
});

test('twelve services with WebSocket endpoints, their handlers set up three times in one process: no MaxListenersExceededWarning, and each still answers', async () => {
  // In a process of its own, on the built package as an app imports it: jest's sandbox sees no process warnings.
  const script = `
    import { rest, scenario } from 'mockstack';
    import { handlersFor } from 'mockstack/msw';
    import { setupServer } from 'msw/node';
    import { WebSocket } from 'undici';
    globalThis.WebSocket = WebSocket;
    const services = {};
    for (let i = 0; i < 12; i++) services['s' + i] = rest({ port: 8200 + i, webSocket: () => (c) => c.onMessage((d) => c.send('s' + i + ': ' + d)) });
    const stack = scenario('many-websockets').services(services);
    const sets = [handlersFor(stack), handlersFor(stack), handlersFor(stack)];
    const server = setupServer(...sets[2]);
    server.listen({ onUnhandledRequest: 'error' });
    await sets[2].ready;
    const answers = [];
    for (const i of [0, 11]) {
      const socket = new globalThis.WebSocket('ws://localhost:' + (8200 + i) + '/x');
      answers.push(await new Promise((answer) => {
        socket.addEventListener('open', () => socket.send('hi'));
        socket.addEventListener('message', (event) => answer(String(event.data)));
      }));
      socket.close();
    }
    console.log(JSON.stringify(answers));
    server.close();
    setTimeout(() => process.exit(0), 50);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(stdout)).toEqual(['s0: hi', 's11: hi']);
}, 30_000);
