/**
 * WireMock's global settings and mappings saved to files, through wiremock-rest-client
 * (`global.updateGlobalSettings`, `mappings.saveAllMappings`) and fetch: a global fixed delay every
 * mapping waits unless it has its own, the mappings written to `mappings/` beside the files folder
 * (where `mockstack import` reads them back), and each bad input refused with a 4xx that says what to do.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { rest, scenario } from 'mockstack';
import { WireMockRestClient } from 'wiremock-rest-client';
import { adminRequest } from '../helpers/admin.js';

const root = mkdtempSync(join(tmpdir(), 'mockstack-wiremock-root-'));
const shop = scenario('wiremock-settings').services({ shop: rest({ port: 0 }, [rest.get('/health', { ok: true })]) });
let running: RunningStack;
let admin: string;
let url: string;
let client: WireMockRestClient;
beforeAll(async () => {
  mkdirSync(join(root, '__files'));
  running = await runScenario(shop, { randomPorts: true, adminPort: 0, wiremockFiles: join(root, '__files') });
  admin = running.admin?.url ?? '';
  url = running.stack.address('shop').url;
  client = new WireMockRestClient(new URL(admin).origin, { logLevel: 'silent', continueOnFailure: true });
});
afterAll(async () => {
  await running.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  running.stack.engine.reset();
  await adminRequest(admin, 'POST', '/settings', {});
});

const send = async (method: string, path: string, body?: unknown) => {
  const response = await adminRequest(admin, method, path, body);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
};
/** How long a GET takes to be answered, in milliseconds. */
const timed = async (path: string) => {
  const started = performance.now();
  const response = await fetch(`${url}${path}`);
  await response.text();
  return { status: response.status, ms: performance.now() - started };
};

test('a global fixedDelay delays every mapping without its own; GET /settings reads it back', async () => {
  await client.mappings.createMapping({ request: { method: 'GET', urlPath: '/slow' }, response: { status: 200, body: 'slow' } });
  await client.mappings.createMapping({ request: { method: 'GET', urlPath: '/own' }, response: { status: 200, body: 'own', fixedDelayMilliseconds: 0 } });
  expect((await timed('/slow')).ms).toBeLessThan(250);

  await client.global.updateGlobalSettings({ fixedDelay: 400 });
  expect((await send('GET', '/settings')).body).toEqual({ settings: { fixedDelay: 400, extended: {}, proxyPassThrough: true } });
  expect(await timed('/slow')).toEqual({ status: 200, ms: expect.any(Number) });
  expect((await timed('/slow')).ms).toBeGreaterThanOrEqual(390);
  // A mapping's own delay replaces the global one; the scenario's own rules are not WireMock stubs.
  expect((await timed('/own')).ms).toBeLessThan(250);
  expect((await timed('/health')).ms).toBeLessThan(250);
  // A mapping added later waits too.
  await client.mappings.createMapping({ request: { method: 'GET', urlPath: '/later' }, response: { status: 200 } });
  expect((await timed('/later')).ms).toBeGreaterThanOrEqual(390);

  await client.global.updateGlobalSettings({});
  expect((await timed('/slow')).ms).toBeLessThan(250);
});

test('a global uniform delayDistribution adds to a fixed delay', async () => {
  await client.mappings.createMapping({ request: { method: 'GET', urlPath: '/both' }, response: { status: 200, fixedDelayMilliseconds: 200 } });
  expect((await send('PUT', '/settings', { delayDistribution: { type: 'uniform', lower: 200, upper: 250 } })).status).toBe(200);
  expect((await timed('/both')).ms).toBeGreaterThanOrEqual(390);
});

test('bad settings are refused with a 400 that says what to send, and nothing changes', async () => {
  await client.mappings.createMapping({
    request: { method: 'GET', urlPath: '/lognormal' },
    response: { status: 200, delayDistribution: { type: 'lognormal', median: 10, sigma: 0.1 } },
  });
  for (const [settings, says] of [
    [{ fixedDelay: -5 }, 'fixedDelay must be a whole number of milliseconds; got -5'],
    [{ delayDistribution: { type: 'gamma' } }, 'delayDistribution must be { "type": "lognormal", "median", "sigma" }'],
    [{ fixedDelay: 10, colour: 'blue' }, 'colour is not a WireMock setting mockstack serves'],
    [{ proxyPassThrough: false }, 'proxyPassThrough: false is not served'],
    [[1], 'settings are a JSON object such as { "fixedDelay": 500 }'],
    // The lognormal mapping cannot also wait a fixed delay: refused, naming the mapping.
    [{ fixedDelay: 100 }, 'a fixed delay of 100 ms and a lognormal delayDistribution together (WireMock adds them) are not served'],
  ] as const) {
    expect(await send('POST', '/settings', settings)).toEqual({
      status: 400,
      body: { error: { code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID', message: expect.stringContaining(says) } },
    });
  }
  expect((await send('GET', '/settings')).body).toEqual({ settings: { extended: {}, proxyPassThrough: true } });
  expect((await timed('/lognormal')).status).toBe(200);
  expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true });
});

test('saveAllMappings writes each mapping to mappings/ beside the files folder', async () => {
  const saved = (await client.mappings.createMapping({
    name: 'Get the order',
    request: { method: 'GET', urlPath: '/orders/1' },
    response: { status: 200, jsonBody: { id: 1 } },
  })) as { id: string };
  await client.mappings.saveAllMappings();
  const files = readdirSync(join(root, 'mappings'));
  expect(files).toEqual([`get-the-order-${saved.id}.json`]);
  expect(JSON.parse(readFileSync(join(root, 'mappings', files[0] as string), 'utf8'))).toEqual(
    expect.objectContaining({ id: saved.id, name: 'Get the order', request: { method: 'GET', urlPath: '/orders/1' } }),
  );
});

test('saving without a files folder is a 409 that says what to create; the stack keeps serving', async () => {
  const elsewhere = await runScenario(shop, { randomPorts: true, adminPort: 0, wiremockFiles: join(root, 'no-such-folder', '__files') });
  try {
    const base = elsewhere.admin?.url ?? '';
    await adminRequest(base, 'POST', '/mappings', { request: { method: 'GET', urlPath: '/x' }, response: { status: 200 } });
    const response = await adminRequest(base, 'POST', '/mappings/save');
    expect([response.status, await response.json()]).toEqual([
      409,
      {
        error: {
          code: 'MOCKSTACK_ERR_WIREMOCK_SAVE_UNAVAILABLE',
          message: expect.stringMatching(
            /was not saved to .*mappings: mappings are saved beside WireMock's files folder .*__files, which does not exist: create it/,
          ),
        },
      },
    ]);
    expect(await (await fetch(`${elsewhere.stack.address('shop').url}/health`)).json()).toEqual({ ok: true });
  } finally {
    await elsewhere.close();
  }
});
