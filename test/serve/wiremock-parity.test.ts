/**
 * What a WireMock client notices of `mockstack up wiremock/` beside `java -jar wiremock-standalone.jar
 * --root-dir wiremock` (each checked against WireMock 3.13.2): a root holding a mapping mockstack cannot
 * serve still serves the others (a warning names each one left out, and a request to it is answered
 * with why), stubs answer with Matched-Stub-Id, /__admin/version and /__admin/health answer as
 * WireMock's do, and `mappings/save` writes a replaced mapping of the root back into its own file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, type Logger } from '@mockstack/core';
import { startStack, type TestStack } from '@mockstack/testing';
import { request } from 'undici';
import { WireMock } from 'wiremock-captain';

const M2 = '7a9df1b0-52ef-4d99-adf3-f5040b5f1489';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mockstack-wiremock-parity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A WireMock root of these files of its `mappings` folder. */
function rootOf(name: string, mappings: Record<string, unknown>): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'mappings'), { recursive: true });
  for (const [file, document] of Object.entries(mappings)) writeFileSync(join(root, 'mappings', file), JSON.stringify(document, null, 2));
  return root;
}

async function serving(root: string, run: (url: string, stack: TestStack, warnings: string[]) => Promise<void>): Promise<void> {
  const warnings: string[] = [];
  const logger: Logger = { request: () => {}, info: () => {}, error: () => {}, warn: (message) => warnings.push(message) };
  const stack = await startStack([root], { admin: true, logger });
  try {
    await run(stack.url(Object.keys(stack.services)[0] as string), stack, warnings);
  } finally {
    await stack.close();
  }
}

const send = (url: string, method: string, body?: unknown) =>
  fetch(url, { method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });

test('a mapping mockstack cannot serve is left out with a warning naming it; the others are served, and a request to it is told why', async () => {
  const root = rootOf('untranslatable', {
    'ok.json': { request: { method: 'GET', url: '/ok' }, response: { status: 200, body: 'ok' } },
    'custom.json': { request: { method: 'GET', url: '/custom', customMatcher: { name: 'my-matcher', parameters: {} } }, response: { body: 'c' } },
    'multi.json': {
      mappings: [
        { request: { method: 'GET', url: '/m1' }, response: { status: 200, body: 'm1' } },
        { id: M2, request: { method: 'GET', urlPath: '/m2', queryParameters: { a: { matchesJsonSchema: '{}' } } }, response: { body: 'm2' } },
      ],
    },
  });
  await serving(root, async (url, _stack, warnings) => {
    expect(warnings).toEqual([
      expect.stringMatching(
        /mappings\/custom\.json: this WireMock mapping is not served \[MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID\]: request\.customMatcher is not translated/,
      ),
      expect.stringMatching(
        /mappings\/multi\.json mappings\[1\]: this WireMock mapping is not served \[MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID\]: query parameter a: matchesJsonSchema/,
      ),
    ]);
    expect(await (await fetch(`${url}/ok`)).text()).toBe('ok');
    const custom = await fetch(`${url}/custom`);
    expect(custom.status).toBe(500);
    expect(await custom.json()).toEqual({
      error: { code: ErrorCode.WiremockMappingInvalid, message: expect.stringMatching(/custom\.json is not served: request\.customMatcher is not translated/) },
    });
    const m2 = await fetch(`${url}/m2?a=1`);
    expect(m2.status).toBe(500);
    expect(await m2.text()).toMatch(new RegExp(`mapping ${M2} of .*multi\\.json mappings\\[1\\] is not served: query parameter a: matchesJsonSchema`));
    // The admin API says why a refused id is not there; the rest is listed and served.
    const byId = await fetch(`${url}/__admin/mappings/${M2}`);
    expect(byId.status).toBe(404);
    expect(await byId.text()).toMatch(/multi\.json mappings\[1\] is not served: query parameter a: matchesJsonSchema/);
    const listed = (await (await fetch(`${url}/__admin/mappings`)).json()) as { meta: { total: number } };
    expect(listed.meta.total).toBe(2);
    expect(await (await fetch(`${url}/m1`)).text()).toBe('m1');
    // A mapping sent at runtime takes the refused one's URL, as it would any other.
    await new WireMock(url).register({ method: 'GET', endpoint: '/custom' }, { status: 200, body: 'from the client' });
    expect(await (await fetch(`${url}/custom`)).text()).toBe('from the client');
  });
});

