import { connect as connectHttp2 } from 'node:http2';
import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, grpc, rest, scenario } from 'mockstack';
import { rawClient } from './raw-client.js';

const root = resolve(import.meta.dirname, '../..');

const shop = scenario('limits', { seed: 1 }).services({
  orders: rest({ port: 0 }, [rest.get('/orders', [{ id: 'o1' }]), rest.post('/orders', { id: 'o2' }), rest.get('/late', { delay: '700ms' }, { late: true })]),
  catalog: graphql({ port: 0, schema: resolve(root, 'schemas/catalog.graphql') }, { Query: { product: { sku: 'SKU-1', name: 'Mug' } } }),
  payments: grpc(
    { port: 0, proto: resolve(root, 'protos/payments.proto') },
    {
      'checkout.payments.v1.PaymentService': { Authorize: { authorizationId: 'auth_1', status: 'AUTHORIZED' } },
    },
  ),
});

let stack: TestStack;
let ordersPort: number;
beforeAll(async () => {
  stack = await startStack(shop, {
    limits: { requestTimeoutMs: 400, headersTimeoutMs: 300, maxConnections: 3, grpcMaxConcurrentStreams: 7, grpcStreamIdleTimeoutMs: 300 },
  });
  ordersPort = stack.services.orders?.port ?? 0;
});
afterAll(() => stack.close());

/**
 * Waits for the next turn of the event loop. Node 20's HTTP/2 client sends a stream's RST_STREAM at once:
 * closing a stream in a continuation of its trailers, while nghttp2 still reads the frame that carried
 * them, makes nghttp2 read the stream it just freed (valgrind shows it; it corrupts the runner's heap).
 */
const afterThisRead = (): Promise<void> => new Promise((done) => setImmediate(done));

async function servesOrders(): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${ordersPort}/orders`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual([{ id: 'o1' }]);
}

test('a request body that never finishes is answered 408 and its connection closed; serving goes on', async () => {
  const client = rawClient(ordersPort);
  client.socket.write('POST /orders HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"id":');
  await client.closed;
  expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  // journaled as what was sent: the 408, once
  expect(stack.requests({ operation: 'POST /orders' })).toMatchObject([
    { status: 408, code: 'DEADLINE_EXCEEDED', rule: null, error: expect.stringMatching(/did not arrive in full within the request timeout/) },
  ]);
  await servesOrders();
});

test('GraphQL: a query body that never finishes is answered 408 and journaled 408; the next query is served', async () => {
  const client = rawClient(stack.services.catalog?.port ?? 0);
  client.socket.write('POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"query":');
  await client.closed;
  expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  expect(stack.requests({ service: 'catalog' })).toMatchObject([
    { status: 408, error: expect.stringMatching(/did not arrive in full within the request timeout/) },
  ]);
  const next = await fetch(stack.url('catalog'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ product(sku: "SKU-1") { name } }' }),
  });
  expect(await next.json()).toEqual({ data: { product: { name: 'Mug' } } });
});

test('headers that never end are cut by the headers timeout', async () => {
  const client = rawClient(ordersPort);
  client.socket.write('GET /orders HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ');
  await client.closed;
  expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  await servesOrders();
});

test('an answer the scenario delays past the request timeout still arrives', async () => {
  const response = await fetch(`http://127.0.0.1:${ordersPort}/late`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ late: true });
});

test('connections beyond max connections are refused while the others are served', async () => {
  const held = [rawClient(ordersPort), rawClient(ordersPort), rawClient(ordersPort)];
  await Promise.all(held.map((c) => new Promise((done) => c.socket.once('connect', done))));
  // Node's server sees them in order; give it the moment to count them.
  await new Promise((r) => setTimeout(r, 50));
  const extra = rawClient(ordersPort);
  extra.socket.write('GET /orders HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
  await extra.closed;
  expect(extra.received()).toBe('');
  held[0]?.socket.write('GET /orders HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
  await held[0]?.closed;
  expect(held[0]?.received()).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*\[\{"id":"o1"\}\]$/);
  for (const c of held) c.socket.destroy();
  await Promise.all(held.map((c) => c.closed));
  await servesOrders();
});

test('a gRPC call that sends headers and never ends is ended with DEADLINE_EXCEEDED; the server advertises its stream cap', async () => {
  const session = connectHttp2(`http://127.0.0.1:${stack.services.payments?.port}`);
  try {
    await new Promise<void>((done) => session.once('remoteSettings', () => done()));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(7);
    const call = session.request({
      ':method': 'POST',
      ':path': '/checkout.payments.v1.PaymentService/Authorize',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const trailers = await new Promise<Record<string, unknown>>((done) => {
      let headers: Record<string, unknown> = {};
      call.on('response', (h) => {
        headers = h;
      });
      call.on('trailers', (t) => done({ ...headers, ...t }));
      call.on('end', () => done(headers));
      call.resume();
    });
    expect(trailers['grpc-status']).toBe('4');
    expect(decodeURIComponent(String(trailers['grpc-message']))).toMatch(/nothing sent or received on this call for 300 ms/);
    await afterThisRead();
    call.close();
  } finally {
    session.close();
  }
  // and the service answers a whole call as before
  const definition = grpcJs.loadPackageDefinition(loadSync(resolve(root, 'protos/payments.proto')));
  const Payments = (definition.checkout as Record<string, Record<string, Record<string, unknown>>>).payments?.v1?.PaymentService as typeof grpcJs.Client;
  const client = new Payments(stack.url('payments'), grpcJs.credentials.createInsecure()) as grpcJs.Client & {
    Authorize(request: object, done: (error: grpcJs.ServiceError | null, reply?: object) => void): void;
  };
  try {
    const reply = await new Promise((done, fail) => client.Authorize({ orderId: 'o1' }, (error, value) => (error ? fail(error) : done(value))));
    expect(reply).toMatchObject({ authorizationId: 'auth_1' });
  } finally {
    client.close();
  }
});

test('gRPC calls left idle among calls that finish are each ended by the stream idle timeout', async () => {
  const session = connectHttp2(`http://127.0.0.1:${stack.services.payments?.port}`);
  const open = (): ReturnType<typeof session.request> =>
    session.request({ ':method': 'POST', ':path': '/checkout.payments.v1.PaymentService/Authorize', 'content-type': 'application/grpc', te: 'trailers' });
  /** The call's grpc-status once it ends. */
  const status = (call: ReturnType<typeof open>): Promise<string> =>
    new Promise((done) => {
      let headers: Record<string, unknown> = {};
      call.on('response', (h) => {
        headers = h;
      });
      call.on('trailers', (t) => done(String(t['grpc-status'])));
      call.on('end', () => done(String(headers['grpc-status'])));
      call.resume();
    });
  try {
    // Watched newest first: idle, whole, idle, whole, idle. The whole calls (an empty request, then the end
    // of the client's side) leave the watch from between idle ones; the idle ones are ended all the same.
    const calls = Array.from({ length: 5 }, (_, i) => {
      const call = open();
      if (i % 2 === 1) call.end(Buffer.alloc(5));
      return call;
    });
    expect(await Promise.all(calls.map(status))).toEqual(['4', '0', '4', '0', '4']);
    await afterThisRead();
    for (const call of calls) call.close();
  } finally {
    session.close();
  }
});
