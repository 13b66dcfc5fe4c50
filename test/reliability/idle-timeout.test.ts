/**
 * The idle timeout (`--idle-timeout`, limits.idleTimeoutMs) on HTTP/1 connections: a connection with no
 * traffic for that long is closed, however it is idle (between requests, or waiting for an answer the
 * scenario delays past it); one with traffic keeps going; a WebSocket is not cut. The keep-alive timeout
 * is set far above it, so that only the idle timeout can close these connections.
 */
import { resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, rest, scenario } from 'mockstack';
import WebSocket from 'ws';
import { rawClient } from './raw-client.js';

const IDLE_MS = 1000;

const stack$ = scenario('idle', { seed: 1 }).services({
  orders: rest({ port: 0 }, [rest.get('/orders', [{ id: 'o1' }]), rest.get('/slow', { delay: '3s' }, { slow: true })]),
  live: graphql({ port: 0, schema: resolve(import.meta.dirname, '../fixtures/contracts/live-orders.graphql') }),
});

let stack: TestStack;
let ordersPort: number;
beforeAll(async () => {
  stack = await startStack(stack$, { limits: { idleTimeoutMs: IDLE_MS, keepAliveTimeoutMs: 60_000 } });
  ordersPort = stack.services.orders?.port ?? 0;
});
afterAll(() => stack.close());

const GET_ORDERS = 'GET /orders HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n';
const answers = (text: string): number => text.match(/HTTP\/1\.1 200 OK/g)?.length ?? 0;

async function servesOrders(): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${ordersPort}/orders`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual([{ id: 'o1' }]);
}

test('a keep-alive connection left without traffic is closed after the idle timeout; serving goes on', async () => {
  const client = rawClient(ordersPort);
  client.socket.write(GET_ORDERS);
  const lived = await client.closed;
  expect(answers(client.received())).toBe(1);
  expect(lived).toBeGreaterThanOrEqual(IDLE_MS);
  await servesOrders();
});

test('an answer delayed past the idle timeout: its connection is closed without it; the next request is served', async () => {
  const client = rawClient(ordersPort);
  client.socket.write('GET /slow HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
  await client.closed;
  expect(client.received()).toBe('');
  await servesOrders();
});

test('a connection with traffic more often than the idle timeout stays open', async () => {
  const client = rawClient(ordersPort);
  let closedEarly = false;
  void client.closed.then(() => {
    closedEarly = true;
  });
  // Requests every 100 ms for 2.5 idle timeouts: each is traffic that restarts the count.
  const requests = Math.ceil((2.5 * IDLE_MS) / 100);
  for (let sent = 0; sent < requests && !closedEarly; sent++) {
    client.socket.write(GET_ORDERS);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(closedEarly).toBe(false);
  await new Promise<void>((done) => {
    const check = () => (answers(client.received()) >= requests ? done() : setTimeout(check, 10));
    check();
  });
  client.socket.destroy();
  await client.closed;
});

test('a WebSocket (GraphQL subscriptions) idle for longer than the idle timeout is not cut', async () => {
  const socket = new WebSocket(`ws://127.0.0.1:${stack.services.live?.port}/graphql`, 'graphql-transport-ws');
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  let open = true;
  const closed = new Promise<void>((done) =>
    socket.once('close', () => {
      open = false;
      done();
    }),
  );
  await new Promise((done, fail) => {
    socket.once('open', done);
    socket.once('error', fail);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise((r) => setTimeout(r, 2.5 * IDLE_MS));
  socket.send(JSON.stringify({ type: 'ping' }));
  await new Promise<void>((done) => {
    const check = () => (!open || messages.some((m) => m.includes('"pong"')) ? done() : setTimeout(check, 10));
    check();
  });
  expect(open).toBe(true);
  expect(messages.map((m) => JSON.parse(m).type)).toEqual(['connection_ack', 'pong']);
  socket.close();
  await closed;
});