test('a malformed mapping still refuses the root, as WireMock refuses to start on one', async () => {
  const root = rootOf('malformed', {
    'ok.json': { request: { method: 'GET', url: '/ok' }, response: { body: 'ok' } },
    'bad.json': { request: { method: 'GET', url: '/a', urlPath: '/a' }, response: { status: 200 } },
  });
  const error = await startStack([root]).then(
    (stack) => stack.close().then(() => undefined),
    (thrown: Error) => thrown,
  );
  expect(error?.message).toMatch(/malformed WireMock mappings \(WireMock refuses them too\):\n {2}- .*bad\.json: request has url and urlPath/);
  rmSync(join(root, 'mappings/bad.json'));
  await serving(root, async (url, _stack, warnings) => {
    expect(warnings).toEqual([]);
    expect(await (await fetch(`${url}/ok`)).text()).toBe('ok');
  });
});

test("a stub's answers carry Matched-Stub-Id (and Matched-Stub-Name); /__admin/version and /__admin/health answer as WireMock's", async () => {
  const root = rootOf('headers', { 'a.json': { id: 'a-1', name: 'Hello', request: { method: 'GET', url: '/hello' }, response: { body: 'hi' } } });
  await serving(root, async (url) => {
    const hello = await fetch(`${url}/hello`);
    expect([hello.headers.get('matched-stub-id'), hello.headers.get('matched-stub-name')]).toEqual(['a-1', 'Hello']);
    const sent = (await (await send(`${url}/__admin/mappings`, 'POST', { request: { method: 'GET', url: '/later' }, response: { status: 201 } })).json()) as {
      id: string;
    };
    const later = await fetch(`${url}/later`);
    expect([later.status, later.headers.get('matched-stub-id'), later.headers.get('matched-stub-name')]).toEqual([201, sent.id, null]);
    // A name no header can carry is left out; the answer still goes.
    await send(`${url}/__admin/mappings`, 'POST', { name: 'café ☕', request: { method: 'GET', url: '/cafe' }, response: { body: 'c' } });
    const cafe = await fetch(`${url}/cafe`);
    expect([await cafe.text(), cafe.headers.get('matched-stub-name')]).toEqual(['c', null]);
    // No stub answered: no header.
    expect((await fetch(`${url}/nothing`)).headers.get('matched-stub-id')).toBeNull();
    expect(await (await fetch(`${url}/__admin/version`)).json()).toEqual({ version: '3.13.2' });
    expect(await (await fetch(`${url}/__admin/health`)).json()).toMatchObject({
      status: 'ok',
      message: expect.any(String),
      uptimeInSeconds: expect.any(Number),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });
});

test('mappings/save writes a replaced mapping of the root into its own file (its place in a file of several), as WireMock does', async () => {
  const root = rootOf('save', {
    'one.json': { id: 'one', request: { method: 'GET', url: '/one' }, response: { body: 'one' } },
    'several.json': {
      mappings: [
        { id: 's-1', request: { method: 'GET', url: '/s1' }, response: { body: 's1' } },
        { id: 's-2', request: { method: 'GET', url: '/s2' }, response: { body: 's2' } },
        { request: { method: 'GET', url: '/s3', customMatcher: { name: 'x' } }, response: { body: 's3' } },
      ],
    },
  });
  await serving(root, async (url) => {
    const one = { request: { method: 'GET', url: '/one' }, response: { body: 'one, replaced' } };
    const s2 = { request: { method: 'GET', url: '/s2' }, response: { body: 's2, replaced' } };
    expect((await send(`${url}/__admin/mappings/one`, 'PUT', one)).status).toBe(200);
    expect((await send(`${url}/__admin/mappings/s-2`, 'PUT', s2)).status).toBe(200);
    const added = (await (await send(`${url}/__admin/mappings`, 'POST', { request: { method: 'GET', url: '/new' }, response: { body: 'n' } })).json()) as {
      id: string;
    };
    expect((await send(`${url}/__admin/mappings/save`, 'POST')).status).toBe(200);
    expect(readdirSync(join(root, 'mappings')).sort()).toEqual([`${added.id}.json`, 'one.json', 'several.json']);
    expect(JSON.parse(readFileSync(join(root, 'mappings/one.json'), 'utf8'))).toEqual({ ...one, id: 'one', uuid: 'one' });
    const several = JSON.parse(readFileSync(join(root, 'mappings/several.json'), 'utf8')) as { mappings: unknown[] };
    expect(several.mappings).toEqual([
      expect.objectContaining({ id: 's-1', response: { body: 's1' } }),
      { ...s2, id: 's-2', uuid: 's-2' },
      expect.objectContaining({ request: expect.objectContaining({ customMatcher: { name: 'x' } }) }),
    ]);
    // Saved twice, still one file each.
    expect((await send(`${url}/__admin/mappings/save`, 'POST')).status).toBe(200);
    expect(readdirSync(join(root, 'mappings'))).toHaveLength(3);
    expect(await (await fetch(`${url}/s2`)).text()).toBe('s2, replaced');
  });
});

test("POST /__admin/settings delays the root's mappings too, as WireMock's global delay does (a mapping's own delay replaces the global one)", async () => {
  const root = rootOf('settings', {
    'plain.json': { request: { method: 'GET', url: '/plain' }, response: { body: 'plain' } },
    'own.json': { request: { method: 'GET', url: '/own' }, response: { body: 'own', fixedDelayMilliseconds: 0 } },
    'template.json': { request: { method: 'GET', urlPath: '/hi' }, response: { body: 'hi {{request.query.name}}', transformers: ['response-template'] } },
  });
  await serving(root, async (url) => {
    const timed = async (path: string): Promise<[string, number]> => {
      const started = performance.now();
      const text = await (await fetch(`${url}${path}`)).text();
      return [text, performance.now() - started];
    };
    expect((await timed('/plain'))[1]).toBeLessThan(250);
    // A malformed setting is refused; nothing changes.
    const bad = await send(`${url}/__admin/settings`, 'POST', { fixedDelay: -1 });
    expect([bad.status, await bad.text()]).toEqual([400, expect.stringMatching(/fixedDelay must be a whole number/)]);
    expect((await timed('/plain'))[1]).toBeLessThan(250);
    expect((await send(`${url}/__admin/settings`, 'POST', { fixedDelay: 300 })).status).toBe(200);
    const [plain, plainMs] = await timed('/plain');
    expect([plain, plainMs >= 290]).toEqual(['plain', true]);
    const [hi, hiMs] = await timed('/hi?name=ann');
    expect([hi, hiMs >= 290]).toEqual(['hi ann', true]);
    const [own, ownMs] = await timed('/own');
    expect([own, ownMs < 250]).toEqual(['own', true]);
    expect((await send(`${url}/__admin/settings`, 'POST', {})).status).toBe(200);
    expect((await timed('/plain'))[1]).toBeLessThan(250);
  });
});

test('a request no mapping answers gets 404 in plain text, as WireMock answers it, with the near miss', async () => {
  const root = rootOf('unmatched', { 'a.json': { request: { method: 'GET', url: '/orders' }, response: { body: 'orders' } } });
  await serving(root, async (url, stack) => {
    for (const [method, path] of [
      ['GET', '/nothing'],
      ['POST', '/orders'],
      ['PATCH', '/orders/1'],
    ] as const) {
      const missed = await fetch(`${url}${path}`, { method });
      expect([missed.status, missed.headers.get('content-type'), missed.headers.get('x-mockstack-unmatched')]).toEqual([404, 'text/plain; charset=utf-8', '1']);
      expect(await missed.text()).toMatch(/^Request was not matched\n\n.+/);
    }
    expect(await (await fetch(`${url}/orders`)).text()).toBe('orders');
    // mockstack's journal keeps the near miss as JSON.
    expect(stack.requests({ matched: false }).map((entry) => entry.status)).toEqual([404, 404, 404]);
  });
});

test('an edited mapping (PUT /__admin/mappings/{id}) keeps its place among those of its priority, in the listing and in what answers, as WireMock keeps its insertion index', async () => {
  // WireMock's ids are UUIDs (the jar refuses a root with others): the one of each name ends in its place here.
  const names = ['f1', 'f2', 'p3', 'r1', 'r2'];
  const uuid = (name: string) => `00000000-0000-0000-0000-00000000000${names.indexOf(name)}`;
  const same = (name: string, body: string, extra: Record<string, unknown> = {}) => ({
    id: uuid(name),
    ...extra,
    request: { method: 'GET', url: '/same' },
    response: { body },
  });
  const root = rootOf('edits', {
    'a.json': { mappings: [same('f1', 'first'), same('f2', 'second')] },
    'b.json': { id: uuid('p3'), priority: 3, request: { method: 'GET', url: '/other' }, response: { body: 'other' } },
  });
  await serving(root, async (url) => {
    const answer = async () => (await fetch(`${url}/same`)).text();
    const listed = async () =>
      ((await (await fetch(`${url}/__admin/mappings`)).json()) as { mappings: { id: string }[] }).mappings.map((m) => names[Number(m.id.slice(-1))]);
    // Each step checked against the WireMock 3.13.2 jar serving the same root.
    expect([await answer(), await listed()]).toEqual(['second', ['p3', 'f2', 'f1']]);
    expect((await send(`${url}/__admin/mappings/${uuid('f1')}`, 'PUT', same('f1', 'first, edited'))).status).toBe(200);
    expect([await answer(), await listed()]).toEqual(['second', ['p3', 'f2', 'f1']]);
    await send(`${url}/__admin/mappings`, 'POST', same('r1', 'third'));
    await send(`${url}/__admin/mappings`, 'POST', same('r2', 'fourth'));
    expect((await send(`${url}/__admin/mappings/${uuid('r1')}`, 'PUT', same('r1', 'third, edited'))).status).toBe(200);
    expect([await answer(), await listed()]).toEqual(['fourth', ['p3', 'r2', 'r1', 'f2', 'f1']]);
    // A new priority places it by that priority.
    expect((await send(`${url}/__admin/mappings/${uuid('f1')}`, 'PUT', same('f1', 'first, now first', { priority: 1 }))).status).toBe(200);
    expect([await answer(), await listed()]).toEqual(['first, now first', ['f1', 'p3', 'r2', 'r1', 'f2']]);
    // Removed, and the files served again: as they were.
    expect((await send(`${url}/__admin/mappings/${uuid('r2')}`, 'DELETE')).status).toBe(200);
    expect(await answer()).toBe('first, now first');
    expect((await send(`${url}/__admin/mappings/reset`, 'POST')).status).toBe(200);
    expect([await answer(), await listed()]).toEqual(['second', ['p3', 'f2', 'f1']]);
  });
});

test("a mapping sent as WireMock's docs send it (curl --data, a form content type) is taken as the jar takes it; a browser page sending one is still refused", async () => {
  const root = rootOf('curl', { 'a.json': { request: { method: 'GET', url: '/kept' }, response: { body: 'kept' } } });
  await serving(root, async (url, stack) => {
    const mapping = (path: string) => JSON.stringify({ request: { method: 'GET', url: path }, response: { status: 200, body: `from ${path}` } });
    for (const admin of [url, stack.adminUrl?.replace(/\/__admin$/, '') as string]) {
      // curl --data's content type, and a text one: the 3.13.2 jar answers 201 to both.
      for (const [type, path] of [
        ['application/x-www-form-urlencoded', '/form'],
        ['text/plain;charset=UTF-8', '/text'],
      ] as const) {
        // As curl sends it: undici's request, not fetch (whose Sec-Fetch-Mode names a browser's request).
        const sent = await request(`${admin}/__admin/mappings`, { method: 'POST', headers: { 'content-type': type }, body: mapping(path) });
        expect([type, sent.statusCode]).toEqual([type, 201]);
        await sent.body.dump();
        expect(await (await fetch(`${url}${path}`)).text()).toBe(`from ${path}`);
      }
      const fromPage = await fetch(`${admin}/__admin/mappings`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
        body: mapping('/page'),
      });
      expect([fromPage.status, ((await fromPage.json()) as { error: { code: string } }).error.code]).toEqual([415, 'ADMIN_UNSUPPORTED_MEDIA_TYPE']);
      const fromOtherSite = await fetch(`${admin}/__admin/mappings`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
        body: mapping('/evil'),
      });
      expect(fromOtherSite.status).toBe(403);
      const notJson = await request(`${admin}/__admin/mappings`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'url=/x',
      });
      expect(notJson.statusCode).toBe(400);
      await notJson.body.dump();
    }
    expect((await fetch(`${url}/page`)).status).toBe(404);
    expect(await (await fetch(`${url}/kept`)).text()).toBe('kept');
  });
});

