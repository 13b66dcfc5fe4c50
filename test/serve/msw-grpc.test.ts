// mockstack/msw in Node: a scenario's gRPC services answer Connect and gRPC-Web clients that call with fetch
// (the Connect project's web transports, as a frontend's tests run them), through msw's interceptors, with
// the same rules, state, variants, faults and journal as REST and GraphQL; and a method's HTTP binding.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { DescService, Registry } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { descriptorRegistry, loadProtos } from '@mockstack/grpc';
import { fault, grpc, scenario } from 'mockstack';
import { handlersFor } from 'mockstack/msw';
import { setupServer } from 'msw/node';
import protobuf from 'protobufjs';
import { orders } from '../../scenarios/checkout/orders.js';
import { payments } from '../../scenarios/checkout/payments.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';

const root = resolve(import.meta.dirname, '../..');
const googleapis = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
const libraryProto = resolve(googleapis, 'google/example/library/v1/library.proto');

const checkout = scenario<CheckoutState>('checkout-msw-grpc', { seed: 42, state: seedState })
  .services({
    orders,
    payments: { ...payments, config: { ...payments.config, web: { port: 8085 } } },
    // Google's library example: its methods' HTTP bindings (google.api.http) too; intercepted at the orders' origin below.
    library: grpc({ port: 50071, proto: libraryProto, includeDirs: [googleapis] }, [
      grpc.method('google.example.library.v1.LibraryService/GetBook', ({ request }) => ({ name: (request as { name: string }).name, title: 'Moby Dick' })),
    ]),
  })
  .variants({ 'payments-down': { payments: fault.grpc('UNAVAILABLE', 'payments is down', { retryAfter: 30 }) } });

const mocks = handlersFor(checkout, { root, baseUrls: { library: 'http://localhost:8081' } });
const server = setupServer(...mocks);
const paymentsUrl = 'http://localhost:8085';

const registry: Registry = descriptorRegistry(loadProtos([resolve(root, 'protos/payments.proto')], [resolve(root, 'protos')]));
const PaymentService = registry.getService('checkout.payments.v1.PaymentService') as DescService;
const AUTHORIZED = 1;
const CAPTURED = 2;
const REFUNDED = 4;
type Message = Record<string, unknown>;
interface PaymentsClient {
  authorize(request: object, options?: { onTrailer?: (trailers: Headers) => void }): Promise<Message>;
  capture(request: object): Promise<Message>;
  refund(request: object): Promise<Message>;
  watchPayment(request: object): AsyncIterable<Message>;
}
const eur = (units: number) => ({ currencyCode: 'EUR', units: BigInt(units), nanos: 0 });

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  await mocks.ready;
});
beforeEach(() => {
  mocks.reset();
  mocks.variant();
});
afterAll(() => server.close());

test('a gRPC service is intercepted at its web port', () => {
  expect(mocks.url('payments')).toBe(paymentsUrl);
  expect(mocks.url('library')).toBe('http://localhost:8081');
});

const transports: [string, string, () => Transport][] = [
  ['Connect JSON', 'connect', () => createConnectTransport({ baseUrl: paymentsUrl })],
  ['Connect binary', 'connect', () => createConnectTransport({ baseUrl: paymentsUrl, useBinaryFormat: true })],
  ['gRPC-Web binary', 'grpc-web', () => createGrpcWebTransport({ baseUrl: paymentsUrl, useBinaryFormat: true })],
  ['gRPC-Web JSON', 'grpc-web', () => createGrpcWebTransport({ baseUrl: paymentsUrl })],
];

describe.each(transports)('%s through msw', (_name, protocol, transport) => {
  let client: PaymentsClient;
  beforeEach(() => {
    client = createClient(PaymentService, transport()) as unknown as PaymentsClient;
  });

  test('rules answer with state shared with REST, trailers and a server stream; the journal has every call', async () => {
    const trailers = new Headers();
    const authorized = await client.authorize(
      { orderId: 'ord_1002', amount: eur(161), cardToken: 'tok_visa', idempotencyKey: 'idem-1' },
      {
        onTrailer: (t) => {
          for (const [key, value] of t) trailers.set(key, value);
        },
      },
    );
    expect(authorized).toMatchObject({ paymentId: 'pay_1002', status: AUTHORIZED });
    expect(trailers.get('x-idempotency-key')).toBe('idem-1');
    expect(await (await fetch('http://localhost:8081/orders/ord_1002')).json()).toMatchObject({ paymentStatus: 'AUTHORIZED' });

    expect(await client.capture({ paymentId: 'pay_1002' })).toMatchObject({ status: CAPTURED, amount: { units: 161n } });
    const events: unknown[] = [];
    for await (const event of client.watchPayment({ paymentId: 'pay_1002' })) events.push(event.status);
    expect(events).toEqual([AUTHORIZED, CAPTURED]);

    expect(mocks.requests().map((e) => `${e.protocol} ${e.operation} ${e.status}`)).toEqual([
      `${protocol} checkout.payments.v1.PaymentService/Authorize OK`,
      'rest GET /orders/:id 200',
      `${protocol} checkout.payments.v1.PaymentService/Capture OK`,
      `${protocol} checkout.payments.v1.PaymentService/WatchPayment OK`,
    ]);
    expect(mocks.verify('checkout.payments.v1.PaymentService/Authorize', { times: 1 })).toMatchObject({ pass: true, count: 1 });
  });

  test('faults are Connect errors with the gRPC code and message; a variant switched at run time applies', async () => {
    const missing = (await client.authorize({ orderId: 'ord_nope', amount: eur(1) }).catch((e: unknown) => e)) as ConnectError;
    expect(missing).toBeInstanceOf(ConnectError);
    expect(missing.code).toBe(Code.NotFound);
    mocks.variant('payments-down');
    const down = (await client.capture({ paymentId: 'pay_1001' }).catch((e: unknown) => e)) as ConnectError;
    expect(down.code).toBe(Code.Unavailable);
    expect(down.rawMessage).toBe('payments is down');
    mocks.variant();
    expect(await client.refund({ paymentId: 'pay_1001' })).toMatchObject({ status: REFUNDED });
  });
});

