/**
 * Mountebank's imposters API with plain fetch, as Mountebank's clients drive it: an imposter posted to
 * the admin port's `/imposters` is served by the scenario's REST service on its port; stubs tried in
 * order, responses in turn, the default answer; the stubs endpoints; saved requests; and every bad
 * input answered 400 `{ errors: [{ code, message }] }` with nothing changed and the stack still serving.
 */
import { createServer } from 'node:net';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { respond, rest, scenario } from 'mockstack';

let running: RunningStack;
/** The admin port's root, where Mountebank's API lives. */
let mb: string;
let port: number;
let url: string;
let ordersPort: number;
let orders: string;

beforeAll(async () => {
  running = await runScenario(
    scenario('mountebank-live').services({
      imposter: rest({}, []),
      orders: rest({}, [rest.get('/orders/:id', ({ params }) => respond({ id: params.id, from: 'scenario' }))]),
    }),
    { randomPorts: true, adminPort: 0 },
  );
  mb = (running.admin?.url ?? '').replace(/\/__admin$/, '');
  ({ port, url } = running.stack.address('imposter'));
  ({ port: ordersPort, url: orders } = running.stack.address('orders'));
});
afterAll(() => running.close());
beforeEach(() => running.stack.engine.reset());

type Json = Record<string, unknown>;
/** A port nothing listens on now. */
const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => done(free));
    });
  });
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${mb}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json };
};
const hit = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${url}${path}`, init);
  return { status: response.status, body: await response.text() };
};
/** The scenario's own answer on orders, and the imposter's port answering: the stack serves as before. */
const stillServing = async () => {
  expect(await (await fetch(`${orders}/orders/7`)).json()).toEqual({ id: '7', from: 'scenario' });
};

const greeter = () => ({
  protocol: 'http',
  port,
  name: 'greeter',
  recordRequests: true,
  stubs: [
    { predicates: [{ equals: { method: 'GET', path: '/hello', query: { name: 'ada' } } }], responses: [{ is: { statusCode: 200, body: 'hello ada' } }] },
    {
      predicates: [{ startsWith: { path: '/hello' } }],
      responses: [{ is: { statusCode: 201, body: 'first' } }, { is: { statusCode: 202, body: { second: true } }, repeat: 2 }],
    },
  ],
});

test('an imposter is served by the REST service on its port: stubs in order, responses in turn, 200 empty when none matches', async () => {
  const created = await call('POST', '/imposters', greeter());
  expect(created).toEqual({
    status: 201,
    body: expect.objectContaining({ protocol: 'http', port, name: 'greeter', numberOfRequests: 0, recordRequests: true, requests: [] }),
  });
  expect(created.body._links).toEqual({ self: { href: `/imposters/${port}` }, stubs: { href: `/imposters/${port}/stubs` } });
  // Query and header values compare case-insensitively unless caseSensitive.
  expect(await hit('/hello?name=ADA')).toEqual({ status: 200, body: 'hello ada' });
  expect(await hit('/hello/world')).toEqual({ status: 201, body: 'first' });
  const second = await hit('/hello/world');
  expect(second.status).toBe(202);
  expect(JSON.parse(second.body)).toEqual({ second: true });
  expect((await hit('/hello/world')).status).toBe(202); // repeat: 2
  expect((await hit('/hello/world')).status).toBe(201); // round-robin: back to the first
  expect(await hit('/nothing', { method: 'DELETE' })).toEqual({ status: 200, body: '' });

  const imposter = await call('GET', `/imposters/${port}`);
  expect(imposter.body.numberOfRequests).toBe(6);
  expect((imposter.body.requests as Json[])[0]).toEqual(
    expect.objectContaining({ method: 'GET', path: '/hello', query: { name: 'ADA' }, body: '', timestamp: expect.any(String) }),
  );
  expect((imposter.body.stubs as Json[])[1]?._links).toEqual({ self: { href: `/imposters/${port}/stubs/1` } });
  expect((await call('GET', '/imposters')).body).toEqual({
    imposters: [{ protocol: 'http', port, name: 'greeter', numberOfRequests: 6, _links: expect.any(Object) }],
  });
  // As `mb save` writes it.
  const saved = (await call('GET', '/imposters?replayable=true')).body.imposters as Json[];
  expect(saved[0]).toEqual({ protocol: 'http', port, name: 'greeter', recordRequests: true, stubs: greeter().stubs });

  expect((await call('DELETE', `/imposters/${port}/savedRequests`)).body).toEqual(expect.objectContaining({ numberOfRequests: 0, requests: [] }));
  const deleted = await call('DELETE', `/imposters/${port}`);
  expect(deleted).toEqual({ status: 200, body: expect.objectContaining({ port, stubs: expect.any(Array) }) });
  expect(await call('DELETE', `/imposters/${port}`)).toEqual({ status: 200, body: {} });
  expect((await hit('/hello')).status).toBe(404); // the service's own (no rules): mockstack's unmatched
  expect(await call('GET', `/imposters/${port}`)).toEqual({
    status: 404,
    body: { errors: [{ code: 'no such resource', message: expect.stringContaining(`no imposter on port ${port}`) }] },
  });
});

test("an imposter on a service with routes answers before the scenario's rules, which answer again once it is deleted", async () => {
  await call('POST', '/imposters', {
    protocol: 'http',
    port: ordersPort,
    stubs: [{ predicates: [{ equals: { path: '/orders/1' } }], responses: [{ is: { statusCode: 200, body: { id: '1', from: 'imposter' } } }] }],
  });
  expect(await (await fetch(`${orders}/orders/1`)).json()).toEqual({ id: '1', from: 'imposter' });
  // Mountebank's default answer: the imposter owns its port while it exists.
  expect(await (await fetch(`${orders}/orders/7`)).text()).toBe('');
  await call('DELETE', '/imposters');
  await stillServing();
});

test('an imposter on a port no service listens on gets a REST service of its own, stopped when the imposter is deleted', async () => {
  const free = await freePort();
  const created = await call('POST', '/imposters', {
    protocol: 'http',
    port: free,
    stubs: [{ responses: [{ is: { statusCode: 202, body: 'own service' } }] }],
  });
  expect(created.status).toBe(201);
  const answer = await fetch(`http://127.0.0.1:${free}/anything`, { method: 'PUT' });
  expect([answer.status, await answer.text()]).toEqual([202, 'own service']);
  expect(running.stack.addresses.map((a) => a.name)).toContain(`imposter${free}`);
  // Replacing it keeps the service; deleting it stops it.
  await call('POST', '/imposters', { protocol: 'http', port: free, stubs: [{ responses: [{ is: { body: 'replaced' } }] }] });
  expect(await (await fetch(`http://127.0.0.1:${free}/`)).text()).toBe('replaced');
  await call('DELETE', `/imposters/${free}`);
  expect(running.stack.addresses.map((a) => a.name)).not.toContain(`imposter${free}`);
  await expect(fetch(`http://127.0.0.1:${free}/`)).rejects.toThrow();
  // PUT /imposters starts those it needs and stops those it no longer has.
  const [a, b] = [await freePort(), await freePort()];
  await call('PUT', '/imposters', { imposters: [a, b].map((p) => ({ protocol: 'http', port: p, stubs: [{ responses: [{ is: { body: `on ${p}` } }] }] })) });
  expect(await (await fetch(`http://127.0.0.1:${b}/`)).text()).toBe(`on ${b}`);
  await call('PUT', '/imposters', { imposters: [{ protocol: 'http', port: a }] });
  expect(await (await fetch(`http://127.0.0.1:${a}/`)).text()).toBe('');
  await expect(fetch(`http://127.0.0.1:${b}/`)).rejects.toThrow();
  // A reset takes the imposters away (with every added rule); the service started for one stops, and its port can be taken again.
  await running.stack.engine.reset();
  expect((await call('GET', '/imposters')).body).toEqual({ imposters: [] });
  expect((await call('POST', '/imposters', { protocol: 'http', port: a, stubs: [{ responses: [{ is: { body: 'again' } }] }] })).status).toBe(201);
  expect(await (await fetch(`http://127.0.0.1:${a}/`)).text()).toBe('again');
  await call('DELETE', '/imposters');
  expect(running.stack.addresses.map((address) => address.name).sort()).toEqual(['imposter', 'orders']);
  await stillServing();
});

