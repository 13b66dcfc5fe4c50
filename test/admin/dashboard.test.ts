/**
 * The dashboard at /__admin/ui in a real Chromium (Debian's, driven by playwright-core): it loads, requests made
 * here over REST and gRPC appear live, the detail names the rule and its file:line (or why none answered), filters
 * narrow the list, a variant toggle changes the next answer, a state edit and a machine setter show in the next
 * answer, a stub added from the page answers until removed, reset empties it; a GraphQL query shows as `query Name` with its operation, variables and answer, and a gRPC
 * server stream (native and over Connect) lists its messages with their timing; and behind an admin token, the page
 * opened once with ?token= works through its cookie.
 * Screenshots (light and dark) go to test/.screenshots/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DescService } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { jest } from '@jest/globals';
import { descriptorRegistry, loadProtos } from '@mockstack/grpc';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { fault, graphql, grpc as grpcService, rest, scenario } from 'mockstack';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eventually } from '../helpers/eventually.js';

const proto = resolve(import.meta.dirname, '../fixtures/contracts/greeter.proto');
const chatProto = resolve(import.meta.dirname, '../fixtures/init/chat.proto');
const sdl = resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql');
const screenshots = resolve(import.meta.dirname, '../.screenshots');

const shop = scenario('dashboard-shop', { seed: 3, state: () => ({ hits: 0, tags: new Set(['new']) }), machines: { visitor: ['new', 'greeted'] } })
  .services({
    shop: rest({}, [
      rest.get('/hits', { name: 'count hits' }, ({ state }) => ({ hits: ++state.hits })),
      rest.get('/visitor', { whenState: { visitor: 'greeted' } }, { welcomeBack: true }),
      rest.get('/visitor', { welcomeBack: false }),
      rest.get('/orders/:id', { match: { query: { expand: 'lines' } } }, { id: 'o1', lines: [] }),
    ]),
    rpc: grpcService({ proto }, [grpcService.method('demo.greeter.v1.Greeter/SayHello', { message: 'hello', email: 'ada@example.com', count: 1 })]),
    catalog: graphql({ schema: sdl }, { Query: { item: (_: unknown, { id }: { id: string }) => ({ id, name: 'Pen', quantity: 3 }) } }),
    chat: grpcService({ proto: chatProto, web: true }, [
      grpcService.method(
        'demo.chat.v1.Chat/Follow',
        grpcService.stream(
          [
            { room: 'lobby', text: 'first' },
            { room: 'lobby', text: 'second' },
          ],
          { interval: '20ms' },
        ),
      ),
    ]),
  })
  .variants({ 'shop-down': { shop: fault.unavailable('maintenance') } });

// A browser on a shared 2-core machine: steps wait for what they need, but the whole can take a while.
jest.setTimeout(60_000);

type Greeter = grpc.Client & { SayHello(req: object, cb: (e: grpc.ServiceError | null, r: { message: string }) => void): void };
type Chat = grpc.Client & { Follow(room: object): grpc.ClientReadableStream<{ text: string }> };

let browser: Browser;
let running: RunningStack;
let greeter: Greeter;
let chat: Chat;
let shopUrl: string;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  running = await runScenario(shop, { randomPorts: true, adminPort: 0 });
  shopUrl = running.stack.address('shop').url;
  const definition = protoLoader.loadSync(proto, { defaults: true });
  const Greeter = (grpc.loadPackageDefinition(definition) as unknown as { demo: { greeter: { v1: { Greeter: grpc.ServiceClientConstructor } } } }).demo.greeter
    .v1.Greeter;
  greeter = new Greeter(`127.0.0.1:${running.stack.address('rpc').port}`, grpc.credentials.createInsecure()) as unknown as Greeter;
  const Chat = (grpc.loadPackageDefinition(protoLoader.loadSync(chatProto)) as unknown as { demo: { chat: { v1: { Chat: grpc.ServiceClientConstructor } } } })
    .demo.chat.v1.Chat;
  chat = new Chat(`127.0.0.1:${running.stack.address('chat').port}`, grpc.credentials.createInsecure()) as unknown as Chat;
  // Running as root in CI containers: Chromium's sandbox needs user namespaces it may not have.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  greeter?.close();
  chat?.close();
  await running?.close();
});

/** The journal's rows (not the filters' options). */
const rowsOf = (page: Page) => page.getByRole('listbox', { name: 'Requests, newest first' }).getByRole('option');

