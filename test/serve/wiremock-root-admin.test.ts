/**
 * `mockstack up wiremock/` answers WireMock's admin API about the root's own mappings as
 * `java -jar wiremock-standalone.jar --root-dir wiremock` does (checked against WireMock 3.13.2):
 * they are listed with their ids (one made for a mapping written without), found by metadata, removed
 * and replaced one by one or all at once, and `mappings/reset` (or a reset) serves the files again;
 * the files themselves are never written. A GET no mapping answers is served from `__files`.
 * `--watch` watches the whole `mappings` folder and `__files`.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ReloadResult, type RunningStack, runScenario } from '@mockstack/runner';
import { startStack, type TestStack } from '@mockstack/testing';
import { WireMock } from 'wiremock-captain';

const features = resolve(import.meta.dirname, '../fixtures/wiremock-features');
const BLOCKED = '8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7';
let dir: string;
let root: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mockstack-wiremock-admin-'));
  root = join(dir, 'wiremock');
  cpSync(features, root, { recursive: true });
  writeFileSync(
    join(root, 'mappings/cards.json'),
    JSON.stringify({
      mappings: [
        { request: { method: 'GET', urlPathPattern: '/cards/.*' }, response: { status: 200, jsonBody: { card: 'any' } } },
        {
          id: BLOCKED,
          priority: 1,
          request: { method: 'GET', url: '/cards/blocked' },
          response: { status: 402, jsonBody: { card: 'blocked' } },
          metadata: { team: 'pay' },
        },
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
  mkdirSync(join(root, '__files/static'));
  writeFileSync(join(root, '__files/static/index.html'), '<h1>hi</h1>');
  writeFileSync(join(root, '__files/data.json'), '{"a":1}');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serving(run: (url: string, stack: TestStack) => Promise<void>): Promise<void> {
  const stack = await startStack([root], { admin: true });
  try {
    await run(stack.url('wiremock'), stack);
  } finally {
    await stack.close();
  }
}

const json = async (response: Response) => [response.status, await response.json()];
const send = (url: string, method: string, body?: unknown) =>
  fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
const urlsOf = (mappings: unknown[]) =>
  (mappings as { request: Record<string, string> }[]).map(({ request }) => request.url ?? request.urlPath ?? request.urlPathPattern ?? request.urlPathTemplate);

test("the root's mappings are listed, each with an id, in the order they are tried; one is read by id, found by metadata", async () => {
  let ids: string[] = [];
  await serving(async (url) => {
    const mock = new WireMock(url);
    const listed = (await mock.getAllMappings()) as Record<string, unknown>[];
    expect(listed.length).toBe(15);
    // Priority 1 first; then, of one priority, the last read first (the files by name: users.json is last).
    expect(urlsOf(listed).slice(0, 3)).toEqual(['/cards/blocked', '/literal', '/report']);
    expect(listed[0]).toEqual({
      id: BLOCKED,
      uuid: BLOCKED,
      priority: 1,
      request: { method: 'GET', url: '/cards/blocked' },
      response: { status: 402, jsonBody: { card: 'blocked' } },
      metadata: { team: 'pay' },
    });
    // A mapping written without an id gets one, the same on every start.
    ids = listed.map((m) => m.id as string);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(15);
    const pay = listed.find((m) => (m.request as { url?: string }).url === '/pay');
    expect(await mock.getMapping(pay?.id as string)).toEqual(pay);
    expect(await json(await fetch(`${url}/__admin/mappings?limit=2&offset=1`))).toEqual([200, { mappings: listed.slice(1, 3), meta: { total: 15 } }]);
    const found = await send(`${url}/__admin/mappings/find-by-metadata`, 'POST', { matchesJsonPath: { expression: '$.team', equalTo: 'pay' } });
    expect(await json(found)).toEqual([200, { mappings: [listed[0]], meta: { total: 1 } }]);
    const scenarios = (await mock.getAllScenarios()) as Record<string, unknown>[];
    expect(scenarios).toEqual([{ id: 'checkout', name: 'checkout', state: 'Started', possibleStates: ['Started', 'paid'], mappings: [pay] }]);
  });
  await serving(async (url) => {
    const again = (await new WireMock(url).getAllMappings()) as { id: string }[];
    expect(again.map((m) => m.id)).toEqual(ids);
  });
});

test("a mapping read from the root's files is removed or replaced by id; mappings/reset serves the files again", async () => {
  await serving(async (url) => {
    const mock = new WireMock(url);
    const before = readFileSync(join(root, 'mappings/cards.json'), 'utf8');
    await mock.deleteMapping(BLOCKED);
    expect(await json(await fetch(`${url}/cards/blocked`))).toEqual([200, { card: 'any' }]);
    expect(((await mock.getAllMappings()) as { id: string }[]).some((m) => m.id === BLOCKED)).toBe(false);
    const gone = await fetch(`${url}/__admin/mappings/${BLOCKED}`);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toMatch(/no mapping has id 8c5db8b0.*reset .*serves the root's files again/);

    const any = ((await mock.getAllMappings()) as { id: string; request: { urlPathPattern?: string } }[]).find((m) => m.request.urlPathPattern);
    const edited = { request: { method: 'GET', urlPathPattern: '/cards/.*' }, response: { status: 200, jsonBody: { card: 'edited' } } };
    expect(await json(await send(`${url}/__admin/mappings/${any?.id}`, 'PUT', edited))).toEqual([200, { ...edited, id: any?.id, uuid: any?.id }]);
    expect(await json(await fetch(`${url}/cards/c1`))).toEqual([200, { card: 'edited' }]);
    // A mapping that cannot be served leaves the one in place, and says why.
    const refused = await send(`${url}/__admin/mappings/${any?.id}`, 'PUT', { request: { method: 'GET', url: '/a', urlPath: '/a' } });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/request has url and urlPath/);
    expect(await json(await fetch(`${url}/cards/c1`))).toEqual([200, { card: 'edited' }]);
    expect(((await mock.getAllMappings()) as unknown[]).length).toBe(14);

    await mock.register({ method: 'GET', endpoint: '/runtime' }, { status: 200, body: { runtime: true } });
    expect(((await mock.getAllMappings()) as unknown[]).length).toBe(15);
    // What clearAllExceptDefault does: back to the files' mappings, each served as written.
    await mock.clearAllExceptDefault();
    expect(await json(await fetch(`${url}/cards/blocked`))).toEqual([402, { card: 'blocked' }]);
    expect(await json(await fetch(`${url}/cards/c1`))).toEqual([200, { card: 'any' }]);
    expect((await fetch(`${url}/runtime`)).status).toBe(404);
    expect(((await mock.getAllMappings()) as unknown[]).length).toBe(15);
    expect(readFileSync(join(root, 'mappings/cards.json'), 'utf8')).toBe(before);
  });
});

test('DELETE /__admin/mappings and remove-by-metadata take the files’ mappings too; a reset of the stack serves them again', async () => {
  await serving(async (url, stack) => {
    const mock = new WireMock(url);
    expect((await send(`${url}/__admin/mappings/remove-by-metadata`, 'POST', { matchesJsonPath: { expression: '$.team', equalTo: 'pay' } })).status).toBe(200);
    expect(await json(await fetch(`${url}/cards/blocked`))).toEqual([200, { card: 'any' }]);
    await mock.clearAllMappings();
    expect(await json(await fetch(`${url}/__admin/mappings`))).toEqual([200, { mappings: [], meta: { total: 0 } }]);
    expect((await fetch(`${url}/cards/c1`)).status).toBe(404);
    expect((await fetch(`${url}/literal`)).status).toBe(404);
    // A bad metadata pattern is refused; the stack keeps serving.
    const bad = await send(`${url}/__admin/mappings/find-by-metadata`, 'POST', [1]);
    expect(bad.status).toBe(400);
    await stack.reset();
    expect(await json(await fetch(`${url}/cards/blocked`))).toEqual([402, { card: 'blocked' }]);
    expect(((await mock.getAllMappings()) as unknown[]).length).toBe(15);
  });
});

test('mappings/reset empties the journal and puts every scenario back in Started, as WireMock 3.13 does', async () => {
  await serving(async (url) => {
    const mock = new WireMock(url);
    expect((await fetch(`${url}/pay`, { method: 'POST' })).status).toBe(201);
    expect(((await mock.getAllScenarios()) as { state: string }[])[0]?.state).toBe('paid');
    await mock.resetMappings();
    expect(((await mock.getAllScenarios()) as { state: string }[])[0]?.state).toBe('Started');
    expect(await mock.getAllRequests()).toEqual([]);
    expect((await fetch(`${url}/pay`, { method: 'POST' })).status).toBe(201);
  });
});

test("mappings sent at runtime are tried with the root's by priority, as WireMock 3.13.2 tries them", async () => {
  await serving(async (url) => {
    const mock = new WireMock(url);
    // Default priority 5 under the root's priority 1: the root's answers.
    await mock.register({ method: 'GET', endpoint: '/cards/blocked' }, { status: 200, body: 'runtime, priority 5' });
    expect(await json(await fetch(`${url}/cards/blocked`))).toEqual([402, { card: 'blocked' }]);
    // A fallback of priority 10 answers only what the root's mappings do not.
    await send(`${url}/__admin/mappings`, 'POST', { priority: 10, request: { method: 'GET', urlPattern: '/cards/.*' }, response: { status: 503 } });
    expect(await json(await fetch(`${url}/cards/c1`))).toEqual([200, { card: 'any' }]);
    // Of one priority, the one sent at runtime answers first.
    await send(`${url}/__admin/mappings`, 'POST', { request: { method: 'GET', url: '/cards/c2' }, response: { status: 200, jsonBody: { card: 'runtime' } } });
    expect(await json(await fetch(`${url}/cards/c2`))).toEqual([200, { card: 'runtime' }]);
    await mock.deleteMapping(BLOCKED);
    expect(await (await fetch(`${url}/cards/blocked`)).text()).toBe('runtime, priority 5');
  });
});

test('the journal names the file mapping that answered a request', async () => {
  await serving(async (url) => {
    await fetch(`${url}/cards/blocked`);
    const [event] = (await new WireMock(url).getAllRequests()) as { wasMatched: boolean; stubMapping?: { id: string } }[];
    expect(event).toMatchObject({ wasMatched: true, stubMapping: { id: BLOCKED } });
  });
});

test('a GET no mapping answers is served from __files at its path, as WireMock serves it', async () => {
  await serving(async (url) => {
    const page = await fetch(`${url}/static/index.html`);
    expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([200, 'text/html', '<h1>hi</h1>']);
    for (const path of ['/static/', '/static']) expect(await (await fetch(`${url}${path}`)).text()).toBe('<h1>hi</h1>');
    const data = await fetch(`${url}/data.json`);
    expect([data.headers.get('content-type'), await data.json()]).toEqual(['application/json', { a: 1 }]);
    // Under a route a mapping made, too; a mapping answers first.
    writeFileSync(join(root, '__files/literal'), 'from __files');
    expect(await (await fetch(`${url}/literal`)).text()).toBe('{{not a template}}');
    // Only GET; nothing outside __files; a path that is not percent-encoding is a 404, and the service keeps serving.
    expect((await fetch(`${url}/data.json`, { method: 'POST' })).status).toBe(404);
    for (const path of ['/%2e%2e/mappings/cards.json', '/..%2fmappings%2fcards.json', '/missing.txt']) {
      const response = await fetch(`${url}${path}`);
      expect([path, response.status]).toEqual([path, 404]);
    }
    const malformed = await fetch(`${url}/%E0%A4%A`);
    expect([malformed.status, await malformed.text()]).toEqual([400, expect.stringMatching(/is not a valid url component/)]);
    expect((await fetch(`${url}/data.json`)).status).toBe(200);
    // A GET nothing answers says what was looked for.
    const none = await fetch(`${url}/nothing`);
    expect(await none.text()).toMatch(/\n {2}missed condition .*wiremock\/__files has a file at the path returned false\n/);
  });
});

test('a mapping whose body file is not in __files is served answering 500 naming it, as WireMock serves its root; json-unit placeholders match', async () => {
  // The shape of a public root (edith39/Wiremock, which has no licence: written anew here, not copied): a bodyFileName
  // under a folder __files lacks, and equalToJson with json-unit placeholders.
  const other = join(dir, 'missing-file');
  mkdirSync(join(other, 'mappings'), { recursive: true });
  mkdirSync(join(other, '__files'));
  writeFileSync(
    join(other, 'mappings/product.json'),
    JSON.stringify({
      mappings: [
        {
          request: {
            method: 'POST',
            urlPattern: '/product',
            bodyPatterns: [{ equalToJson: `{"name":"ada","age":"$\{json-unit.any-number}"}`, ignoreExtraElements: true }],
          },
          response: { status: 201, bodyFileName: 'responses/created.json' },
        },
        { request: { method: 'GET', url: '/product' }, response: { status: 200, jsonBody: { served: true } } },
      ],
    }),
  );
  const stack = await startStack([other]);
  try {
    const url = stack.url('missing-file');
    const post = (body: unknown) => fetch(`${url}/product`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const missing = await post({ name: 'ada', age: 3, more: 1 });
    // As the WireMock 3.13.2 jar: 500 naming the file as "Not found in blob store" (its in Jetty's HTML error page), in text.
    expect([missing.status, missing.headers.get('content-type')]).toEqual([500, 'text/plain; charset=utf-8']);
    expect(await missing.text()).toMatch(
      /^Not found in blob store: responses\/created\.json\. bodyFileName responses\/created\.json: no such file in .*__files; add it there/,
    );
    expect((await post({ name: 'ada', age: 'three' })).status).toBe(404);
    expect(await json(await fetch(`${url}/product`))).toEqual([200, { served: true }]);
  } finally {
    await stack.close();
  }
});

describe('--watch', () => {
  let watchRoot: string;
  let running: RunningStack;
  const reloads: ReloadResult[] = [];

  beforeAll(async () => {
    watchRoot = join(dir, 'watched');
    mkdirSync(join(watchRoot, 'mappings'), { recursive: true });
    mkdirSync(join(watchRoot, '__files'));
    writeFileSync(join(watchRoot, '__files/body.txt'), 'first body');
    writeFileSync(join(watchRoot, 'mappings/a.json'), JSON.stringify({ request: { method: 'GET', url: '/a' }, response: { body: 'a' } }));
    writeFileSync(join(watchRoot, 'mappings/body.json'), JSON.stringify({ request: { method: 'GET', url: '/body' }, response: { bodyFileName: 'body.txt' } }));
    running = await runScenario(watchRoot, { watch: true, randomPorts: true, adminPort: 0, onReload: (r) => reloads.push(r) });
  });
  afterAll(() => running.close());

  /** A GET over a connection of its own: a reload that adds a route restarts the server, closing kept-alive sockets. */
  const get = (path: string): Promise<{ status: number; text: string }> =>
    new Promise((done, fail) => {
      const { host, port } = running.stack.address('watched');
      request({ host, port, path, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, text }));
      })
        .on('error', fail)
        .end();
    });
  /**
   * Makes the change `what` to `files` (relative to the root) and waits for the reloads that take all of them:
   * the watcher may see files written together in more than one reload, and a later one would otherwise
   * land in the middle of the next step (serving a mapping the step just removed at runtime again).
   */
  async function change(files: readonly string[], what: () => void): Promise<ReloadResult> {
    const count = reloads.length;
    const wanted = files.map((file) => join(watchRoot, file));
    what();
    const seen = () => new Set(reloads.slice(count).flatMap((r) => r.changed));
    const deadline = Date.now() + 20_000;
    while (!wanted.every((file) => seen().has(file)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const missing = wanted.filter((file) => !seen().has(file));
    if (missing.length) throw new Error(`no reload took ${missing.join(', ')} (reloads since: ${JSON.stringify(reloads.slice(count))})`);
    return reloads.at(-1) as ReloadResult;
  }

  test('a mapping file added to the folder (or a subfolder) after the start is served; one removed is not', async () => {
    expect((await get('/b')).status).toBe(404);
    const added = await change(['mappings/more/b.json'], () => {
      mkdirSync(join(watchRoot, 'mappings/more'));
      writeFileSync(join(watchRoot, 'mappings/more/b.json'), JSON.stringify({ request: { method: 'GET', url: '/b' }, response: { body: 'b' } }));
    });
    expect(added.ok).toBe(true);
    expect((await get('/b')).text).toBe('b');
    expect((await change(['mappings/a.json'], () => unlinkSync(join(watchRoot, 'mappings/a.json')))).ok).toBe(true);
    expect((await get('/a')).status).toBe(404);
  });

  test('a mapping replaced at runtime stays replaced after a reload; one removed is served again, as the files say', async () => {
    const admin = `${running.stack.address('watched').url}/__admin/mappings`;
    await change(['mappings/c.json', 'mappings/d.json'], () => {
      writeFileSync(join(watchRoot, 'mappings/c.json'), JSON.stringify({ id: 'c', request: { method: 'GET', url: '/c' }, response: { body: 'c' } }));
      writeFileSync(join(watchRoot, 'mappings/d.json'), JSON.stringify({ id: 'd', request: { method: 'GET', url: '/d' }, response: { body: 'd' } }));
    });
    // The replacement takes only requests with a header: the file's mapping, if served again, would answer one without.
    const replacement = { request: { method: 'GET', url: '/c', headers: { 'x-v': { equalTo: '2' } } }, response: { body: 'c, replaced' } };
    expect((await send(`${admin}/c`, 'PUT', replacement)).status).toBe(200);
    expect((await send(`${admin}/d`, 'DELETE')).status).toBe(200);
    expect((await get('/d')).status).toBe(404);
    expect((await change(['__files/other.txt'], () => writeFileSync(join(watchRoot, '__files/other.txt'), 'x'))).ok).toBe(true);
    expect((await get('/c')).status).toBe(404);
    expect(await (await fetch(`${running.stack.address('watched').url}/c`, { headers: { 'x-v': '2' } })).text()).toBe('c, replaced');
    expect((await get('/d')).text).toBe('d');
    const listed = (await (await fetch(admin)).json()) as { mappings: { id: string; response: unknown }[] };
    expect(listed.mappings.filter((m) => m.id === 'c')).toEqual([expect.objectContaining(replacement)]);
  });

  test('a body file of __files changed is served', async () => {
    expect((await get('/body')).text).toBe('first body');
    expect((await change(['__files/body.txt'], () => writeFileSync(join(watchRoot, '__files/body.txt'), 'second body'))).ok).toBe(true);
    expect((await get('/body')).text).toBe('second body');
  });

  test('a file added that is not JSON, or a mapping that cannot be served, is an error naming it; the last good mappings keep serving', async () => {
    const broken = await change(['mappings/broken.json'], () => writeFileSync(join(watchRoot, 'mappings/broken.json'), '{ "request": '));
    expect(broken.ok).toBe(false);
    expect(String((broken as { error: unknown }).error)).toMatch(/broken\.json is not JSON/);
    expect((await get('/b')).text).toBe('b');
    const refused = await change(['mappings/broken.json'], () =>
      writeFileSync(join(watchRoot, 'mappings/broken.json'), JSON.stringify({ request: { method: 'GET', url: '/c', urlPath: '/c' } })),
    );
    expect(String((refused as { error: unknown }).error)).toMatch(/broken\.json: request has url and urlPath/);
    expect((await get('/b')).text).toBe('b');
    expect((await change(['mappings/broken.json'], () => unlinkSync(join(watchRoot, 'mappings/broken.json')))).ok).toBe(true);
    expect((await get('/body')).text).toBe('second body');
  });
});
