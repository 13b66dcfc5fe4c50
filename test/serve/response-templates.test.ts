// WireMock-style response templates (`template`): the request model and helpers WireMock stubs use, over real HTTP.
import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario, template } from 'mockstack';

const JSON_TYPE = { 'content-type': 'application/json' };

let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startStack(
    scenario('templates').services({
      api: rest({ port: 0 }, [
        rest.get(
          '/users/:id/orders',
          template({
            headers: { ...JSON_TYPE, 'x-request-id': '{{request.headers.X-Request-Id}}' },
            body: '{"user": "{{request.path.id}}", "first": "{{request.path.[0]}}", "page": {{defaultIfEmpty request.query.page 1}}, "tags": "{{request.query.tag}},{{request.query.tag.[1]}}", "method": "{{request.method}}", "url": "{{{request.url}}}", "session": "{{request.cookies.session}}"}',
          }),
        ),
        rest.post(
          '/echo',
          template({
            status: 201,
            headers: JSON_TYPE,
            body: {
              name: '{{jsonPath request.body "$.customer.name"}}',
              firstSku: '{{jsonPath request.body "$.lines[0].sku"}}',
              missing: '{{jsonPath request.body "$.nope" default="none"}}',
              count: '{{#with (parseJson request.body)}}{{size lines}}{{/with}}',
              upper: '{{upper (jsonPath request.body "$.customer.name")}}',
              raw: '{{{request.body}}}',
            },
          }),
        ),
        rest.get(
          '/helpers',
          template({
            body: [
              '{{randomValue length=12 type="ALPHANUMERIC"}}',
              '{{randomValue type="UUID"}}',
              '{{randomInt lower=5 upper=9}}',
              '{{now format="yyyy-MM-dd"}}',
              '{{now offset="1 days" format="epoch"}}',
              '{{math 7 "*" 6}}',
              '{{base64 "hello world"}}',
              '{{urlEncode "a b&c"}}',
              '{{regexExtract request.query.code "[A-Z]+-(\\d+)" "parts"}}{{parts.[0]}}',
              '{{#eq request.query.mode "fast"}}FAST{{else}}SLOW{{/eq}}',
              '{{#if (contains request.query.code "AB")}}has AB{{/if}}',
              '{{request.query.html}}|{{{request.query.html}}}',
            ].join('\n'),
          }),
        ),
      ]),
    }),
  );
  url = stack.url('api');
});

afterAll(async () => {
  await stack.close();
});

test('the request model: path segments and route parameters, query values, headers in any case, cookies, method and url', async () => {
  const response = await fetch(`${url}/users/u42/orders?tag=a&tag=b`, { headers: { 'x-request-id': 'req-7', cookie: 'session=s1; other=2' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-request-id')).toBe('req-7');
  expect(await response.json()).toEqual({
    user: 'u42',
    first: 'users',
    page: 1,
    tags: 'a,b',
    method: 'GET',
    url: '/users/u42/orders?tag=a&tag=b',
    session: 's1',
  });
});

test("a JSON body template (WireMock's jsonBody) reads the request's JSON with jsonPath and parseJson, and answers JSON", async () => {
  const order = { customer: { name: 'Ada' }, lines: [{ sku: 'MUG' }, { sku: 'TEE' }] };
  const response = await fetch(`${url}/echo`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(order) });
  expect(response.status).toBe(201);
  expect(await response.json()).toEqual({ name: 'Ada', firstSku: 'MUG', missing: 'none', count: '2', upper: 'ADA', raw: JSON.stringify(order) });
});

test('random values, dates, math, encodings, regexExtract and conditions, with {{…}} HTML-escaped and {{{…}}} raw', async () => {
  const response = await fetch(`${url}/helpers?code=AB-12&mode=fast&html=${encodeURIComponent('<b>"x"</b>')}`);
  const lines = (await response.text()).split('\n');
  expect(lines[0]).toMatch(/^[A-Za-z0-9]{12}$/);
  expect(lines[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(Number(lines[2])).toBeGreaterThanOrEqual(5);
  expect(Number(lines[2])).toBeLessThanOrEqual(9);
  expect(lines[3]).toBe(new Date().toISOString().slice(0, 10));
  expect(Math.abs(Number(lines[4]) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
  expect(lines.slice(5)).toEqual(['42', 'aGVsbG8gd29ybGQ=', 'a+b%26c', '12', 'FAST', 'has AB', '&lt;b&gt;&quot;x&quot;&lt;/b&gt;|<b>"x"</b>']);
});

test('a template that does not parse is answered 500 naming the rule, and the service keeps serving', async () => {
  const broken = await startStack(scenario('broken-template').services({ api: rest({ port: 0 }, [rest.get('/x', template({ body: '{{#if}}' }))]) }));
  try {
    const response = await fetch(`${broken.url('api')}/x`);
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).toMatch(/api#1.*Parse error/s);
    const again = await fetch(`${url}/users/u1/orders`);
    expect(again.status).toBe(200);
  } finally {
    await broken.close();
  }
});
