/**
 * WireMock's XML, logical, multi-value, date/time and multipart matchers in mappings sent to the admin API: a
 * corpus of mappings from WireMock's request-matching docs and requests that should and should not
 * match them, each answered as real WireMock 3.13.2 answered it (test/fixtures/wiremock-matchers);
 * the same matchers through wiremock-captain and wiremock-rest-client; and each bad matcher refused
 * with a 400 that says what to change, while the stack keeps serving.
 */
import { type RunningStack, runScenario } from '@mockstack/runner';
import { rest, scenario } from 'mockstack';
import { MatchingAttributes, WireMock } from 'wiremock-captain';
import { WireMockRestClient } from 'wiremock-rest-client';
import { adminRequest } from '../helpers/admin.js';
import { answerTo as answerAt, type CorpusRequest, corpus, corpusRows } from '../helpers/wiremock-corpus.js';

const soap = scenario('wiremock-matchers').services({
  soap: rest({ port: 0 }, [rest.get('/health', { ok: true })]),
});
let running: RunningStack;
let admin: string;
let url: string;
beforeAll(async () => {
  running = await runScenario(soap, { randomPorts: true, adminPort: 0 });
  admin = running.admin?.url ?? '';
  url = running.stack.address('soap').url;
});
afterAll(() => running.close());

const answerTo = (request: Omit<CorpusRequest, 'expected' | 'name'>) => answerAt(url, request);
const send = async (method: string, path: string, body?: unknown) => {
  const response = await adminRequest(admin, method, path, body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const stillServing = async () => expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true });

describe('the corpus answers as real WireMock answered it', () => {
  beforeAll(async () => {
    running.stack.engine.reset();
    expect((await send('POST', '/mappings/import', { mappings: corpus.mappings })).status).toBeLessThan(300);
  });
  const { alike, differing } = corpusRows();
  test.each(alike)('%s', async (_, request) => {
    expect(await answerTo(request)).toEqual(request.expected);
  });
  test.each(differing)('known difference: %s', async (_, request) => {
    expect(await answerTo(request)).not.toEqual(request.expected);
  });
});

describe('through the WireMock clients', () => {
  beforeEach(() => running.stack.engine.reset());
  const post = (path: string, body: string) => answerTo({ method: 'POST', path, headers: { 'content-type': 'text/xml' }, body });

  test('wiremock-captain: a SOAP stub with equalToXml matches the document however it is laid out', async () => {
    const mock = new WireMock(new URL(admin).origin);
    await mock.register(
      { method: 'POST', endpoint: '/soap/orders', body: '<Envelope><Body><GetOrder id="7" lang="en"/></Body></Envelope>' },
      { status: 200, body: 'order 7' },
      { requestBodyFeature: MatchingAttributes.EqualToXml },
    );
    expect(await post('/soap/orders', '<Envelope>\n  <Body>\n    <GetOrder lang="en" id="7"></GetOrder>\n  </Body>\n</Envelope>')).toEqual({
      status: 200,
      body: 'order 7',
    });
    expect(await post('/soap/orders', '<Envelope><Body><GetOrder id="8" lang="en"/></Body></Envelope>')).toEqual({ status: 404, body: '(no match)' });
    expect(await post('/soap/orders', '<Envelope><Body>')).toEqual({ status: 404, body: '(no match)' });
  });

  test('wiremock-rest-client: matchesXPath with namespaces, hasExactly on a query parameter, a date header', async () => {
    const client = new WireMockRestClient(new URL(admin).origin, { logLevel: 'silent' });
    await client.mappings.createMapping({
      request: {
        method: 'POST',
        urlPath: '/soap/stock',
        bodyPatterns: [{ matchesXPath: { expression: '//m:StockName/text()', equalTo: 'IBM' }, xPathNamespaces: { m: 'http://example.com/stock' } }],
      },
      response: { status: 200, body: 'IBM quote' },
    });
    await client.mappings.createMapping({
      request: { method: 'GET', urlPath: '/things', queryParameters: { id: { hasExactly: [{ equalTo: '1' }, { equalTo: '2' }] } } },
      response: { status: 200, body: 'things 1 and 2' },
    });
    await client.mappings.createMapping({
      request: { method: 'GET', urlPath: '/since', headers: { 'If-Modified-Since': { after: '2024-01-01T00:00:00Z' } } },
      response: { status: 200, body: 'modified' },
    });
    const stock = (name: string) => `<q:GetStockPrice xmlns:q="http://example.com/stock"><q:StockName>${name}</q:StockName></q:GetStockPrice>`;
    expect(await post('/soap/stock', stock('IBM'))).toEqual({ status: 200, body: 'IBM quote' });
    expect(await post('/soap/stock', stock('ACME'))).toEqual({ status: 404, body: '(no match)' });
    expect(await answerTo({ method: 'GET', path: '/things?id=2&id=1' })).toEqual({ status: 200, body: 'things 1 and 2' });
    expect((await answerTo({ method: 'GET', path: '/things?id=1' })).status).toBe(404);
    expect(await answerTo({ method: 'GET', path: '/since', headers: { 'If-Modified-Since': 'Wed, 21 Oct 2025 07:28:00 GMT' } })).toEqual({
      status: 200,
      body: 'modified',
    });
    expect((await answerTo({ method: 'GET', path: '/since', headers: { 'If-Modified-Since': 'Wed, 21 Oct 2015 07:28:00 GMT' } })).status).toBe(404);
  });

  test('verification: a request pattern with matchesXPath counts the journal entries it matches', async () => {
    await post('/anything', '<order><id>1</id></order>');
    await post('/anything', '<order><id>2</id></order>');
    expect((await send('POST', '/requests/count', { method: 'POST', bodyPatterns: [{ matchesXPath: '/order[id=2]' }] })).body).toEqual({ count: 1 });
  });
});