test('a serve event of a request no mapping answered names the stub WireMock names for it (ANY, 404, one id), so a client reading stubMapping.id of every event gets one', async () => {
  const root = rootOf('serve-events', { 'a.json': { id: 'a-1', request: { method: 'GET', url: '/orders' }, response: { body: 'orders' } } });
  await serving(root, async (url) => {
    await fetch(`${url}/nothing`);
    await fetch(`${url}/orders`);
    await fetch(`${url}/else`, { method: 'POST', body: 'x' });
    type Event = {
      request: { url: string };
      wasMatched: boolean;
      stubMapping: { id: string; uuid: string; request: unknown; response: unknown };
      responseDefinition: unknown;
    };
    const events = (await new WireMock(url).getAllRequests()) as Event[];
    // As the WireMock 3.13.2 jar gives them: newest first; a miss's stub is StubMapping.NOT_CONFIGURED, of one id in a process.
    expect(events.map((event) => [event.request.url, event.wasMatched, event.stubMapping.id === 'a-1'])).toEqual([
      ['/else', false, false],
      ['/orders', true, true],
      ['/nothing', false, false],
    ]);
    const [miss, , other] = events as [Event, Event, Event];
    expect(miss.stubMapping).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      request: { method: 'ANY' },
      response: { status: 404, fromConfiguredStub: false },
      uuid: miss.stubMapping.id,
    });
    expect(other.stubMapping.id).toBe(miss.stubMapping.id);
    expect(miss.responseDefinition).toEqual({ status: 404, fromConfiguredStub: false });
    expect((await fetch(`${url}/orders`)).status).toBe(200);
  });
});