test('stubs are added, replaced and removed by index without restarting the imposter', async () => {
  await call('POST', '/imposters', { protocol: 'http', port, stubs: [{ responses: [{ is: { body: 'catch-all' } }] }] });
  const stub = (path: string, body: string) => ({ predicates: [{ equals: { path } }], responses: [{ is: { body } }] });
  expect((await call('POST', `/imposters/${port}/stubs`, { index: 0, stub: stub('/a', 'A') })).status).toBe(200);
  expect((await hit('/a')).body).toBe('A');
  expect((await hit('/b')).body).toBe('catch-all');
  await call('PUT', `/imposters/${port}/stubs/0`, stub('/a', 'A2'));
  expect((await hit('/a')).body).toBe('A2');
  const after = await call('DELETE', `/imposters/${port}/stubs/0`);
  expect((after.body.stubs as Json[]).length).toBe(1);
  expect((await hit('/a')).body).toBe('catch-all');
  await call('PUT', `/imposters/${port}/stubs`, { stubs: [stub('/only', 'only')] });
  expect(await hit('/a')).toEqual({ status: 200, body: '' });
  expect((await hit('/only')).body).toBe('only');
  // PUT /imposters replaces them all.
  const replaced = await call('PUT', '/imposters', { imposters: [{ protocol: 'http', port, stubs: [stub('/x', 'X')] }] });
  expect(replaced).toEqual({ status: 200, body: { imposters: [expect.objectContaining({ port, _links: expect.any(Object) })] } });
  expect((await hit('/only')).body).toBe('');
  expect((await hit('/x')).body).toBe('X');
});

