import { connect } from 'node:net';
import { resolve } from 'node:path';
import { create, type DescService, type Registry } from '@bufbuild/protobuf';
import { WireType } from '@bufbuild/protobuf/wire';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import type { ServiceAddress, Stack } from '@mockstack/core';
import { descriptorRegistry, grpcAdapter, loadProtos } from '@mockstack/grpc';
import { restAdapter } from '@mockstack/rest';
import { startStack } from '@mockstack/testing';
import { fault, grpc, scenario } from 'mockstack';
import { orders } from '../../scenarios/checkout/orders.js';
import { payments } from '../../scenarios/checkout/payments.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';
import { stackOf, tcpServerGuard } from '../helpers/grpc-stack.js';

// The checkout example's orders (REST) and payments (gRPC, with its Connect / gRPC-Web port) on free
// ports, called by the Connect project's own Node clients.
const root = resolve(import.meta.dirname, '../..');
const kitchenProto = resolve(root, 'packages/grpc/fixtures/kitchen.proto');
const checkout = scenario<CheckoutState>('checkout-web', { seed: 42, state: seedState })
  .services({
    orders: { ...orders, port: 0 },
    payments: { ...payments, port: 0, config: { ...payments.config, web: { port: 0 } } },
    kitchen: grpc({ port: 0, proto: kitchenProto, web: true }, [
      grpc.method('test.kitchen.v1.Kitchen/Batch', ({ messages }) => ({
        orders: messages.length,
        items: (messages as { quantity: number }[]).reduce((n, m) => n + m.quantity, 0),
        dishes: (messages as { dish: string }[]).map((m) => m.dish),
      })),
      grpc.method('test.kitchen.v1.Kitchen/Chat', async function* ({ incoming }) {
        for await (const line of incoming as AsyncIterable<{ text: string }>) yield { text: `echo: ${line.text}` };
      }),
    ]),
  })
  .variants({
    'payments-down': { payments: fault.grpc('UNAVAILABLE', 'payments is down', { retryAfter: 30 }) },
    'payments-slow': { payments: { delay: '3s' } },
  });

/** The protos' descriptors as a registry the clients call with (the ones reflection serves). */
const registryOf = (file: string, includeDirs: string[]): Registry => descriptorRegistry(loadProtos([file], includeDirs));

const paymentsRegistry = registryOf(resolve(root, 'protos/payments.proto'), [resolve(root, 'protos')]);
const PaymentService = paymentsRegistry.getService('checkout.payments.v1.PaymentService') as DescService;
const kitchenRegistry = registryOf(kitchenProto, [resolve(root, 'packages/grpc/fixtures')]);
const Kitchen = kitchenRegistry.getService('test.kitchen.v1.Kitchen') as DescService;

type Message = Record<string, unknown>;
type Unary = (request: object, options?: { onTrailer?: (trailers: Headers) => void; timeoutMs?: number }) => Promise<Message>;
/** The payments client as createClient makes it from the descriptor (methods in lowerCamelCase). */
interface PaymentsClient {
  authorize: Unary;
  capture: Unary;
  refund: Unary;
  watchPayment(request: object): AsyncIterable<Message>;
}
/**
 * A Capture request that no server can decode: its unknown field, written as it is, makes field 1 a string
 * that announces 9 bytes and carries 1 (0a 09 70).
 */
const undecodable = (): Message => {
  const input = PaymentService.method.capture?.input;
  if (!input) throw new Error('protos/payments.proto has no PaymentService.Capture');
  const request = create(input, {});
  request.$unknown = [{ no: 1, wireType: WireType.LengthDelimited, data: new Uint8Array([0x09, 0x70]) }];
  return request as unknown as Message;
};
/** checkout.payments.v1.PaymentStatus: Connect clients read enums as numbers. */
const AUTHORIZED = 1;
const CAPTURED = 2;
const REFUNDED = 4;

let stack: Stack;
let ordersUrl: string;
let webUrl: string;
let kitchenUrl: string;
let noServerLeft: () => Promise<void>;
const webOf = (address: ServiceAddress): string => address.also?.[0]?.url ?? '';