test('a JSON body that is a string or null is sent as written; requests/unmatched lists the newest first, as WireMock does', async () => {
  const json = { 'Content-Type': 'application/json' };
  const root = rootOf('bodies', {
    'quoted.json': { request: { method: 'POST', url: '/card' }, response: { headers: json, body: '"c-1"' } },
    'null.json': { request: { method: 'GET', url: '/nothing' }, response: { headers: json, body: 'null' } },
    'object.json': { request: { method: 'GET', url: '/object' }, response: { headers: json, body: '{"a": 1}' } },
  });
  await serving(root, async (url) => {
    const card = await fetch(`${url}/card`, { method: 'POST' });
    expect([card.status, await card.text()]).toEqual([200, '"c-1"']);
    expect(await (await fetch(`${url}/card`, { method: 'POST' })).json()).toBe('c-1');
    const none = await fetch(`${url}/nothing`);
    expect([none.status, await none.text()]).toEqual([200, 'null']);
    expect(await (await fetch(`${url}/object`)).json()).toEqual({ a: 1 });
    for (const path of ['/first', '/second']) expect((await fetch(`${url}${path}`)).status).toBe(404);
    const unmatched = (await (await fetch(`${url}/__admin/requests/unmatched`)).json()) as { requests: { url: string }[] };
    expect(unmatched.requests.map((request) => request.url)).toEqual(['/second', '/first']);
  });
});

