// Providers' own SDKs against `mockstack up <the provider's published OpenAPI document>`: zero
// config, contract answers, request validation on, real sockets. Each SDK makes its everyday calls,
// parses the answers, follows its pagination and gets its own error types for documented errors.
// Documents and SDKs come from npm, pinned: GitHub (@octokit/openapi, @octokit/rest), Blockfrost
// (@blockfrost/openapi, @blockfrost/blockfrost-js), Ideal Postcodes (@ideal-postcodes/openapi,
// @ideal-postcodes/core-axios) and Directus (@directus/specs, @directus/sdk).
import { resolve } from 'node:path';
import { BlockFrostAPI } from '@blockfrost/blockfrost-js';
import { createDirectus, createItem, readItems, readMe, rest, serverInfo, serverPing, staticToken } from '@directus/sdk';
import idealPostcodes from '@ideal-postcodes/core-axios';
import { startStack, type TestStack } from '@mockstack/testing';
import { Octokit } from '@octokit/rest';
import { Agent, fetch as undiciFetch } from 'undici';

const documentOf = (pkg: string, file: string) => resolve(import.meta.dirname, '../../node_modules', pkg, file);

const stacks: TestStack[] = [];
/** Serves one document zero-config on a free port (seed 7); its one service's URL. */
async function serve(file: string, lenient = false, tls = false): Promise<{ stack: TestStack; url: string }> {
  const stack = await startStack([file], { seed: 7, lenient, tls });
  stacks.push(stack);
  const [service] = Object.keys(stack.services);
  return { stack, url: stack.url(service as string) };
}
afterAll(() => Promise.all(stacks.map((stack) => stack.close())));

describe('GitHub: @octokit/rest against api.github.com.json', () => {
  let stack: TestStack;
  let octokit: Octokit;
  beforeAll(async () => {
    const served = await serve(documentOf('@octokit/openapi', 'generated/api.github.com.json'));
    stack = served.stack;
    // Quiet: the request-log plugin would print every 4xx the tests ask for.
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    octokit = new Octokit({ baseUrl: served.url, auth: 'ghp_test', request: { retries: 0 }, log: quiet });
  });
  beforeEach(() => stack.reset());

  test('repos.get, pulls.create and users.getAuthenticated parse as their types say', async () => {
    const repo = await octokit.rest.repos.get({ owner: 'octocat', repo: 'Hello-World' });
    expect(repo.status).toBe(200);
    expect(repo.data).toMatchObject({ id: expect.any(Number), full_name: expect.stringMatching(/^[^/]+\/[^/]+$/), owner: { login: expect.any(String) } });
    const pull = await octokit.rest.pulls.create({ owner: 'octocat', repo: 'Hello-World', title: 'Fix', head: 'feature', base: 'main' });
    expect(pull.status).toBe(201);
    expect(pull.data).toMatchObject({ number: expect.any(Number), state: expect.stringMatching(/^(open|closed)$/), head: { ref: expect.any(String) } });
    const me = await octokit.rest.users.getAuthenticated();
    expect(me.data.login).toEqual(expect.any(String));
  });

  test("markdown.render and renderRaw get the documented text/html though octokit's Accept asks for its JSON type", async () => {
    const rendered = await octokit.rest.markdown.render({ text: 'Hello **world**' });
    expect(rendered.status).toBe(200);
    expect(rendered.headers['content-type']).toBe('text/html');
    expect(rendered.data).toMatch(/^<p>.*<\/p>/);
    const raw = await octokit.rest.markdown.renderRaw({ data: 'Hello **world**' });
    expect(raw.data).toMatch(/^<p>.*<\/p>/);
    // A format the document does not describe (mediaType raw: application/vnd.github.raw) is still 406.
    await expect(octokit.rest.repos.getReadme({ owner: 'octocat', repo: 'Hello-World', mediaType: { format: 'raw' } })).rejects.toMatchObject({ status: 406 });
  });

  test("octokit.paginate follows the Link header's next page by page, on the mock, to the documented last page", async () => {
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { owner: 'octocat', repo: 'Hello-World', per_page: 2 });
    const pages = stack.requests({ operation: 'GET /repos/:owner/:repo/issues' }).map((entry) => entry.target);
    // GitHub's example Link names page 2 as next and page 5 as last.
    expect(pages).toEqual([
      'GET /repos/octocat/Hello-World/issues?per_page=2',
      ...[2, 3, 4, 5].map((page) => `GET /repos/octocat/Hello-World/issues?per_page=2&page=${page}`),
    ]);
    expect(issues.length).toBeGreaterThanOrEqual(5);
    expect(issues[0]).toMatchObject({ number: expect.any(Number), title: expect.any(String) });
    // A list wrapped in an object (total_count, workflow_runs) is paginated the same way.
    const runs = await octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, { owner: 'octocat', repo: 'Hello-World' });
    expect(runs.length).toBeGreaterThanOrEqual(5);
  });

  test('a documented 404 and a refused request become RequestErrors with the parsed body', async () => {
    const missing = octokit.rest.repos.get({ owner: 'octocat', repo: 'gone', headers: { prefer: 'code=404' } });
    await expect(missing).rejects.toMatchObject({ name: 'HttpError', status: 404, response: { data: { message: expect.any(String) } } });
    // `title` is required by the document: request validation refuses the body in GitHub's own 422 shape.
    const invalid = octokit.request({ method: 'POST', url: '/repos/{owner}/{repo}/issues', owner: 'octocat', repo: 'Hello-World', body: 'no title' });
    await expect(invalid).rejects.toMatchObject({ status: 422, response: { data: { message: expect.any(String) } } });
  });
});