const sayHello = () => new Promise<string>((done, fail) => greeter.SayHello({ name: 'ada' }, (error, reply) => (error ? fail(error) : done(reply.message))));

/** A fresh page on the dashboard (the stack reset first), once its live feed is connected. */
async function openDashboard(url = `${running.admin?.url}/ui`, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme });
  await page.goto(url);
  await page.getByText('● live').waitFor();
  return page;
}

describe('the dashboard', () => {
  let page: Page;
  beforeEach(async () => {
    running.stack.engine.reset();
    running.stack.engine.setVariants([]);
    page = await openDashboard();
  });
  afterEach(() => page.close());

  test('loads, and requests over REST and gRPC appear live with their rule, file:line or near miss', async () => {
    await page.locator('h1', { hasText: 'dashboard-shop' }).waitFor();
    await page.getByText('No requests yet').waitFor();

    expect(await (await fetch(`${shopUrl}/hits`)).json()).toEqual({ hits: 1 });
    expect(await sayHello()).toBe('hello');
    await fetch(`${shopUrl}/orders/o1?expand=all`);

    const rows = rowsOf(page);
    await rows.filter({ hasText: 'GET /orders/o1?expand=all' }).waitFor();
    await rows.filter({ hasText: 'SayHello' }).waitFor();
    // Newest first; the rule's name where it has one
    await eventually(async () =>
      expect(await rows.allInnerTexts()).toEqual([
        expect.stringMatching(/shop\s+GET \/orders\/o1\?expand=all\s+404\s+unmatched/),
        expect.stringMatching(/grpc\s+rpc\s+.*SayHello\s+OK\s+rpc#1/),
        expect.stringMatching(/rest\s+shop\s+GET \/hits\s+200\s+count hits/),
      ]),
    );

    await rows.filter({ hasText: 'GET /hits' }).click();
    const detail = page.getByRole('region', { name: 'Request detail' });
    await eventually(async () => expect(await detail.textContent()).toMatch(/Answered by count hits \(shop#1\) at test\/admin\/dashboard\.test\.ts:\d+/));
    await eventually(async () => expect(await detail.locator('pre.body').last().textContent()).toContain('"hits": 1'));

    await rows.filter({ hasText: 'SayHello' }).click();
    await eventually(async () => {
      const grpcDetail = await detail.textContent();
      expect(grpcDetail).toMatch(/metadata/);
      expect(grpcDetail).toContain('"message": "hello"');
    });

    // Keyboard: the list moves with the arrow keys
    await page.keyboard.press('ArrowUp');
    await eventually(async () => {
      const missDetail = await detail.textContent();
      expect(missDetail).toContain('Why no rule answered');
      expect(missDetail).toMatch(/nearest rule\s*shop#4 at test\/admin\/dashboard\.test\.ts:\d+/);
      expect(missDetail).toContain('query "expand" is "all", wanted "lines"');
    });

    await page.screenshot({ path: resolve(screenshots, 'journal-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: resolve(screenshots, 'journal-dark.png') });
  });

  test('a GraphQL query shows as its operation; a gRPC server stream lists its messages with their timing', async () => {
    const query = await fetch(running.stack.address('catalog').url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query ItemPage($id: ID!) { item(id: $id) { id name quantity } }', variables: { id: 'pen-1' } }),
    });
    expect(await query.json()).toEqual({ data: { item: { id: 'pen-1', name: 'Pen', quantity: 3 } } });
    const follow = chat.Follow({ id: 'lobby' });
    const texts: string[] = [];
    for await (const message of follow as AsyncIterable<{ text: string }>) texts.push(message.text);
    expect(texts).toEqual(['first', 'second']);
    const Chat = descriptorRegistry(loadProtos([chatProto], [])).getService('demo.chat.v1.Chat') as DescService;
    const overConnect = createClient(
      Chat,
      createConnectTransport({ baseUrl: running.stack.address('chat').also?.[0]?.url ?? '', httpVersion: '1.1' }),
    ) as unknown as {
      follow(room: object): AsyncIterable<{ text: string }>;
    };
    for await (const message of overConnect.follow({ id: 'lobby' })) texts.push(message.text);
    expect(texts).toEqual(['first', 'second', 'first', 'second']);

    const rows = rowsOf(page);
    await eventually(async () =>
      expect(await rows.allInnerTexts()).toEqual([
        expect.stringMatching(/connect\s+chat\s+Chat\/Follow\s+OK\s+chat#1/),
        expect.stringMatching(/grpc\s+chat\s+Chat\/Follow\s+OK\s+chat#1/),
        expect.stringMatching(/graphql\s+catalog\s+query ItemPage\s+200/),
      ]),
    );
    const detail = page.getByRole('region', { name: 'Request detail' });
    await rows.filter({ hasText: 'query ItemPage' }).click();
    await eventually(async () => {
      const text = (await detail.textContent()) ?? '';
      expect(text).toContain('query ItemPage($id: ID!) { item(id: $id) { id name quantity } }');
      expect(text).toMatch(/variables[\s\S]*"id": "pen-1"/);
      expect(text).toMatch(/"name": "Pen"/);
    });
    await page.screenshot({ path: resolve(screenshots, 'graphql-light.png') });

    for (const protocol of ['grpc', 'connect']) {
      await rows.filter({ has: page.locator(`.proto.${protocol}`), hasText: 'Chat/Follow' }).click();
      await eventually(async () => {
        const text = (await detail.textContent()) ?? '';
        expect(text).toContain('stream messages (2)');
        expect(text).toMatch(/\+\d+\.\d ms ⇢ sent[\s\S]*"text": "first"[\s\S]*\+\d+\.\d ms ⇢ sent[\s\S]*"text": "second"/);
      });
    }
    await page.screenshot({ path: resolve(screenshots, 'stream-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: resolve(screenshots, 'stream-dark.png') });
  });

  test('filters narrow the list by protocol, match and text', async () => {
    await fetch(`${shopUrl}/hits`);
    await sayHello();
    await fetch(`${shopUrl}/nowhere`);
    const rows = rowsOf(page);
    await rows.filter({ hasText: '/nowhere' }).waitFor();
    await page.getByLabel('Protocol').selectOption('grpc');
    await eventually(async () => expect(await rows.allInnerTexts()).toEqual([expect.stringContaining('SayHello')]));
    await page.getByLabel('Protocol').selectOption('');
    await page.getByLabel('Answered').selectOption('unmatched');
    await eventually(async () => expect(await rows.allInnerTexts()).toEqual([expect.stringContaining('/nowhere')]));
    await page.getByLabel('Answered').selectOption('');
    await page.getByLabel('Text').fill('count hits');
    await eventually(async () => expect(await rows.allInnerTexts()).toEqual([expect.stringContaining('GET /hits')]));
  });

  test('a variant toggle changes the next answer', async () => {
    expect((await fetch(`${shopUrl}/hits`)).status).toBe(200);
    await page.getByRole('tab', { name: 'Variants' }).click();
    const toggle = page.getByRole('switch', { name: 'shop-down' });
    await toggle.check();
    await page.getByText('variants shop-down').waitFor();
    expect((await fetch(`${shopUrl}/hits`)).status).toBe(503);
    await page.screenshot({ path: resolve(screenshots, 'variants-light.png') });
    await toggle.uncheck();
    await page.getByText('variants shop-down').waitFor({ state: 'detached' });
    expect((await fetch(`${shopUrl}/hits`)).status).toBe(200);
  });

  test('a state edit shows in the next answer; an invalid one is refused and the stack keeps serving', async () => {
    await page.getByRole('tab', { name: 'State & machines' }).click();
    const editor = page.getByLabel(/shared state/);
    await eventually(async () => expect(await editor.inputValue()).toContain('"hits": 0'));
    await editor.fill('{ "hits": 41 }');
    await page.getByRole('button', { name: 'Save state' }).click();
    await page.getByText('saved').waitFor();
    expect(await (await fetch(`${shopUrl}/hits`)).json()).toEqual({ hits: 42 });

    await editor.fill('{ "hitz": 1 }');
    await page.getByRole('button', { name: 'Save state' }).click();
    await eventually(async () => expect(await page.getByRole('alert').textContent()).toContain('the state has no key "hitz" (did you mean "hits"?)'));
    await editor.fill('{ "hits": ');
    await page.getByRole('button', { name: 'Save state' }).click();
    await eventually(async () => expect(await page.getByRole('alert').textContent()).toContain('not JSON'));
    expect(await (await fetch(`${shopUrl}/hits`)).json()).toEqual({ hits: 43 });

    // The machine setter
    expect(await (await fetch(`${shopUrl}/visitor`)).json()).toEqual({ welcomeBack: false });
    await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/__admin/machines') && response.request().method() === 'PUT'),
      page.getByLabel('visitor').selectOption('greeted'),
    ]);
    expect(await (await fetch(`${shopUrl}/visitor`)).json()).toEqual({ welcomeBack: true });
    await page.screenshot({ path: resolve(screenshots, 'state-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: resolve(screenshots, 'state-dark.png') });
  });

  test('stubs: one added from the page answers at once, a refused one says why, Remove takes it away', async () => {
    await page.getByRole('tab', { name: 'Stubs' }).click();
    await page.getByText("No stubs: the scenario's rules answer.").waitFor();
    const editor = page.getByLabel(/Add a stub/);
    await editor.fill('{ "request": { "method": "GET", "urlPath": "/promo" }, "response": { "jsonBody": { "code": "SPRING" } } }');
    await page.getByRole('button', { name: 'Add stub' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /added stub / })
      .waitFor();
    await page.getByRole('cell', { name: 'GET /promo', exact: true }).waitFor();
    expect(await (await fetch(`${shopUrl}/promo`)).json()).toEqual({ code: 'SPRING' });

    await editor.fill('{ "request": ');
    await page.getByRole('button', { name: 'Add stub' }).click();
    await eventually(async () => expect(await page.getByRole('alert').textContent()).toContain('not JSON'));
    await editor.fill('{ "request": { "urlPath": "/broken" }, "response": { "fault": "NOPE" } }');
    await page.getByRole('button', { name: 'Add stub' }).click();
    await eventually(async () => expect(await page.getByRole('alert').textContent()).toContain('fault NOPE is not translated'));
    expect(await (await fetch(`${shopUrl}/promo`)).json()).toEqual({ code: 'SPRING' });
    await page.screenshot({ path: resolve(screenshots, 'stubs-light.png') });

    await page.getByRole('button', { name: 'remove stub GET /promo' }).click();
    await page.getByText("No stubs: the scenario's rules answer.").waitFor();
    expect((await fetch(`${shopUrl}/promo`)).status).toBe(404);
  });

  test('services show their URLs and operations with rules; reset empties the journal', async () => {
    await fetch(`${shopUrl}/hits`);
    await rowsOf(page).first().waitFor();
    await page.getByRole('tab', { name: 'Services' }).click();
    const card = page.getByRole('region', { name: 'service shop' });
    await eventually(async () => expect(await card.textContent()).toContain(shopUrl));
    await eventually(async () => expect(await card.textContent()).toMatch(/GET \/hits\s*count hits shop#1 · test\/admin\/dashboard\.test\.ts:\d+/));
    await page.screenshot({ path: resolve(screenshots, 'services-light.png') });
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('tab', { name: 'Journal' }).click();
    await page.getByText('No requests yet').waitFor();
  });
});

describe('the dashboard behind an admin token', () => {
  let secured: RunningStack;
  beforeAll(async () => {
    secured = await runScenario(shop, { randomPorts: true, adminPort: 0, adminToken: 'dash-secret' });
  });
  afterAll(() => secured.close());

  test('is refused without the token, works once opened with ?token= (a cookie), live feed included', async () => {
    const ui = `${secured.admin?.url}/ui`;
    const refused = await fetch(ui);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('/__admin/ui?token=<token>');
    expect((await fetch(`${ui}?token=wrong`)).status).toBe(401);

    const page = await openDashboard(`${ui}?token=dash-secret`);
    try {
      expect(page.url()).toBe(ui);
      const url = secured.stack.address('shop').url;
      await fetch(`${url}/hits`);
      await rowsOf(page).filter({ hasText: 'GET /hits' }).waitFor();
      await page.getByRole('tab', { name: 'Variants' }).click();
      await page.getByRole('switch', { name: 'shop-down' }).check();
      await page.getByText('variants shop-down').waitFor();
      expect((await fetch(`${url}/hits`)).status).toBe(503);

      // The cookie alone does not let another page change things: state-changing requests must come from the dashboard's origin.
      const [cookie] = await page.context().cookies();
      expect(cookie).toMatchObject({ name: 'mockstack_admin_token', httpOnly: true, sameSite: 'Strict', path: '/__admin' });
      const forged = await fetch(`${secured.admin?.url}/variants`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie: `mockstack_admin_token=${cookie?.value}`, origin: 'http://localhost:1234' },
        body: '{"active":[]}',
      });
      expect(forged.status).toBe(403);
      expect(
        ((await (await fetch(`${secured.admin?.url}/variants`, { headers: { 'x-mockstack-admin-token': 'dash-secret' } })).json()) as { active: string[] })
          .active,
      ).toEqual(['shop-down']);
    } finally {
      await page.close();
    }
  });
});
