// Providers' own documents served zero-config, asked as their official SDKs ask (the requests
// @kubernetes/client-node 1.4.0, jira.js 5.4.0, twilio 6.3.1 and square 46.0.0 send, made with fetch: each SDK is tens
// of megabytes). Fixtures: reduced copies of the providers' documents under test/fixtures/<provider>.
import { resolve } from 'node:path';
import { servedDocuments } from '../helpers/served-documents.js';

const { serve, serveDocument } = servedDocuments('provider-sdks');
const fixture = (provider: string) => resolve(import.meta.dirname, `../fixtures/${provider}/openapi.json`);

describe("Kubernetes' document: a path asked for with or without the trailing slash it is written with", () => {
  let base: string;
  const get = (path: string, headers: Record<string, string> = { authorization: 'Bearer t' }) => fetch(`${base}${path}`, { headers });
  beforeAll(async () => {
    base = await serve(fixture('kubernetes'));
  });

  test("VersionApi.getCode's GET /version is /version/ (was 405 saying GET is allowed)", async () => {
    const response = await get('/version');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expect.objectContaining({ gitVersion: expect.any(String), major: expect.any(String) }));
    expect((await get('/version/')).status).toBe(200);
  });

  test('a path written without the slash takes one too, with its parameters and query; the contract still applies', async () => {
    const response = await get('/api/v1/namespaces/default/configmaps/settings/?pretty=true');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expect.objectContaining({ metadata: expect.any(Object) }));
    // Still refused without the bearer token the document asks for, and other methods still 405.
    expect((await get('/version', {})).status).toBe(401);
    const post = await fetch(`${base}/version`, { method: 'POST', headers: { authorization: 'Bearer t' } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await get('/versions')).status).toBe(404);
    expect((await get('/version')).status).toBe(200);
  });
});

describe("Kubernetes' document: a JSON Patch body is an array of operations, whatever its schema says", () => {
  let base: string;
  const patch = (body: unknown, type = 'application/json-patch+json') =>
    fetch(`${base}/api/v1/namespaces/default/configmaps/settings`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer t', 'content-type': type, accept: 'application/json' },
      body: JSON.stringify(body),
    });
  beforeAll(async () => {
    base = await serve(fixture('kubernetes'));
  });

  test("patchNamespacedConfigMap's JSON Patch is taken (was 422 'must be object'); one that is no JSON Patch is refused", async () => {
    const taken = await patch([{ op: 'replace', path: '/data/mode', value: 'fast' }]);
    expect(taken.status).toBe(200);
    expect(await taken.json()).toEqual(expect.objectContaining({ metadata: expect.any(Object) }));
    const notPatch = await patch({ data: { mode: 'fast' } });
    expect(notPatch.status).toBe(422);
    expect(notPatch.headers.get('x-mockstack-contract-violation')).toMatch(/must be array/);
    const badOp = await patch([{ op: 'rename', path: '/data' }]);
    expect(badOp.status).toBe(422);
    // The other patch types keep the document's object schema.
    const merged = await patch({ data: { mode: 'fast' } }, 'application/merge-patch+json');
    expect(merged.status).toBe(200);
    expect((await patch([{ op: 'add', path: '/data/x', value: '1' }], 'application/merge-patch+json')).status).toBe(422);
    expect((await patch([{ op: 'remove', path: '/data/mode' }])).status).toBe(200);
  });
});