describe('GitHub over TLS: the links point back at https, over HTTP/1.1 and HTTP/2', () => {
  const agents: Agent[] = [];
  afterAll(() => Promise.all(agents.map((agent) => agent.close())));

  test.each([
    ['HTTP/1.1', false],
    ['HTTP/2', true],
  ])('%s: octokit.paginate follows next to the last page', async (_name, allowH2) => {
    const { stack, url } = await serve(documentOf('@octokit/openapi', 'generated/api.github.com.json'), false, true);
    const agent = new Agent({ connect: { ca: stack.ca }, allowH2 });
    agents.push(agent);
    const fetchOverTls = ((input: string, init: object) => undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof fetch;
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    const octokit = new Octokit({ baseUrl: url, auth: 'ghp_test', request: { fetch: fetchOverTls }, log: quiet });
    const first = await octokit.rest.issues.listForRepo({ owner: 'octocat', repo: 'Hello-World' });
    expect(first.headers.link).toBe(
      `<${url}/repos/octocat/Hello-World/issues?page=2>; rel="next", <${url}/repos/octocat/Hello-World/issues?page=5>; rel="last"`,
    );
    await octokit.paginate(octokit.rest.issues.listForRepo, { owner: 'octocat', repo: 'Hello-World' });
    expect(stack.requests({ operation: 'GET /repos/:owner/:repo/issues' })).toHaveLength(1 + 5);
  });
});

describe('Blockfrost: @blockfrost/blockfrost-js against its openapi.yaml', () => {
  let api: BlockFrostAPI;
  beforeAll(async () => {
    // The document writes `type: 'null'` in anyOf branches (valid only in 3.1 while it says 3.0.3): --lenient.
    const { url } = await serve(documentOf('@blockfrost/openapi', 'openapi.yaml'), true);
    api = new BlockFrostAPI({ projectId: 'mainnetTest', customBackend: `${url}/api/v0`, rateLimiter: false });
  });

  test('blocks, addresses and assets parse; the *All methods page until a short page', async () => {
    expect(await api.health()).toEqual({ is_healthy: expect.any(Boolean) });
    const block = await api.blocksLatest();
    expect(block).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), height: expect.any(Number), slot: expect.any(Number) });
    const address = 'addr1qxqs59lphg8g6qndelq8xwqn60ag3aeyfcp33c2kdp46a09re5df3pzwwmyq946axfcejy5n4x0y99wqpgtp2gd0k09qsgy6pz';
    expect((await api.addresses(address)).amount).toEqual(expect.arrayContaining([{ unit: 'lovelace', quantity: expect.stringMatching(/^\d+$/) }]));
    const utxos = await api.addressesUtxosAll(address);
    expect(utxos.length).toBeGreaterThan(0);
    expect(utxos[0]).toMatchObject({ tx_hash: expect.any(String), output_index: expect.any(Number) });
    const asset = await api.assetsById('b0d07d45fe9514f80213f4020e5a61241458be626841cde717cb38a76e7574636f696e');
    expect(asset.quantity).toMatch(/^\d+$/);
  });

  test('txSubmit sends application/cbor and gets the transaction id', async () => {
    expect(await api.txSubmit('84a300818258200000')).toEqual(expect.any(String));
  });
});