describe('bad input gets the protocol’s own error, and the next call is answered', () => {
  const stillServing = async (): Promise<void> => {
    const client = createClient(PaymentService, createConnectTransport({ baseUrl: paymentsUrl })) as unknown as PaymentsClient;
    expect(await client.refund({ paymentId: 'pay_1001' })).toMatchObject({ paymentId: 'pay_1001', status: REFUNDED });
  };
  const capture = (contentType: string, body: string | Uint8Array, path = '/checkout.payments.v1.PaymentService/Capture') =>
    fetch(`${paymentsUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  test('an unknown method: 404 naming the methods served, which clients read as unimplemented', async () => {
    const response = await capture('application/json', '{}', '/checkout.payments.v1.PaymentService/Teleport');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: 'unimplemented',
      message: expect.stringMatching(/no method \/checkout\.payments\.v1\.PaymentService\/Teleport .*serves .*PaymentService\/Capture/),
    });
    await stillServing();
  });

  test('a malformed message, JSON or binary: invalid_argument, journaled as refused', async () => {
    for (const body of ['{"paymentId": ', '{"paymentId": 5}', new Uint8Array([0x0a, 0x09, 0x70])]) {
      const response = await capture(typeof body === 'string' ? 'application/json' : 'application/proto', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/decode|parse/) });
    }
    // A gRPC-Web envelope cut in its header: a gRPC status, not a crash.
    const cut = await capture('application/grpc-web+proto', new Uint8Array([0, 0, 0]));
    const text = Buffer.from(await cut.arrayBuffer()).toString('latin1');
    expect(Number(cut.headers.get('grpc-status') ?? /grpc-status:\s*(\d+)/.exec(text)?.[1])).toBe(Code.InvalidArgument);
    expect(
      mocks
        .requests({ service: 'payments' })
        .filter((e) => e.error?.startsWith('refused before any rule ran'))
        .map((e) => `${e.protocol} ${e.status}`),
    ).toEqual(['connect INVALID_ARGUMENT', 'connect INVALID_ARGUMENT', 'connect INVALID_ARGUMENT', 'grpc-web INVALID_ARGUMENT']);
    await stillServing();
  });
});

describe('a gRPC service sharing a base URL with a REST service', () => {
  test('its HTTP bindings and methods are its own; every other path is the REST service’s', async () => {
    const book = await fetch('http://localhost:8081/v1/shelves/fiction/books/moby');
    expect(book.status).toBe(200);
    expect(await book.json()).toEqual({ name: 'shelves/fiction/books/moby', title: 'Moby Dick' });
    const overConnect = await fetch('http://localhost:8081/google.example.library.v1.LibraryService/GetBook', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'shelves/a/books/b' }),
    });
    expect(await overConnect.json()).toEqual({ name: 'shelves/a/books/b', title: 'Moby Dick' });
    // A body the binding cannot read: Google's error form, and the REST service goes on answering its own paths.
    const bad = await fetch('http://localhost:8081/v1/shelves', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    const order = await fetch('http://localhost:8081/orders/ord_1001');
    expect(order.status).toBe(200);
    expect(await order.json()).toMatchObject({ id: 'ord_1001' });
    expect(mocks.requests().map((e) => `${e.service} ${e.protocol} ${e.operation}`)).toEqual([
      'library connect google.example.library.v1.LibraryService/GetBook',
      'library connect google.example.library.v1.LibraryService/GetBook',
      'orders rest GET /orders/:id',
    ]);
  });
});

test('gRPC-Web’s text format (base64 frames, the official grpc-web client’s default) through msw: a rule answers', async () => {
  const types = new protobuf.Root();
  types.resolvePath = (_origin, target) => resolve(googleapis, target);
  types.loadSync(libraryProto);
  const GetBookRequest = types.lookupType('google.example.library.v1.GetBookRequest');
  const Book = types.lookupType('google.example.library.v1.Book');
  const message = GetBookRequest.encode({ name: 'shelves/s/books/b' }).finish();
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
  const response = await fetch('http://localhost:8081/google.example.library.v1.LibraryService/GetBook', {
    method: 'POST',
    headers: { 'content-type': 'application/grpc-web-text', accept: 'application/grpc-web-text', 'x-grpc-web': '1' },
    body: frame.toString('base64'),
  });
  expect(response.headers.get('content-type')).toBe('application/grpc-web-text+proto');
  // Each frame is base64 of its own (padded), as grpc-web-text streams them.
  const bytes = Buffer.concat(((await response.text()).match(/[^=]+=*/g) ?? []).map((chunk) => Buffer.from(chunk, 'base64')));
  const length = bytes.readUInt32BE(1);
  expect(Book.toObject(Book.decode(bytes.subarray(5, 5 + length)))).toEqual({ name: 'shelves/s/books/b', title: 'Moby Dick' });
  expect(bytes.subarray(5 + length).toString('latin1')).toContain('grpc-status: 0');
  expect(mocks.requests().map((e) => `${e.protocol} ${e.operation} ${e.status}`)).toEqual(['grpc-web google.example.library.v1.LibraryService/GetBook OK']);
});
