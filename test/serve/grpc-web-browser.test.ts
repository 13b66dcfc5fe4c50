import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { compile, createStack, type Stack, scenarioDefinitionOf } from '@mockstack/core';
import { descriptorRegistry, grpcAdapter, loadProtos } from '@mockstack/grpc';
import { restAdapter } from '@mockstack/rest';
import { build } from 'esbuild';
import { scenario } from 'mockstack';
import { type Browser, chromium } from 'playwright-core';
import { orders } from '../../scenarios/checkout/orders.js';
import { payments } from '../../scenarios/checkout/payments.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';

// A page in real Chromium, on an origin of its own, calls the checkout's payments service through
// @connectrpc/connect-web (Connect JSON, Connect binary and gRPC-Web transports), bundled here with esbuild.
const root = resolve(import.meta.dirname, '../..');
const checkout = scenario<CheckoutState>('checkout-browser', { seed: 42, state: seedState }).services({
  orders: { ...orders, port: 0 },
  payments: { ...payments, port: 0, config: { ...payments.config, web: { port: 0 } } },
});

/** What the page runs: the app code a frontend would write against the mock. */
const APP = `
import { createClient, ConnectError } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

const { baseUrl, descriptors } = window.mock;
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, Uint8Array.from(atob(descriptors), (c) => c.charCodeAt(0))));
const PaymentService = registry.getService('checkout.payments.v1.PaymentService');
const json = createClient(PaymentService, createConnectTransport({ baseUrl }));
const binary = createClient(PaymentService, createConnectTransport({ baseUrl, useBinaryFormat: true }));
const grpcWeb = createClient(PaymentService, createGrpcWebTransport({ baseUrl }));
const eur = (units) => ({ currencyCode: 'EUR', units: BigInt(units), nanos: 0 });
const failure = (promise) => promise.then(() => 'no error', (e) => (e instanceof ConnectError ? e.code + ' ' + e.rawMessage : String(e)));

async function run() {
  const authorized = await json.authorize({ orderId: 'ord_1002', amount: eur(161), cardToken: 'tok_visa' });
  const captured = await binary.capture({ paymentId: authorized.paymentId });
  const watched = [];
  for await (const event of grpcWeb.watchPayment({ paymentId: authorized.paymentId })) watched.push(event.status);
  const refunded = await grpcWeb.refund({ paymentId: authorized.paymentId });
  return {
    authorized: authorized.paymentId + ' ' + authorized.status,
    captured: captured.status,
    watched,
    refunded: refunded.status,
    missing: await failure(grpcWeb.capture({ paymentId: 'pay_nope' })),
    declined: await failure(json.authorize({ orderId: 'ord_1002', amount: eur(1) })),
  };
}
run().then((result) => (window.result = result), (error) => (window.result = { error: String(error) }));
`;

let stack: Stack;
let page: Server;
let browser: Browser;
let pageUrl: string;

beforeAll(async () => {
  const def = scenarioDefinitionOf(checkout);
  if (!def) throw new Error('not a scenario');
  const model = await compile(def, { adapters: [restAdapter, grpcAdapter], file: resolve(root, 'scenarios/checkout.ts') });
  stack = createStack(model, { adapters: [restAdapter, grpcAdapter] });
  await stack.listen();
  const baseUrl = stack.address('payments').also?.[0]?.url;

  const registry = descriptorRegistry(loadProtos([resolve(root, 'protos/payments.proto')], [resolve(root, 'protos')]));
  const descriptors = Buffer.from(toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [...registry.files].map((f) => f.proto) })));
  const bundle = await build({
    stdin: { contents: APP, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const html = `<!doctype html><script>window.mock = ${JSON.stringify({ baseUrl, descriptors: descriptors.toString('base64') })};</script><script type="module" src="/app.js"></script>`;
  page = createServer((request, response) => {
    const [type, body] = request.url === '/app.js' ? ['text/javascript', script] : ['text/html', html];
    response.writeHead(200, { 'content-type': type });
    response.end(body);
  });
  await new Promise<void>((done) => page.listen(0, '127.0.0.1', done));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => page?.close(done));
  await stack?.close();
});

test('a connect-web app in Chromium calls the mock over Connect (JSON, binary) and gRPC-Web, with the scenario’s rules and state', async () => {
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  tab.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await tab.goto(pageUrl);
  await tab.waitForFunction(() => (globalThis as unknown as { result?: unknown }).result !== undefined);
  const result = await tab.evaluate(() => (globalThis as unknown as { result: unknown }).result);
  await tab.close();

  // Enums arrive as numbers: AUTHORIZED 1, CAPTURED 2, REFUNDED 4. Connect codes: not_found 5, failed_precondition 9.
  expect(result).toEqual({
    authorized: 'pay_1002 1',
    captured: 2,
    watched: [1, 2],
    refunded: 4,
    missing: '5 payment pay_nope does not exist',
    declined: '9 order ord_1002 is REFUNDED with payment REFUNDED',
  });
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  const order = (await (await fetch(`${stack.address('orders').url}/orders/ord_1002`)).json()) as { status: string };
  expect(order.status).toBe('REFUNDED');
  expect(stack.engine.journal.list().map((e) => `${e.protocol} ${e.operation.replace('checkout.payments.v1.PaymentService/', '')} ${e.status}`)).toEqual([
    'connect Authorize OK',
    'connect Capture OK',
    'grpc-web WatchPayment OK',
    'grpc-web Refund OK',
    'grpc-web Capture NOT_FOUND',
    'connect Authorize FAILED_PRECONDITION',
    'rest GET /orders/:id 200',
  ]);
});