test.each([
  ['a few', 0],
  // Past OWN_ROUTING_MIN_ROUTES routes: the REST adapter routes every request itself.
  ['many', 120],
])('HEAD is answered by HEAD and ANY mappings alone, as WireMock answers it: not by a GET mapping or a file of __files (%s routes)', async (label, more) => {
  const many = Object.fromEntries(
    Array.from({ length: more }, (_, i) => [`more-${i}.json`, { request: { method: 'GET', url: `/more/${i}` }, response: { body: String(i) } }]),
  );
  const root = rootOf(`head-${label}`, {
    ...many,
    'any.json': { request: { method: 'ANY', url: '/any' }, response: { body: 'any' } },
    'head.json': { request: { method: 'HEAD', url: '/head' }, response: { status: 204, headers: { 'x-h': '1' } } },
    'get.json': { request: { method: 'GET', url: '/get' }, response: { body: 'get' } },
  });
  mkdirSync(join(root, '__files'));
  writeFileSync(join(root, '__files/data.json'), '{"a":1}');
  await serving(root, async (url) => {
    const head = (path: string) => fetch(`${url}${path}`, { method: 'HEAD' });
    expect((await head('/any')).status).toBe(200);
    const own = await head('/head');
    expect([own.status, own.headers.get('x-h')]).toEqual([204, '1']);
    for (const path of ['/get', '/data.json', '/nothing']) {
      const missed = await head(path);
      expect([path, missed.status, missed.headers.get('x-mockstack-unmatched')]).toEqual([path, 404, '1']);
    }
    expect(await (await fetch(`${url}/get`)).text()).toBe('get');
    expect(await (await fetch(`${url}/data.json`)).json()).toEqual({ a: 1 });
    // A mapping of method ANY sent at runtime takes HEAD there too.
    await send(`${url}/__admin/mappings`, 'POST', { request: { method: 'ANY', url: '/later' }, response: { body: 'later' } });
    expect((await head('/later')).status).toBe(200);
    expect(await (await fetch(`${url}/later`, { method: 'DELETE' })).text()).toBe('later');
  });
});