describe("Kubernetes' document: a list asked to watch answers watch events", () => {
  test("Watch's GET …/configmaps?watch=true gets one ADDED event a line (was the list as one line: an event with no type)", async () => {
    const base = await serve(fixture('kubernetes'));
    const headers = { authorization: 'Bearer t' };
    const list = (await (await fetch(`${base}/api/v1/namespaces/default/configmaps`, { headers })).json()) as { items: unknown[] };
    const watched = await fetch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1`, { headers });
    expect(watched.status).toBe(200);
    expect(watched.headers.get('content-type')).toMatch(/^application\/json;stream=watch/);
    // @kubernetes/client-node's Watch: each line is JSON.parse'd into { type, object }.
    const events = (await watched.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; object: { metadata: object } });
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(event).toEqual({ type: 'ADDED', object: expect.objectContaining({ metadata: expect.any(Object) }) });
    // watch=false, and a list without the flag, are the list as before.
    expect(await (await fetch(`${base}/api/v1/namespaces/default/configmaps?watch=false`, { headers })).json()).toEqual(list);
  });
});

describe("Jira's document: examples written as the text of their JSON", () => {
  test('myself.getCurrentUser() gets the User object (was a JSON string holding it), named examples too', async () => {
    const base = await serve(fixture('jira'));
    const response = await fetch(`${base}/rest/api/3/myself`, {
      headers: { authorization: `Basic ${btoa('ann@example.com:token')}`, accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    const user = await response.json();
    expect(user).toEqual(expect.objectContaining({ accountId: '5b10a2844c20165700ede21g', emailAddress: 'mia@example.com', active: true }));

    const text = (example: unknown) => ({
      200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' }, examples: { one: { value: example } } } } },
    });
    const strings = { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'string' }, example: '{"a": 1}' } } } };
    const other = await serveDocument('json-text-examples', {
      openapi: '3.0.3',
      info: { title: 'examples', version: '1' },
      paths: {
        '/named': { get: { responses: text('[{"id": 1}]') } },
        '/broken': { get: { responses: text('{"id": ') } },
        '/string': { get: { responses: strings } },
      },
    });
    expect(await (await fetch(`${other}/named`)).json()).toEqual([{ id: 1 }]);
    // Text that is not JSON, and a string the schema takes, are served as written.
    expect(await (await fetch(`${other}/broken`)).json()).toBe('{"id": ');
    expect(await (await fetch(`${other}/string`)).json()).toBe('{"a": 1}');
  });
});

describe("Twilio's document: next_page_uri is a path the SDK puts after its base URL", () => {
  test('messages.each() pages as the SDK does (base URL + next_page_uri) and ends', async () => {
    const base = await serve(fixture('twilio'));
    const headers = { authorization: `Basic ${btoa('AC00000000000000000000000000000000:token')}` };
    const seen: string[] = [];
    // twilio's Page.getNextPageUrl: domain.absoluteUrl(next_page_uri), its base URL followed by the value.
    let next: string | null = `${base}/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json?PageSize=2`;
    while (next && seen.length < 10) {
      const response = await fetch(next, { headers });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { messages: unknown[]; next_page_uri: string | null };
      seen.push(next);
      next = page.next_page_uri === null ? null : `${base}${page.next_page_uri}`;
    }
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatch(/^http:\/\/[^/]+\/2010-04-01\/Accounts\/AC0+\/Messages\.json\?PageSize=2&PageToken=/);
  });
});

describe("Twilio's v1 documents: meta.key names the page's list", () => {
  test('conversations.list() reads the items from payload[meta.key] (was undefined: a generated string) and pages by meta.next_page_url', async () => {
    const base = await serve(resolve(import.meta.dirname, '../fixtures/twilio/conversations-v1.json'));
    const headers = { authorization: `Basic ${btoa('AC00000000000000000000000000000000:token')}` };
    const pages: unknown[][] = [];
    let next: string | null = `${base}/v1/Conversations?PageSize=2`;
    while (next && pages.length < 10) {
      const response = await fetch(next, { headers });
      expect(response.status).toBe(200);
      const page = (await response.json()) as Record<string, unknown> & { meta: { key: string; next_page_url: string | null } };
      // twilio's Page.loadPage: payload[payload.meta.key], then forEach over it.
      expect(page.meta.key).toBe('conversations');
      pages.push(page[page.meta.key] as unknown[]);
      next = page.meta.next_page_url;
    }
    expect(pages).toHaveLength(2);
    expect(pages.every((items) => Array.isArray(items) && items.length > 0)).toBe(true);
  });
});

describe("Square's document: the next cursor is answered under the name the request sends it by", () => {
  let base: string;
  const headers = { authorization: 'Bearer EAAA-token', 'square-version': '2025-10-16', 'content-type': 'application/json' };
  beforeAll(async () => {
    base = await serve(fixture('square'));
  });

  test('payments.list() paging ends: the page a cursor asks for has no cursor (was one on every page, forever)', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const url = `${base}/v2/payments?${new URLSearchParams({ ...(cursor !== undefined && { cursor }), limit: '2' })}`;
      const response = await fetch(url, { headers });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { payments: { id: string }[]; cursor?: string };
      expect(page.payments.length).toBeGreaterThan(0);
      seen.push(url);
      cursor = page.cursor;
    } while (cursor !== undefined && seen.length < 10);
    expect(seen).toHaveLength(2);
  });

  test('customers.search() pages by a cursor in its JSON body, and ends', async () => {
    const search = async (body: object) => {
      const response = await fetch(`${base}/v2/customers/search`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
      return (await response.json()) as { customers: unknown[]; cursor?: string };
    };
    const first = await search({ limit: 2 });
    expect(first.cursor).toEqual(expect.any(String));
    const last = await search({ limit: 2, cursor: first.cursor });
    expect(last.customers.length).toBeGreaterThan(0);
    expect(last).not.toHaveProperty('cursor');
    // An empty cursor asks for the first page; a body breaking the document is still refused.
    expect((await search({ limit: 2, cursor: '' })).cursor).toEqual(expect.any(String));
    const refused = await fetch(`${base}/v2/customers/search`, { method: 'POST', headers, body: JSON.stringify({ limit: 'two' }) });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('x-mockstack-contract-violation')).toMatch(/limit/);
    expect((await search({ limit: 2 })).cursor).toEqual(expect.any(String));
  });

  test('a bare after in a body is a position, not a cursor: the answer is the usual one', async () => {
    const page = {
      type: 'object',
      required: ['has_more', 'next_cursor'],
      properties: { has_more: { type: 'boolean', enum: [true] }, next_cursor: { type: 'string' } },
    };
    const other = await serveDocument('body-position', {
      openapi: '3.0.3',
      info: { title: 'append', version: '1' },
      paths: {
        '/blocks/children': {
          patch: {
            requestBody: {
              content: { 'application/json': { schema: { type: 'object', properties: { after: { type: 'string' }, start_cursor: { type: 'string' } } } } },
            },
            responses: { 200: { description: 'ok', content: { 'application/json': { schema: page } } } },
          },
        },
      },
    });
    const append = async (body: object) =>
      (await (
        await fetch(`${other}/blocks/children`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      ).json()) as {
        has_more: boolean;
        next_cursor: string;
      };
    expect((await append({ after: 'block-1' })).next_cursor).not.toBe('');
    expect(await append({ start_cursor: 'c-1' })).toEqual({ has_more: false, next_cursor: '' });
  });
});
