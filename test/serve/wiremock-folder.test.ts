/**
 * `mockstack up wiremock/` serves a WireMock root (its `mappings` folder, `bodyFileName` from its
 * `__files`) as `java -jar wiremock-standalone.jar --root-dir wiremock` does: one REST service, the
 * mappings tried by priority and, of one priority, the last loaded first. The `mappings` folder itself
 * or one of its files works too. A mapping mockstack cannot serve is refused naming its file.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, type MockstackError } from '@mockstack/core';
import { startStack, type TestStack } from '@mockstack/testing';
import { WireMock } from 'wiremock-captain';

const features = resolve(import.meta.dirname, '../fixtures/wiremock-features');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mockstack-wiremock-root-'));
  cpSync(features, join(dir, 'wiremock'), { recursive: true });
  // WireMock's priority, its scenarios across files, and a file in a subfolder.
  mkdirSync(join(dir, 'wiremock/mappings/payments'));
  writeFileSync(
    join(dir, 'wiremock/mappings/payments/cards.json'),
    JSON.stringify({
      mappings: [
        { request: { method: 'GET', urlPathPattern: '/cards/.*' }, response: { status: 200, jsonBody: { card: 'any' } } },
        { priority: 1, request: { method: 'GET', url: '/cards/blocked' }, response: { status: 402, jsonBody: { card: 'blocked' } } },
        {
          scenarioName: 'checkout',
          requiredScenarioState: 'Started',
          newScenarioState: 'paid',
          request: { method: 'POST', url: '/pay' },
          response: { status: 201, jsonBody: { paid: true } },
        },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'wiremock/mappings/payments/state.json'),
    JSON.stringify({
      scenarioName: 'checkout',
      requiredScenarioState: 'paid',
      request: { method: 'POST', url: '/pay' },
      response: { status: 409, jsonBody: { error: 'already paid' } },
    }),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serving(source: string, run: (url: string, stack: TestStack) => Promise<void>, admin = false): Promise<void> {
  const stack = await startStack([source], { admin });
  try {
    await run(stack.url(Object.keys(stack.services)[0] as string), stack);
  } finally {
    await stack.close();
  }
}

test('a WireMock root is one REST service: templates, body files, priority, scenarios across files', async () => {
  await serving(join(dir, 'wiremock'), async (url, stack) => {
    expect(Object.keys(stack.services)).toEqual(['wiremock']);
    const user = await fetch(`${url}/users/u42`, { headers: { 'x-trace-id': 't-1' } });
    expect(user.status).toBe(200);
    expect(user.headers.get('x-trace')).toBe('t-1');
    expect(await user.json()).toMatchObject({ id: 'u42', collection: 'users', email: 'u42@example.com' });
    expect(await (await fetch(`${url}/report?team=core&full=yes`)).text()).toMatch(/^Report for core \(full\)/);
    expect(await (await fetch(`${url}/cards/c1`)).json()).toEqual({ card: 'any' });
    const blocked = await fetch(`${url}/cards/blocked`);
    expect([blocked.status, await blocked.json()]).toEqual([402, { card: 'blocked' }]);
    const pay = () => fetch(`${url}/pay`, { method: 'POST' }).then(async (r) => [r.status, await r.json()]);
    expect(await pay()).toEqual([201, { paid: true }]);
    expect(await pay()).toEqual([409, { error: 'already paid' }]);
    const none = await fetch(`${url}/nothing-here`);
    expect(none.status).toBe(404);
    expect(await (await fetch(`${url}/literal`)).text()).toBe('{{not a template}}');
  });
});

test('the mappings folder, and one file of it, are served the same way; a port after it picks the port', async () => {
  await serving(join(dir, 'wiremock/mappings'), async (url) => {
    expect(await (await fetch(`${url}/report?team=web`)).text()).toMatch(/^Report for web/);
  });
  await serving(`${join(dir, 'wiremock/mappings/users.json')}:0`, async (url, stack) => {
    expect(Object.keys(stack.services)).toEqual(['users']);
    expect(await (await fetch(`${url}/users/u7`)).json()).toMatchObject({ id: 'u7' });
    // Served as WireMock, not as a json-server database of a "mappings" collection.
    expect((await fetch(`${url}/mappings`)).status).toBe(404);
  });
});

test("the admin API is on the mappings' own port too, as WireMock's: a client given that one address stubs, resets and verifies", async () => {
  await serving(
    join(dir, 'wiremock'),
    async (url) => {
      const mock = new WireMock(url);
      await mock.register({ method: 'GET', endpoint: '/cards/c9' }, { status: 200, body: { card: 'from the client' } });
      expect(await (await fetch(`${url}/cards/c9`)).json()).toEqual({ card: 'from the client' });
      expect(await (await fetch(`${url}/cards/c8`)).json()).toEqual({ card: 'any' });
      expect((await mock.getRequestsForAPI('GET', '/cards/c9')).length).toBe(1);
      // A mapping sent at runtime reads bodyFileName in the root's __files too.
      const sent = await fetch(`${url}/__admin/mappings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request: { method: 'GET', url: '/file' }, response: { status: 200, bodyFileName: 'report.txt' } }),
      });
      expect(sent.status).toBe(201);
      expect(await (await fetch(`${url}/file`)).text()).toMatch(/^Report for \{\{request\.query\.team\}\}/);
      await mock.resetMappings();
      // A reset drops what the client added; the folder's mappings stay.
      expect(await (await fetch(`${url}/cards/c9`)).json()).toEqual({ card: 'any' });
    },
    true,
  );
});

test('a mapping mockstack cannot serve is refused naming its file and what is wrong', async () => {
  const broken = join(dir, 'broken');
  mkdirSync(join(broken, 'mappings'), { recursive: true });
  writeFileSync(join(broken, 'mappings/a.json'), JSON.stringify({ request: { method: 'GET', url: '/a', urlPath: '/a' }, response: { status: 200 } }));
  writeFileSync(join(broken, 'mappings/b.json'), '{ not json');
  const error = await startStack([broken]).then(
    (stack) => stack.close().then(() => undefined),
    (thrown: MockstackError) => thrown,
  );
  expect(error?.code).toBe(ErrorCode.ContractLoad);
  expect(error?.message).toMatch(/b\.json is not JSON/);
  rmSync(join(broken, 'mappings/b.json'));
  const refused = await startStack([broken]).then(
    (stack) => stack.close().then(() => undefined),
    (thrown: MockstackError) => thrown,
  );
  expect(refused?.code).toBe(ErrorCode.ContractLoad);
  expect(refused?.message).toMatch(/malformed WireMock mappings \(WireMock refuses them too\):\n {2}- .*a\.json: request has url and urlPath: give one of/);
});