describe('a bad matcher is refused with a 400 that says what to change, and the stack keeps serving', () => {
  const refusal = (request: Record<string, unknown>) =>
    send('POST', '/mappings', { request: { method: 'POST', urlPath: '/refused', ...request }, response: {} });
  test.each([
    ['malformed XML in equalToXml', { bodyPatterns: [{ equalToXml: '<a><b></a>' }] }, 'equalToXml is not well-formed XML ('],
    ['an XPath that does not compile', { bodyPatterns: [{ matchesXPath: '//order[' }] }, 'the XPath "//order[" does not compile'],
    [
      'xPathNamespaces that are not a map of URIs',
      { bodyPatterns: [{ matchesXPath: '/a', xPathNamespaces: ['x'] }] },
      'xPathNamespaces must map prefixes to namespace URIs',
    ],
    ['a bad date expression', { headers: { Date: { before: 'now +3 fortnights' } } }, 'header Date: before "now +3 fortnights" is neither a date/time'],
    [
      'an unknown truncation',
      { headers: { Date: { after: 'now', truncateExpected: 'end of days' } } },
      'truncateExpected "end of days" is not a truncation; use one of',
    ],
    ['an unknown matcher', { queryParameters: { id: { equalToSomething: '1' } } }, 'query parameter id: equalToSomething is not a matcher mockstack evaluates'],
    ['an empty "and"', { headers: { 'X-Id': { and: [] } } }, 'header X-Id: and must be a list of matchers'],
    ['a regex that does not compile inside "or"', { headers: { 'X-Id': { or: [{ matches: '(' }] } } }, 'header X-Id or[0]: the regex "(" does not compile'],
    [
      'a multipart part header the REST adapter does not keep',
      { multipartPatterns: [{ headers: { 'Content-Type': { contains: 'charset' } } }] },
      'multipartPatterns[0]: the part header Content-Type is not kept by the REST adapter (Content-Disposition is',
    ],
    [
      'namespaceAwareness LEGACY',
      { bodyPatterns: [{ equalToXml: '<a/>', namespaceAwareness: 'LEGACY' }] },
      'namespaceAwareness "LEGACY" is not evaluated (STRICT, the default, and NONE are)',
    ],
  ])('%s', async (_, request, says) => {
    expect(await refusal(request)).toEqual({
      status: 400,
      body: { error: { code: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID', message: expect.stringContaining(says) } },
    });
    expect((await send('GET', '/mappings')).body.meta).toEqual({ total: 0 });
    await stillServing();
  });
});
