/**
 * `mockstack import` over a corpus of real files (test/corpus-import, sources in its README):
 * WireMock mappings with scenario states, a Postman collection with saved examples, a HAR file and
 * a json-server db.json. Each written scenario passes `check`, serves what its source described,
 * and lists what it could not translate.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { check } from '@mockstack/contracts';
import { emitScenario, importSource } from '@mockstack/record';
import { startStack } from '@mockstack/testing';

const root = resolve(import.meta.dirname, '../..');
const corpus = join(root, 'test', 'corpus-import');
const temp = join(root, 'test', `.import-tmp-${process.pid}`);

beforeAll(() => {
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(temp, 'package.json'), JSON.stringify({ name: 'imported', private: true, type: 'module' }));
  writeFileSync(join(temp, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function imported(source: string, name: string) {
  const result = importSource(join(corpus, source));
  const written = await emitScenario(result.draft, { out: join(temp, 'scenarios', `${name}.ts`), origin: `import of ${source}` });
  return { ...written, format: result.format, text: readFileSync(written.file, 'utf8') };
}

test('every format of the corpus is written as a scenario that passes check and serves what its source said', async () => {
  const wiremock = await imported('wiremock', 'wiremock');
  const postman = await imported('postman/collection-v2.json', 'postman');
  const har = await imported('har/headers.har', 'har');
  const jsonServer = await imported('json-server/db.json', 'json-server');
  expect([wiremock.format, postman.format, har.format, jsonServer.format]).toEqual(['wiremock', 'postman', 'har', 'json-server']);

  // What could not be translated is a warning and a comment in the file, never dropped silently.
  expect(wiremock.warnings).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/with-several-mappings-in-one-file\.json#3: bodyFileName body\.xml: no such file/),
      expect.stringMatching(/slow-response\.json: bodyFileName stuff\.txt: no such file/),
    ]),
  );
  for (const { text, warnings } of [wiremock, postman]) for (const warning of warnings) expect(text).toContain(`// - ${warning}`);
  expect(postman.warnings).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/This is a folder \/ 201: no saved example response/),
      expect.stringMatching(/response header authorization left out \(a secret/),
    ]),
  );
  expect(postman.text).not.toContain('dh37fgj492je');
  expect(wiremock.text).toContain("machines: { 'To do list': ['Started', 'Cancel newspaper item added'] }");

  for (const { file } of [wiremock, postman, har, jsonServer]) expect((await check([file], { root: temp })).problems).toEqual([]);

  const stack = await startStack(wiremock.file);
  try {
    const base = stack.url('wiremock');
    expect(await (await fetch(`${base}/testjsonmapping`)).json()).toEqual({ key: 'value', array: [1, 2, 3], bignumber: 1234567890.12 });
    expect((await fetch(`${base}/multi/2`)).status).toBe(200);
    // The scenario's state machine: the list changes once the item is added.
    expect(await (await fetch(`${base}/todo/items`)).text()).toBe('<items><item>Buy milk</item></items>');
    // The POST's body pattern (contains) is a condition: another body is not that rule's.
    expect((await fetch(`${base}/todo/items`, { method: 'POST', body: 'Buy bread' })).status).toBe(404);
    expect((await fetch(`${base}/todo/items`, { method: 'POST', body: 'Cancel newspaper subscription' })).status).toBe(201);
    const after = await fetch(`${base}/todo/items`);
    expect([after.status, await after.text()]).toEqual([200, '']);
  } finally {
    await stack.close();
  }

  const others = await startStack(join(temp, 'scenarios', 'har.ts'));
  try {
    expect(await (await fetch(`${others.url('httpbin')}/headers`)).json()).toEqual({ headers: { Accept: 'text/json', 'X-Foo': 'Bar' } });
  } finally {
    await others.close();
  }

  const postmanStack = await startStack(postman.file);
  try {
    const ok = await fetch(`${postmanStack.url('httpStatusMessages')}/status/200`);
    expect([ok.status, ok.headers.get('authorization'), await ok.text()]).toEqual([200, null, 'response body']);
  } finally {
    await postmanStack.close();
  }

  const db = await startStack(jsonServer.file);
  try {
    const posts = await fetch(`${db.url('db')}/posts?_sort=title&_order=desc`);
    expect(posts.headers.get('x-total-count')).toBe('2');
    expect(await posts.json()).toEqual([
      { id: '2', title: 'another title' },
      { id: '1', title: 'a title' },
    ]);
    expect(await (await fetch(`${db.url('db')}/comments?postId=1&q=another`)).json()).toEqual([{ id: '2', text: 'another comment about post 1', postId: '1' }]);
    expect(await (await fetch(`${db.url('db')}/profile`)).json()).toEqual({ name: 'typicode' });
  } finally {
    await db.close();
  }
}, 180_000);

test("WireMock stubs with response templates (transformers: ['response-template']), faults and delay distributions", async () => {
  const result = importSource(join(root, 'test', 'fixtures', 'wiremock-features'));
  const written = await emitScenario(result.draft, { out: join(temp, 'scenarios', 'templates.ts'), origin: 'import of wiremock-features' });
  const text = readFileSync(written.file, 'utf8');
  expect(text).toContain("rest.get('/users/:id'");
  expect(text).toContain('template({');
  expect(written.warnings).toEqual([]);
  expect((await check([written.file], { root: temp })).problems).toEqual([]);
  const stack = await startStack(written.file);
  try {
    const base = stack.url(Object.keys(stack.services)[0] as string);
    const user = await fetch(`${base}/users/U42`, { headers: { 'x-trace-id': 't-1' } });
    expect(user.status).toBe(404);
    const found = await fetch(`${base}/users/u42`, { headers: { 'x-trace-id': 't-1' } });
    expect(found.headers.get('x-trace')).toBe('t-1');
    expect(await found.json()).toEqual({ id: 'u42', collection: 'users', email: 'u42@example.com', since: new Date().toISOString().slice(0, 10) });
    const order = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ref: 'A-1', lines: [1, 2, 3] }),
    });
    expect([order.status, order.headers.get('location')]).toEqual([201, '/orders/A-1']);
    expect(await order.json()).toEqual({ ref: 'A-1', lines: 3, trackingNumber: expect.stringMatching(/^TRK-\d{8}$/) });
    expect(await (await fetch(`${base}/report?team=core&full=yes`)).text()).toBe('Report for core (full)\n');
    expect(await (await fetch(`${base}/literal`)).text()).toBe('{{not a template}}');

    // Faults: the connection reset, closed empty, cut mid-body; a body dribbled; delays drawn from the distribution.
    await expect(fetch(`${base}/reset`)).rejects.toThrow(/fetch failed/);
    await expect(fetch(`${base}/empty`)).rejects.toThrow(/fetch failed/);
    const malformed = await fetch(`${base}/malformed`);
    await expect(malformed.text()).rejects.toThrow();
    const slowStart = performance.now();
    expect(await (await fetch(`${base}/slow-body`)).text()).toBe('0123456789');
    expect(performance.now() - slowStart).toBeGreaterThanOrEqual(200);
    const jitterStart = performance.now();
    expect(await (await fetch(`${base}/jittery`)).json()).toEqual({ ok: true });
    expect(performance.now() - jitterStart).toBeGreaterThanOrEqual(95);
    expect((await fetch(`${base}/long-tail`)).status).toBe(200);
    // Body patterns on the JSON (matchesJsonPath) and on the text (doesNotMatch) are conditions.
    const person = (body: unknown) => fetch(`${base}/persons`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const attributes = { nationalIdentityNumber: '01020312345' };
    expect((await person({ data: { type: 'Person', attributes } })).status).toBe(201);
    expect((await person({ data: { type: 'Company', attributes } })).status).toBe(422);
    expect((await person({ data: { type: 'Person', attributes: { nationalIdentityNumber: '123' } } })).status).toBe(422);
    expect((await person({ data: { type: 'Person', attributes, note: 'test-only' } })).status).toBe(422);
    expect(text).toContain('fault.drop()');
    expect(text).toContain('delay: { median: 20, sigma: 0.1 }');
  } finally {
    await stack.close();
  }
});

test('WireMock negated and absent matchers and proxy stubs are written as code that serves them; a cookie match is a secret left out', async () => {
  const seen: string[] = [];
  const upstream = createServer((request, response) => {
    seen.push(`${request.url} ${request.headers['x-api-key']} ${request.headers['x-debug']}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ real: request.url }));
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
  const dir = join(temp, 'wiremock-matchers');
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  writeFileSync(
    join(dir, 'mappings', 'matchers.json'),
    JSON.stringify({
      mappings: [
        { priority: 1, request: { method: 'GET', urlPath: '/items', queryParameters: { q: { absent: true } } }, response: { jsonBody: { all: true } } },
        { priority: 2, request: { method: 'GET', urlPath: '/items', queryParameters: { q: { doesNotMatch: 'x.*' } } }, response: { jsonBody: { q: 'not x' } } },
        { priority: 3, request: { method: 'GET', urlPath: '/items', cookies: { session: { equalTo: 's1' } } }, response: { jsonBody: { session: true } } },
        {
          request: { method: 'GET', urlPathPattern: '/upstream/.*' },
          response: {
            proxyBaseUrl: base,
            proxyUrlPrefixToRemove: '/upstream',
            additionalProxyRequestHeaders: { 'X-Api-Key': 'k1' },
            removeProxyRequestHeaders: ['x-debug'],
          },
        },
      ],
    }),
  );
  try {
    const written = await emitScenario(importSource(dir).draft, { out: join(temp, 'scenarios', 'wiremock-matchers.ts'), origin: 'a test' });
    const text = readFileSync(written.file, 'utf8');
    expect(text).toContain(`rest.proxy('${base}', {`);
    expect(text).toMatch(/headers: \{ 'x-api-key': 'k1' \},\s+removeHeaders: \['x-debug'\],\s+stripPrefix: '\/upstream',/);
    // A cookie is a secret: its match is left out, said so (--no-redact keeps it).
    expect(written.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/the match on header cookie left out \(a secret/)]));
    expect((await check([written.file], { root: temp })).problems).toEqual([]);
    const stack = await startStack(written.file);
    try {
      const url = stack.url('wiremockMatchers');
      expect(await (await fetch(`${url}/items`)).json()).toEqual({ all: true });
      expect(await (await fetch(`${url}/items?q=abc`)).json()).toEqual({ q: 'not x' });
      expect(await (await fetch(`${url}/upstream/a/b?c=1`, { headers: { 'x-debug': 'yes' } })).json()).toEqual({ real: '/a/b?c=1' });
      expect(seen).toEqual(['/a/b?c=1 k1 undefined']);
    } finally {
      await stack.close();
    }
  } finally {
    await new Promise((done) => upstream.close(done));
  }
});

test('a file import cannot read is one clear error naming what it reads', () => {
  const bad = join(temp, 'bad.json');
  writeFileSync(bad, '{ not json');
  expect(() => importSource(bad)).toThrow(/bad\.json is not JSON/);
  const swagger = join(temp, 'swagger.json');
  writeFileSync(swagger, JSON.stringify({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} }));
  expect(() => importSource(swagger)).toThrow(/write a scenario for it with mockstack import swagger\.json/);
  expect(() => importSource(join(temp, 'missing.json'))).toThrow(/missing\.json does not exist/);
});

test('the wider corpus: browser recordings, a WireMock Docker sample, a Postman digest-auth collection', async () => {
  const wiremock = await imported('wiremock-docker', 'wiremock-docker');
  const chrome = await imported('har/chrome51.har', 'chrome51');
  const firefox = await imported('har/firefox47.har', 'firefox47');
  const json = await imported('har/json.har', 'json');
  const posted = await imported('har/post-empty-post-data.har', 'post-empty-post-data');
  const digest = await imported('postman/digest.json', 'digest');
  const all = [wiremock, chrome, firefox, json, posted, digest];
  for (const { file } of all) expect([file, (await check([file], { root: temp })).problems]).toEqual([file, []]);

  // What is left out is said: requests the browser never got answered, secrets. A WireMock `absent` matcher is translated.
  expect(wiremock.warnings.filter((warning) => warning.includes('pretty'))).toEqual([]);
  expect(readFileSync(wiremock.file, 'utf8')).toContain('pretty: (value: unknown) => value === undefined');
  expect(firefox.warnings).toEqual(
    expect.arrayContaining([expect.stringMatching(/GET https:\/\/expired\.badssl\.com\/style\.css: no answer was recorded \(status 0/)]),
  );
  expect(digest.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/response header authorization left out/)]));

  const served = async (file: string, check: (base: (service: string) => string) => Promise<void>) => {
    const stack = await startStack(file);
    try {
      await check((service) => stack.url(service));
    } finally {
      await stack.close();
    }
  };
  await served(wiremock.file, async (url) => {
    // `pretty=true` gets the file's body; without `pretty` (absent), the other stub answers.
    const pretty = await fetch(`${url('wiremockDocker')}/user?pretty=true`);
    expect(await pretty.json()).toEqual(JSON.parse(readFileSync(join(corpus, 'wiremock-docker', '__files', 'user.json'), 'utf8')));
    expect(((await (await fetch(`${url('wiremockDocker')}/user`)).json()) as { favorite_tool: string }).favorite_tool).toBe('WireMock');
    expect(await (await fetch(`${url('wiremockDocker')}/hello`)).json()).toEqual(
      JSON.parse(readFileSync(join(corpus, 'wiremock-docker', '__files', 'hello.json'), 'utf8')),
    );
  });
  await served(json.file, async (url) => {
    // (what HAR Viewer's test saved as this answer's body is itself a HAR document)
    const answer = await fetch(`${url('jsonplaceholder')}/posts/1`);
    expect([answer.headers.get('content-type'), ((await answer.json()) as { log: { creator: { name: string } } }).log.creator.name]).toEqual([
      'application/json; charset=utf-8',
      'WebInspector',
    ]);
  });
  await served(chrome.file, async (url) => {
    // The recording's relative URL is taken as on the page's origin; its binary answer is listed, not served.
    expect((await fetch(`${url('stevesouders')}/cuzillion/?c0=bi1hfff2_0_f&t=1466791134682`)).status).toBe(200);
    expect(chrome.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/logo-32x32\.gif: a binary answer \(image\/gif\) is not translated/)]));
  });
  await served(posted.file, async (url) => {
    expect((await fetch(`${url('facebook')}/react/docs/tags-and-attributes.html`, { method: 'POST' })).status).toBe(200);
  });
}, 180_000);