describe('Ideal Postcodes: @ideal-postcodes/core-axios against its openapi.json', () => {
  const { Client, lookupPostcode, lookupUdprn, checkKeyUsability, postcodes, errors } = idealPostcodes;
  let client: InstanceType<typeof Client>;
  beforeAll(async () => {
    const { url } = await serve(documentOf('@ideal-postcodes/openapi', 'dist/openapi.json'));
    client = new Client({ api_key: 'ak_test', tls: false, baseUrl: new URL(url).host, version: 'v1' });
  });

  test('postcode, UDPRN and key lookups parse into addresses', async () => {
    const addresses = await lookupPostcode({ client, postcode: 'SW1A 2AA' });
    expect(addresses[0]).toMatchObject({ postcode: expect.any(String), udprn: expect.any(Number), line_1: expect.any(String) });
    expect(await lookupUdprn({ client, udprn: 23747771 })).toMatchObject({ udprn: expect.any(Number) });
    expect(await checkKeyUsability({ client })).toMatchObject({ available: expect.any(Boolean) });
  });

  test("a documented 404 is the SDK's own error class", async () => {
    const missing = postcodes.retrieve(client, 'ID1 1QD', { query: { api_key: 'ak_test' }, header: { prefer: 'code=404' } });
    await expect(missing).rejects.toBeInstanceOf(errors.IdpcPostcodeNotFoundError);
  });
});

describe('Directus: @directus/sdk against its openapi.json', () => {
  let client: ReturnType<typeof directusClient>;
  const directusClient = (url: string) => createDirectus(url).with(staticToken('token')).with(rest());
  beforeAll(async () => {
    // `schema: null` for POST /items/{collection}'s body: --lenient.
    const { url } = await serve(documentOf('@directus/specs', 'dist/openapi.json'), true);
    client = directusClient(url);
  });

  test('readMe, readItems with filter/sort/fields, createItem and serverInfo', async () => {
    expect(await client.request(readMe({ fields: ['id', 'email'] }))).toMatchObject({ id: expect.any(String), email: expect.any(String) });
    const items = await client.request(readItems('articles', { fields: ['*'], filter: { status: { _eq: 'published' } }, sort: ['-date_created'], limit: 2 }));
    expect(Array.isArray(items)).toBe(true);
    expect(await client.request(createItem('articles', { title: 'Hello' }))).toEqual(expect.any(Object));
    expect(await client.request(serverInfo())).toEqual(expect.any(Object));
  });

  test("serverPing gets the document's text: `application/text` with a string schema whose example is pong", async () => {
    // The SDK decodes JSON and text/* only and hands back the Response for the document's `application/text`.
    const answer: unknown = await client.request(serverPing());
    expect(answer).toBeInstanceOf(Response);
    expect((answer as Response).headers.get('content-type')).toBe('application/text');
    expect(await (answer as Response).text()).toBe('pong');
  });
});
