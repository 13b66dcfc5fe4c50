// mockstack/msw in the browser: the shop scenario, bundled by esbuild for the browser (no node
// builtins, no polyfills; its OpenAPI document and SDL inlined as text), runs in real Chromium
// behind msw's service worker, which answers the page's fetches to the scenario's services.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { ShopPage } from '../fixtures/msw/browser-entry.js';

const entry = new URL('../fixtures/msw/browser-entry.ts', import.meta.url).pathname;

/** The page's script: the scenario, mockstack/msw and msw/browser in one ES module for the browser. */
async function bundle(): Promise<{ script: string; inputs: string[] }> {
  // esbuild fails on any node builtin for `platform: 'browser'`: nothing is polyfilled or left out.
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Bundled from the sources (the packages' `@mockstack/source` condition), as tests run.
    conditions: ['@mockstack/source'],
    // The contracts are part of the bundle: the scenario's files, inlined as text.
    loader: { '.yaml': 'text', '.graphql': 'text' },
    // The precompiled OpenAPI spec validators exist in the build output only; from sources the
    // schema is compiled on first use (see packages/openapi/src/spec-check.ts).
    external: ['./spec-validators/*'],
    logLevel: 'silent',
    metafile: true,
  });
  return { script: result.outputFiles[0]?.text ?? '', inputs: Object.keys(result.metafile.inputs) };
}

describe('mockstack/msw in the browser', () => {
  let script: string;
  let inputs: string[];
  let server: Server;
  let browser: Browser;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    ({ script, inputs } = await bundle());
    const worker = readFileSync(new URL('../../node_modules/msw/lib/mockServiceWorker.js', import.meta.url), 'utf8');
    const files: Record<string, [string, string]> = {
      '/': ['text/html; charset=utf-8', '<!doctype html><title>shop</title><script type="module" src="/app.js"></script>'],
      '/app.js': ['text/javascript; charset=utf-8', script],
      '/mockServiceWorker.js': ['text/javascript; charset=utf-8', worker],
    };
    server = createServer((request, response) => {
      const file = files[new URL(request.url ?? '/', 'http://page.test').pathname];
      response.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain' }).end(file?.[1] ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
    page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.evaluate(() => (globalThis as unknown as { mockstack: ShopPage }).mockstack.started);
    // Bundling from sources and starting Chromium take seconds on a busy machine.
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('the browser bundle holds the engine and the contract loaders, with the browser side of each platform seam', () => {
    const ours = inputs.filter((input) => input.startsWith('packages/')).map((input) => input.replace(/^packages\//, ''));
    expect(ours).toEqual(
      expect.arrayContaining([
        'core/src/engine.ts',
        'core/src/compile.ts',
        'core/src/platform.browser.ts',
        'core/src/startup-cache.browser.ts',
        'http/src/header-check.browser.ts',
        'openapi/src/document.ts',
        'openapi/src/swagger.browser.ts',
        'graphql/src/graphql-executor.ts',
        'rest/src/openapi-expand.ts',
        'grpc/src/fetch.browser.ts',
      ]),
    );
    // Of gRPC, only its seam's browser side (gRPC services are intercepted in Node).
    expect(
      ours.filter((input) =>
        /(?:platform|startup-cache|header-check|swagger|fetch)\.ts$|^(?:grpc\/(?!src\/fetch\.browser\.ts$)|runner\/|cli\/|admin\/)|-adapter\.ts$/.test(input),
      ),
    ).toEqual([]);
    expect(inputs.filter((input) => /node_modules\/(?:fastify|@grpc|swagger2openapi)\//.test(input))).toEqual([]);
  });

  test('the service worker answers the page’s fetches from the scenario: rules, shared state, contract, variants', async () => {
    const answers = await page.evaluate(async () => {
      // Runs in the page: its API is the one browser-entry.ts put there.
      const shop = (globalThis as unknown as { mockstack: ShopPage }).mockstack;
      const json = { 'content-type': 'application/json' };
      const placed = await fetch('http://localhost:8081/orders', { method: 'POST', headers: json, body: JSON.stringify({ sku: 'SKU-1', quantity: 2 }) });
      const product = await fetch('http://localhost:8082/graphql', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ query: 'query Product($sku: String!) { product(sku: $sku) { sku stock } }', variables: { sku: 'SKU-1' } }),
      });
      const invalid = await fetch('http://localhost:8081/orders', { method: 'POST', headers: json, body: JSON.stringify({ sku: 'SKU-1', quantity: 0 }) });
      const health = await fetch('http://localhost:8081/health');
      shop.variant('orders-down');
      const down = await fetch('http://localhost:8081/health');
      shop.variant();
      const up = await fetch('http://localhost:8081/health');
      return {
        placed: [placed.status, await placed.json()],
        product: [product.status, await product.json()],
        invalid: invalid.status,
        health: [health.status, await health.json()],
        down: [down.status, down.headers.get('retry-after')],
        up: up.status,
        journal: shop.operations(),
      };
    });
    expect(answers.placed).toEqual([201, { id: 'ord_1', sku: 'SKU-1', quantity: 2 }]);
    expect(answers.product).toEqual([200, { data: { product: { sku: 'SKU-1', stock: 1 } } }]);
    expect(answers.invalid).toBe(422);
    expect(answers.health).toEqual([200, { status: 'ok' }]);
    expect(answers.down).toEqual([503, '30']);
    expect(answers.up).toBe(200);
    expect(answers.journal).toEqual(['POST /orders', 'query Product', 'POST /orders', 'GET /health', 'GET /health', 'GET /health']);
  });

  test('a REST service’s WebSocket endpoint answers the page’s WebSocket, at the service’s address and at the handlers’ origin, journaled', async () => {
    const talks = await page.evaluate(async () => {
      const shop = (globalThis as unknown as { mockstack: ShopPage }).mockstack;
      /** Opens a socket, sends each message once the previous answer came, and returns what it received and how it closed. */
      const talk = (url: string, messages: string[]) =>
        new Promise<{ received: string[]; closed: [number, string] }>((resolve) => {
          const socket = new WebSocket(url);
          const received: string[] = [];
          socket.addEventListener('message', (event) => {
            received.push(String(event.data));
            const message = messages.shift();
            if (message !== undefined) socket.send(message);
          });
          socket.addEventListener('close', (event) => resolve({ received, closed: [event.code, event.reason] }));
        });
      const local = await talk('ws://localhost:8090/rooms/5', ['hi', 'bye']);
      const real = await talk('wss://chat.example.com/rooms/6', ['boom']);
      const after = await talk('ws://localhost:8090/rooms/7', ['bye']);
      return { local, real, after, journal: shop.connections() };
    });
    expect(talks.local).toEqual({ received: ['welcome to 5', JSON.stringify({ room: '5', text: 'hi' })], closed: [4000, 'bye bye'] });
    // A listener that throws: 1011, journaled with the error; the next connection is served.
    expect(talks.real).toEqual({ received: ['welcome to 6'], closed: [1011, 'the mock failed: see its log'] });
    expect(talks.after.closed).toEqual([4000, 'bye bye']);
    expect(talks.journal).toEqual([
      ['GET /rooms/5 (WebSocket)', 101],
      ['GET /rooms/6 (WebSocket)', 101],
      ['GET /rooms/7 (WebSocket)', 101],
    ]);
  });
});