describe('bad input: a 400 in Mountebank’s shape, nothing changed, the stack still serving', () => {
  const refused = async (method: string, path: string, body: unknown, message: string | RegExp, code = 'bad data', status = 400) => {
    const answer = await call(method, path, body);
    expect(answer.status).toBe(status);
    expect(answer.body.errors).toEqual(expect.arrayContaining([{ code, message: expect.stringMatching(message) }]));
    await stillServing();
  };

  test('imposters refused whole', async () => {
    await call('POST', '/imposters', { protocol: 'http', port, stubs: [{ responses: [{ is: { body: 'kept' } }] }] });
    const stubs = (predicates: unknown[], responses: unknown[] = [{ is: {} }]) => ({ protocol: 'http', port, stubs: [{ predicates, responses }] });
    await refused('POST', '/imposters', stubs([{ equalz: { path: '/' } }]), /stub 0, predicate 0: missing predicate: give one of equals/);
    await refused('POST', '/imposters', stubs([{ inject: 'function (config) { return true; }' }]), /JavaScript injection \(inject\) is not run by mockstack/);
    await refused('POST', '/imposters', stubs([], [{ inject: 'function () {}' }]), /stub 0, response 0: JavaScript injection/);
    await refused('POST', '/imposters', stubs([], [{ is: {}, behaviors: [{ shellTransform: 'node x.js' }] }]), /shellTransform behaviour is not run/);
    await refused('POST', '/imposters', stubs([], [{ is: {}, _behaviors: { decorate: 'function () {}' } }]), /decorate behaviour/);
    await refused('POST', '/imposters', stubs([{ matches: { path: '([' } }]), /does not compile in JavaScript/);
    await refused(
      'POST',
      '/imposters',
      stubs([{ equals: { body: 'x' }, xpath: { selector: '//[' } }]),
      /predicate 0: malformed xpath selector "\/\/\[": XPath parse error/,
    );
    await refused('POST', '/imposters', stubs([{ equals: { body: 'x' }, xpath: '//a' }]), /'xpath' must be \{ "selector": "\/\/path"/);
    await refused('POST', '/imposters', stubs([{ equals: { body: 'x' }, xpath: { selector: '//a:b', ns: { a: 1 } } }]), /'ns' maps namespace prefixes to URIs/);
    const copy = (selector: string) => [{ is: { body: '$X' }, behaviors: [{ copy: { from: 'body', into: '$X', using: { method: 'xpath', selector } } }] }];
    await refused('POST', '/imposters', stubs([], copy('count(')), /response 0, copy: malformed xpath selector "count\(": XPath parse error/);
    await refused('POST', '/imposters', stubs([{ equals: { verb: 'GET' } }]), /'verb' is not a field of an http request/);
    await refused('POST', '/imposters', stubs([{ equals: '/path' }]), /'equals' takes an object of request fields/);
    await refused('POST', '/imposters', stubs([], [{ is: { statusCode: 99 } }]), /statusCode must be an HTTP status/);
    await refused('POST', '/imposters', stubs([], [{ fault: 'BOOM' }]), /fault "BOOM": mockstack answers CONNECTION_RESET_BY_PEER and RANDOM_DATA_THEN_CLOSE/);
    await refused(
      'POST',
      '/imposters',
      stubs([], [{ proxy: { to: 'http://localhost:1', mode: 'proxySometimes' } }]),
      /proxy mode "proxySometimes": one of proxyOnce/,
      'invalid proxy',
    );
    await refused(
      'POST',
      '/imposters',
      stubs([], [{ proxy: { to: 'http://localhost:1', addDecorateBehavior: 'function () {}' } }]),
      /addDecorateBehavior is JavaScript/,
      'invalid proxy',
    );
    await refused('POST', '/imposters', { protocol: 'tcp', port, stubs: [] }, /the "tcp" protocol is not supported by mockstack/);
    await refused('POST', '/imposters', { protocol: 'http', stubs: [] }, /give it a 'port'/);
    await refused('POST', '/imposters', { protocol: 'http', port: 'eighty' }, /invalid value for 'port'/);
    const adminPort = Number(new URL(mb).port);
    await refused(
      'POST',
      '/imposters',
      { protocol: 'http', port: adminPort },
      /cannot start a REST service on port \d+ for the imposter: .*in use/,
      'resource conflict',
    );
    await refused(
      'POST',
      '/imposters',
      { protocol: 'https', port: await freePort() },
      /an https imposter needs one with TLS: declare it, e\.g\. `imposter\d+: rest\(\{ port: \d+, tls: true \}\)`/,
    );
    await refused('POST', '/imposters', '{"protocol": "http", ', /Unable to parse body as JSON/, 'invalid JSON');
    await refused(
      'PUT',
      '/imposters',
      {
        imposters: [
          { protocol: 'http', port },
          { protocol: 'smtp', port: 25 },
        ],
      },
      /imposter 1: the "smtp" protocol/,
    );
    await refused('PUT', '/imposters', {}, /'imposters' is a required field/);
    // A tool may name its JSON a form (superagent's clients do); a page in a browser may not (the admin guard's CSRF rule).
    const form = { protocol: 'http', port, stubs: [{ responses: [{ is: { body: 'from a form' } }] }] };
    const fromPage = await fetch(`${mb}/imposters`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify(form),
    });
    expect([fromPage.status, ((await fromPage.json()) as { error: { code: string } }).error.code]).toEqual([415, 'ADMIN_UNSUPPORTED_MEDIA_TYPE']);
    const fromOtherSite = await fetch(`${mb}/imposters`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify(form),
    });
    expect(fromOtherSite.status).toBe(403);
    // Nothing of those changed what the imposter answers.
    expect(await hit('/anything')).toEqual({ status: 200, body: 'kept' });
    expect((await call('GET', '/imposters')).body.imposters).toHaveLength(1);
  });

  test('stubs refused, and ports and indexes that name nothing', async () => {
    await call('POST', '/imposters', { protocol: 'http', port, stubs: [{ responses: [{ is: { body: 'kept' } }] }] });
    await refused('POST', `/imposters/${port}/stubs`, { index: 5, stub: {} }, /'index' must be between 0 and the length of the stubs array/);
    await refused('POST', `/imposters/${port}/stubs`, { index: 0 }, /must contain 'stub' field/);
    await refused('POST', `/imposters/${port}/stubs`, { stub: { predicates: [{ exists: 'x' }] } }, /'exists' takes an object/);
    await refused('PUT', `/imposters/${port}/stubs`, { stubs: 'all' }, /'stubs' must be an array/);
    await refused('PUT', `/imposters/${port}/stubs/3`, { responses: [] }, /'stubIndex' must be a valid integer/, 'no such resource', 404);
    await refused('DELETE', `/imposters/${port}/stubs/x`, undefined, /'stubIndex' must be a valid integer/, 'no such resource', 404);
    await refused('POST', '/imposters/9/stubs', { stub: {} }, /no imposter on port 9/, 'no such resource', 404);
    expect(await hit('/anything')).toEqual({ status: 200, body: 'kept' });
  });
});

test("predicates read the body as sent: XML or text posted with curl's default form type, a form's own text", async () => {
  const free = await freePort();
  expect(
    (
      await call('POST', '/imposters', {
        protocol: 'http',
        port: free,
        stubs: [
          { predicates: [{ equals: { body: '7' }, xpath: { selector: '//id' } }], responses: [{ is: { body: 'order 7' } }] },
          { predicates: [{ contains: { body: 'grant_type=client_credentials' } }], responses: [{ is: { body: 'token' } }] },
        ],
      })
    ).status,
  ).toBe(201);
  // What `curl -d '<req>…</req>'` sends: the XML under application/x-www-form-urlencoded.
  const post = async (body: string) =>
    (await fetch(`http://127.0.0.1:${free}/x`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).text();
  expect(await post('<req><id>7</id></req>')).toBe('order 7');
  expect(await post('grant_type=client_credentials&scope=read')).toBe('token');
  await call('DELETE', `/imposters/${free}`);
  await stillServing();
});
