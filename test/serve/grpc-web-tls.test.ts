/**
 * The Connect / gRPC-Web `web` port of a gRPC service over TLS, with the same `tls` setting as the rest
 * (`startStack(…, { tls: true })` is what `mockstack up --tls` runs): the Connect Node clients trust the
 * generated CA and call over h2 and HTTP/1.1 (chosen by ALPN), with the connect, gRPC-Web and gRPC transports.
 * A client that does not trust the CA, or speaks plain HTTP to the port, fails its handshake; serving goes on.
 */
import { resolve } from 'node:path';
import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { descriptorRegistry, loadProtos } from '@mockstack/grpc';
import { startStack, type TestStack } from '@mockstack/testing';
import { grpc, scenario } from 'mockstack';

const fixtures = resolve(import.meta.dirname, '../../packages/grpc/fixtures');
const kitchenProto = resolve(fixtures, 'kitchen.proto');
const Kitchen = descriptorRegistry(loadProtos([kitchenProto], [fixtures])).getService('test.kitchen.v1.Kitchen') as DescService;

interface KitchenClient {
  placeOrder(request: object): Promise<{ ticketId: string; dish: string }>;
  track(request: object): AsyncIterable<{ stage: string }>;
  batch(requests: AsyncIterable<object>): Promise<{ orders: number; dishes: string[] }>;
  chat(lines: AsyncIterable<object>): AsyncIterable<{ text: string }>;
}

let stack: TestStack;
let webUrl: string;

beforeAll(async () => {
  stack = await startStack(
    scenario('web-tls', { seed: 5 }).services({
      kitchen: grpc({ proto: kitchenProto, web: true }, [
        grpc.method('test.kitchen.v1.Kitchen/PlaceOrder', ({ request }: { request: { dish: string } }) => ({ ticketId: 't-1', dish: request.dish })),
        grpc.method('test.kitchen.v1.Kitchen/Track', grpc.stream([{ stage: 'cooking' }, { stage: 'served' }], { interval: '5ms' })),
        grpc.method('test.kitchen.v1.Kitchen/Batch', ({ messages }) => ({
          orders: messages.length,
          dishes: (messages as { dish: string }[]).map((m) => m.dish),
        })),
        grpc.method('test.kitchen.v1.Kitchen/Chat', async function* ({ incoming }) {
          for await (const line of incoming as AsyncIterable<{ text: string }>) yield { text: `echo: ${line.text}` };
        }),
      ]),
    }),
    { tls: true },
  );
  webUrl = stack.services.kitchen?.also?.[0]?.url ?? '';
});

afterAll(() => stack.close());
beforeEach(() => stack.reset());

const client = (transport: Transport): KitchenClient => createClient(Kitchen, transport) as unknown as KitchenClient;
async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
const collect = async <T>(stream: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
};

test('the web port is https, listed with the CA clients trust', () => {
  expect(webUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(stack.services.kitchen?.also?.[0]?.ca).toBe(stack.services.kitchen?.ca);
  expect(stack.services.kitchen?.url).toMatch(/^grpcs:\/\//);
});

const transports: [string, string, () => Transport][] = [
  ['Connect over h2', 'connect', () => createConnectTransport({ baseUrl: webUrl, httpVersion: '2', nodeOptions: { ca: stack.ca } })],
  ['Connect over HTTP/1.1', 'connect', () => createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1', nodeOptions: { ca: stack.ca } })],
  ['gRPC-Web over h2', 'grpc-web', () => createGrpcWebTransport({ baseUrl: webUrl, httpVersion: '2', nodeOptions: { ca: stack.ca } })],
  ['gRPC-Web over HTTP/1.1', 'grpc-web', () => createGrpcWebTransport({ baseUrl: webUrl, httpVersion: '1.1', nodeOptions: { ca: stack.ca } })],
];

test.each(transports)('%s, trusting the CA: unary and a server stream', async (_name, protocol, transport) => {
  const kitchen = client(transport());
  expect(await kitchen.placeOrder({ dish: 'soup' })).toMatchObject({ ticketId: 't-1', dish: 'soup' });
  expect((await collect(kitchen.track({ ticketId: 't-1' }))).map((u) => u.stage)).toEqual(['cooking', 'served']);
  expect(stack.requests().map((e) => `${e.protocol} ${e.operation} ${e.status}`)).toEqual([
    `${protocol} test.kitchen.v1.Kitchen/PlaceOrder OK`,
    `${protocol} test.kitchen.v1.Kitchen/Track OK`,
  ]);
});

test('client streaming and bidi over h2 with TLS (Connect and gRPC transports)', async () => {
  for (const transport of [
    createConnectTransport({ baseUrl: webUrl, httpVersion: '2', nodeOptions: { ca: stack.ca } }),
    createGrpcTransport({ baseUrl: webUrl, nodeOptions: { ca: stack.ca } }),
  ]) {
    const kitchen = client(transport);
    expect(await kitchen.batch(from([{ dish: 'soup' }, { dish: 'bread' }]))).toMatchObject({ orders: 2, dishes: ['soup', 'bread'] });
    expect((await collect(kitchen.chat(from([{ text: 'hi' }, { text: 'bye' }])))).map((l) => l.text)).toEqual(['echo: hi', 'echo: bye']);
  }
  expect(stack.requests().map((e) => `${e.protocol} ${e.operation} ${e.status}`)).toEqual([
    'connect test.kitchen.v1.Kitchen/Batch OK',
    'connect test.kitchen.v1.Kitchen/Chat OK',
    'grpc test.kitchen.v1.Kitchen/Batch OK',
    'grpc test.kitchen.v1.Kitchen/Chat OK',
  ]);
});

test('a client that does not trust the CA, or speaks plain HTTP, fails; trusted clients still call', async () => {
  const untrusting = client(createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1' }));
  await expect(untrusting.placeOrder({ dish: 'soup' })).rejects.toThrow(/certificate/);
  const untrustingH2 = client(createConnectTransport({ baseUrl: webUrl, httpVersion: '2' }));
  await expect(untrustingH2.placeOrder({ dish: 'soup' })).rejects.toThrow(/certificate/);
  const plain = client(createConnectTransport({ baseUrl: webUrl.replace('https:', 'http:'), httpVersion: '1.1' }));
  await expect(plain.placeOrder({ dish: 'soup' })).rejects.toThrow();
  expect(stack.requests()).toEqual([]);
  const trusted = client(createConnectTransport({ baseUrl: webUrl, httpVersion: '1.1', nodeOptions: { ca: stack.ca } }));
  expect(await trusted.placeOrder({ dish: 'tea' })).toMatchObject({ dish: 'tea' });
});