beforeAll(async () => {
  noServerLeft = tcpServerGuard();
  stack = await stackOf(checkout, [restAdapter, grpcAdapter], resolve(root, 'scenarios/checkout.ts'));
  await stack.listen();
  ordersUrl = stack.address('orders').url;
  webUrl = webOf(stack.address('payments'));
  kitchenUrl = webOf(stack.address('kitchen'));
});

afterAll(async () => {
  await stack.close();
  await noServerLeft();
});

beforeEach(() => {
  stack.engine.reset();
  stack.engine.setVariants([]);
});

const transports: [string, string, () => Transport][] = [
  ['Connect JSON', 'connect', () => createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1' })],
  ['Connect binary', 'connect', () => createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1', useBinaryFormat: true })],
  ['gRPC-Web binary', 'grpc-web', () => createGrpcWebTransport({ baseUrl: webUrl, httpVersion: '1.1', useBinaryFormat: true })],
  ['gRPC-Web JSON', 'grpc-web', () => createGrpcWebTransport({ baseUrl: webUrl, httpVersion: '1.1' })],
];

const eur = (units: number, cents = 0) => ({ currencyCode: 'EUR', units: BigInt(units), nanos: cents * 1e7 });
const order = async (id: string): Promise<Record<string, unknown>> => (await fetch(`${ordersUrl}/orders/${id}`)).json() as Promise<Record<string, unknown>>;

describe.each(transports)('%s', (_name, protocol, transport) => {
  let client: PaymentsClient;
  beforeEach(() => {
    client = createClient(PaymentService, transport()) as unknown as PaymentsClient;
  });

  test('the scenario rules answer, with state shared with REST, trailers and a server stream', async () => {
    const trailers = new Headers();
    const authorized = await client.authorize(
      { orderId: 'ord_1002', amount: eur(161), cardToken: 'tok_visa', idempotencyKey: 'idem-1' },
      {
        onTrailer: (t) => {
          for (const [k, v] of t) trailers.set(k, v);
        },
      },
    );
    expect(authorized).toMatchObject({ paymentId: 'pay_1002', status: AUTHORIZED });
    expect(trailers.get('x-idempotency-key')).toBe('idem-1');
    expect(await order('ord_1002')).toMatchObject({ paymentStatus: 'AUTHORIZED' });

    const captured = await client.capture({ paymentId: 'pay_1002' });
    expect(captured).toMatchObject({ paymentId: 'pay_1002', orderId: 'ord_1002', status: CAPTURED, amount: { currencyCode: 'EUR', units: 161n } });
    expect(await order('ord_1002')).toMatchObject({ status: 'PAID' });

    const events: unknown[] = [];
    for await (const event of client.watchPayment({ paymentId: 'pay_1002' })) events.push(event.status);
    expect(events).toEqual([AUTHORIZED, CAPTURED]);

    const journal = stack.engine.journal.list();
    expect(journal.map((e) => `${e.protocol} ${e.operation} ${e.status}`)).toEqual([
      `${protocol} checkout.payments.v1.PaymentService/Authorize OK`,
      'rest GET /orders/:id 200',
      `${protocol} checkout.payments.v1.PaymentService/Capture OK`,
      'rest GET /orders/:id 200',
      `${protocol} checkout.payments.v1.PaymentService/WatchPayment OK`,
    ]);
    expect(journal[0]?.request.body).toMatchObject({ orderId: 'ord_1002', amount: { units: '161' }, idempotencyKey: 'idem-1' });
  });

  test('faults are Connect errors with the gRPC code, message and details; a variant applies', async () => {
    const wrong = await client.authorize({ orderId: 'ord_1002', amount: eur(1) }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ConnectError);
    const error = wrong as ConnectError;
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/amount must be 161 EUR/);
    const BadRequest = paymentsRegistry.getMessage('google.rpc.BadRequest');
    if (!BadRequest) throw new Error('google.rpc.BadRequest is not in the loaded protos');
    expect(error.findDetails(BadRequest)).toMatchObject([{ fieldViolations: [{ field: 'amount' }] }]);

    const missing = (await client.authorize({ orderId: 'ord_nope', amount: eur(1) }).catch((e: unknown) => e)) as ConnectError;
    expect(missing.code).toBe(Code.NotFound);

    stack.engine.setVariants(['payments-down']);
    const down = (await client.capture({ paymentId: 'pay_1001' }).catch((e: unknown) => e)) as ConnectError;
    expect(down.code).toBe(Code.Unavailable);
    expect(down.rawMessage).toBe('payments is down');
    stack.engine.setVariants([]);
    expect(await client.refund({ paymentId: 'pay_1001' })).toMatchObject({ status: REFUNDED });
    expect(stack.engine.journal.list().map((e) => `${e.protocol} ${e.status}`)).toEqual([
      `${protocol} INVALID_ARGUMENT`,
      `${protocol} NOT_FOUND`,
      `${protocol} UNAVAILABLE`,
      `${protocol} OK`,
    ]);
  });
});

test('over HTTP/2 (h2c) on the same port: client streaming and bidi, and native gRPC framing through Connect', async () => {
  const transport = createConnectTransport({ baseUrl: kitchenUrl, httpVersion: '2' });
  const kitchen = createClient(Kitchen, transport) as unknown as Record<string, (input: unknown) => unknown>;
  async function* lines() {
    yield { text: 'hello' };
    yield { text: 'world' };
  }
  async function* orders() {
    yield { dish: 'soup', quantity: 2 };
    yield { dish: 'bread', quantity: 1 };
  }
  expect(await (kitchen.batch as (i: unknown) => Promise<unknown>)(orders())).toMatchObject({ orders: 2, items: 3, dishes: ['soup', 'bread'] });
  const echoes: unknown[] = [];
  for await (const line of (kitchen.chat as (i: unknown) => AsyncIterable<{ text: string }>)(lines())) echoes.push(line.text);
  expect(echoes).toEqual(['echo: hello', 'echo: world']);
  // A method without rules answers its auto-mock, as over gRPC; the gRPC protocol is served here too.
  const overGrpc = createClient(Kitchen, createGrpcTransport({ baseUrl: kitchenUrl })) as unknown as Record<
    string,
    (i: unknown) => Promise<{ ticketId: string }>
  >;
  const ticket = await (overGrpc.placeOrder as (i: unknown) => Promise<{ ticketId: string; dish: string }>)({ dish: 'soup', quantity: 1 });
  expect(ticket.ticketId).toMatch(/\S/);
  expect(stack.engine.journal.list().map((e) => `${e.protocol} ${e.operation} ${e.status} ${e.rule}`)).toEqual([
    'connect test.kitchen.v1.Kitchen/Batch OK kitchen#1',
    'connect test.kitchen.v1.Kitchen/Chat OK kitchen#2',
    'grpc test.kitchen.v1.Kitchen/PlaceOrder OK contract:test.kitchen.v1.Kitchen/PlaceOrder',
  ]);
  // Stream messages are journaled with their timing, as over native gRPC.
  const [batch, chat] = stack.engine.journal.list();
  expect(batch?.response?.messages?.map((m) => [m.direction, (m.message as { dish: string }).dish])).toEqual([
    ['in', 'soup'],
    ['in', 'bread'],
  ]);
  expect(chat?.response?.messages?.map((m) => `${m.direction} ${(m.message as { text: string }).text}`)).toEqual(
    expect.arrayContaining(['in hello', 'in world', 'out echo: hello', 'out echo: world']),
  );
});

describe('bad input gets the protocol’s own error, and serving continues', () => {
  const capture = (contentType: string, body: string | Uint8Array, path = '/checkout.payments.v1.PaymentService/Capture') =>
    fetch(`${webUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  /** Refused calls are journaled with what was sent (before the good call that follows). */
  const refused = () =>
    stack.engine.journal
      .list({ service: 'payments' })
      .filter((e) => e.error?.startsWith('refused before any rule ran'))
      .map((e) => `${e.protocol} ${e.operation} ${e.status}`);
  const stillServing = async (): Promise<void> => {
    const client = createClient(PaymentService, createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1' })) as unknown as PaymentsClient;
    expect(await client.refund({ paymentId: 'pay_1001' })).toMatchObject({ paymentId: 'pay_1001', status: REFUNDED });
  };

  test('a Connect request with a codec nobody serves: 415', async () => {
    const response = await capture('application/xml', '<capture/>');
    expect(response.status).toBe(415);
    expect(refused()).toEqual(['connect checkout.payments.v1.PaymentService/Capture 415']);
    await stillServing();
  });

  test('an unknown method: 404, which Connect and gRPC-Web clients read as unimplemented', async () => {
    const response = await capture('application/json', '{}', '/checkout.payments.v1.PaymentService/Teleport');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: 'unimplemented',
      message: expect.stringMatching(/no method \/checkout\.payments\.v1\.PaymentService\/Teleport .*serves .*PaymentService\/Capture/),
    });
    // The kitchen's methods asked of the payments port.
    for (const transport of [createConnectTransport, createGrpcWebTransport]) {
      const wrongPort = createClient(Kitchen, transport({ baseUrl: webUrl, httpVersion: '1.1' })) as unknown as Record<string, Unary>;
      const error = (await (wrongPort.placeOrder as Unary)({ dish: 'soup' }).catch((e: unknown) => e)) as ConnectError;
      expect(error.code).toBe(Code.Unimplemented);
    }
    await stillServing();
  });

  test('a malformed Connect body: invalid_argument, JSON or binary, as native gRPC answers', async () => {
    for (const body of ['{"paymentId": ', '{"paymentId": 5}', new Uint8Array([0x0a, 0x09, 0x70])]) {
      const response = await capture(typeof body === 'string' ? 'application/json' : 'application/proto', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/decode|parse/) });
    }
    expect(refused()).toEqual(Array.from({ length: 3 }, () => 'connect checkout.payments.v1.PaymentService/Capture INVALID_ARGUMENT'));
    await stillServing();
  });

  test('a malformed binary message in a well-framed gRPC-Web or Connect stream envelope: invalid_argument', async () => {
    // A string field that announces 9 bytes and carries 1, in an envelope that is whole.
    const envelope = new Uint8Array([0, 0, 0, 0, 3, 0x0a, 0x09, 0x70]);
    const response = await capture('application/grpc-web+proto', envelope);
    const text = Buffer.from(await response.arrayBuffer()).toString('latin1');
    expect(Number(response.headers.get('grpc-status') ?? /grpc-status:\s*(\d+)/.exec(text)?.[1])).toBe(Code.InvalidArgument);
    const streamed = await capture('application/connect+proto', envelope, '/checkout.payments.v1.PaymentService/Capture');
    expect(streamed.status).toBe(415);
    expect(refused()).toEqual([
      'grpc-web checkout.payments.v1.PaymentService/Capture INVALID_ARGUMENT',
      'connect checkout.payments.v1.PaymentService/Capture 415',
    ]);
    await stillServing();
  });

  test.each([
    ['Connect', () => createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1', useBinaryFormat: true })],
    ['gRPC-Web', () => createGrpcWebTransport({ baseUrl: webUrl, httpVersion: '1.1' })],
    ['gRPC through Connect (h2c)', () => createGrpcTransport({ baseUrl: webUrl })],
  ])('a %s client whose binary message does not decode gets invalid_argument, as from native gRPC', async (_wire, transport) => {
    const client = createClient(PaymentService, transport()) as unknown as PaymentsClient;
    const error = (await client.capture(undecodable()).catch((e: unknown) => e)) as ConnectError;
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/^parse binary/);
    await stillServing();
  });

  test('a gRPC-Web request with bad framing: a gRPC status, not a crash', async () => {
    // An envelope that announces 9 bytes and carries 1, then one that is cut in its header.
    for (const body of [new Uint8Array([0, 0, 0, 0, 9, 0x0a]), new Uint8Array([0, 0, 0])]) {
      const response = await capture('application/grpc-web+proto', body);
      expect(response.status).toBe(200);
      const status = response.headers.get('grpc-status') ?? /grpc-status:\s*(\d+)/.exec(Buffer.from(await response.arrayBuffer()).toString('latin1'))?.[1];
      expect(Number(status)).toBe(Code.InvalidArgument);
    }
    expect(refused()).toEqual([
      'grpc-web checkout.payments.v1.PaymentService/Capture INVALID_ARGUMENT',
      'grpc-web checkout.payments.v1.PaymentService/Capture INVALID_ARGUMENT',
    ]);
    await stillServing();
  });
});

test('CORS: pages on this machine may call the web port; other origins get no CORS headers', async () => {
  const preflight = (origin: string) =>
    fetch(`${webUrl}/checkout.payments.v1.PaymentService/Capture`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,connect-protocol-version' },
    });
  const local = await preflight('http://localhost:5173');
  expect(local.status).toBe(204);
  expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  expect(local.headers.get('access-control-allow-headers')).toMatch(/connect-protocol-version/);
  const foreign = await preflight('https://evil.example');
  expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

  const call = await fetch(`${webUrl}/checkout.payments.v1.PaymentService/Refund`, {
    method: 'POST',
    headers: { origin: 'http://127.0.0.1:3000', 'content-type': 'application/json' },
    body: JSON.stringify({ paymentId: 'pay_1001' }),
  });
  expect(call.status).toBe(200);
  expect(call.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
  expect(call.headers.get('access-control-expose-headers')).toMatch(/grpc-status/i);
});

test('a web port in use: one clear error naming it; the running stack keeps serving', async () => {
  const taken = Number(new URL(webUrl).port);
  const second = await stackOf(
    scenario<CheckoutState>('second', { seed: 1, state: seedState }).services({
      payments: { ...payments, port: 0, config: { ...payments.config, web: { port: taken } } },
    }),
    [grpcAdapter],
    resolve(root, 'scenarios/checkout.ts'),
  );
  await expect(second.listen()).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_PORT_IN_USE',
    message: expect.stringContaining(`cannot listen on its web port 127.0.0.1:${taken}: the port is in use`),
  });
  const client = createClient(PaymentService, createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1' })) as unknown as PaymentsClient;
  expect(await client.refund({ paymentId: 'pay_1001' })).toMatchObject({ status: REFUNDED });
});

test('a Connect deadline that passes during a delay: deadline_exceeded, journaled so', async () => {
  stack.engine.setVariants(['payments-slow']);
  const client = createClient(PaymentService, createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1' })) as unknown as PaymentsClient;
  const error = (await client.capture({ paymentId: 'pay_1001' }, { timeoutMs: 200 }).catch((e: unknown) => e)) as ConnectError;
  expect(error.code).toBe(Code.DeadlineExceeded);
  // A caller that waits for the server's answer (no timer of its own) gets the server's deadline_exceeded.
  const response = await fetch(`${webUrl}/checkout.payments.v1.PaymentService/Refund`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'connect-timeout-ms': '200' },
    body: JSON.stringify({ paymentId: 'pay_1001' }),
  });
  expect(await response.json()).toMatchObject({ code: 'deadline_exceeded' });
  expect(stack.engine.journal.list({ operation: 'checkout.payments.v1.PaymentService/Refund' }).map((e) => `${e.protocol} ${e.status}`)).toEqual([
    'connect DEADLINE_EXCEEDED',
  ]);
});

test('HTTP/1.1 and h2c are told apart even when the first bytes come one at a time', async () => {
  const { port } = new URL(webUrl);
  const request =
    'POST /checkout.payments.v1.PaymentService/Refund HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 24\r\nconnection: close\r\n\r\n{"paymentId":"pay_1001"}';
  const socket = connect(Number(port), '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((done) => socket.once('connect', done));
  const answer = new Promise<string>((done) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.once('close', () => done(text));
  });
  // 'P' and 'PO' could still be the h2 preface ("PRI * HTTP/2.0…"): the port waits for the byte that decides.
  for (const part of [request.slice(0, 1), request.slice(1, 2), request.slice(2)]) {
    await new Promise<void>((done) => socket.write(part, () => done()));
    await new Promise((done) => setImmediate(done));
  }
  expect(await answer).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*"status":"REFUNDED"/);
});

test('startStack serves the web port through the runner’s adapters and lists it beside the gRPC address', async () => {
  const running = await startStack(
    scenario('web-only', { seed: 3 }).services({
      kitchen: grpc({ proto: kitchenProto, web: { cors: false } }, { 'test.kitchen.v1.Kitchen': { PlaceOrder: { ticketId: 't-1', dish: 'soup' } } }),
    }),
  );
  try {
    const web = running.services.kitchen?.also?.[0];
    expect(web).toMatchObject({ name: 'kitchen', protocol: 'connect', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const kitchen = createClient(Kitchen, createGrpcWebTransport({ baseUrl: web?.url ?? '', httpVersion: '1.1' })) as unknown as Record<string, Unary>;
    expect(await (kitchen.placeOrder as Unary)({ dish: 'soup' })).toMatchObject({ ticketId: 't-1', dish: 'soup' });
  } finally {
    await running.close();
  }
});
