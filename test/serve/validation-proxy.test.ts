/**
 * A validation proxy (Prism's proxy mode): an OpenAPI service with `proxy` sends what no rule answers
 * to the real service (a fastify app started here) and checks its answers against the document: a
 * breach (undocumented status or content type, a body off its schema, formats included) is passed on
 * with the `x-mockstack-contract-violation` header, warned and journaled, or answered 502 with
 * `checkProxied: 'fail'`. `mockstack up <document> --proxy <url>` does it zero-config.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Logger } from '@mockstack/core';
import { startStack, type TestStack } from '@mockstack/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { rest, scenario } from 'mockstack';
import { waitFor } from '../reliability/cli-process.js';

const root = resolve(import.meta.dirname, '../..');
const document = resolve(root, 'test/fixtures/contracts/pets.openapi.yaml');
const VIOLATION = 'x-mockstack-contract-violation';

let upstream: FastifyInstance;
let upstreamUrl: string;
let stack: TestStack;
const warnings: string[] = [];
const logger: Logger = { request: () => {}, info: () => {}, warn: (message) => warnings.push(message), error: () => {} };

beforeAll(async () => {
  upstream = Fastify();
  upstream.get('/pets/1', async () => ({ id: 1, name: 'Rex', tag: 'dog' }));
  upstream.get('/pets/2', async () => ({ id: 'two', name: 5 }));
  upstream.get('/pets/3', async (_request, reply) => reply.code(418).send({ teapot: true }));
  upstream.get('/pets/4', async (_request, reply) => reply.type('text/html').send('<p>Rex</p>'));
  upstream.get('/pets/5', async () => ({ id: 5, name: 'Kit', contact: 'not an address' }));
  upstream.get('/pets/6', async (_request, reply) => reply.code(404).send({ code: 404, message: 'no pet 6' }));
  upstream.post('/pets', async (request, reply) => reply.code(201).send({ id: 7, ...(request.body as object) }));
  await upstream.listen({ port: 0, host: '127.0.0.1' });
  upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}`;
  stack = await startStack(
    scenario('validation-proxy', { seed: 1 }).services({
      pets: rest({ openapi: document, proxy: upstreamUrl }, [rest.get('/pets/{petId}', { match: { params: { petId: '99' } } }, { id: 99, name: 'Mock' })]),
      strict: rest({ openapi: document, proxy: upstreamUrl, checkProxied: 'fail' }),
      unchecked: rest({ openapi: document, proxy: upstreamUrl, checkProxied: false }),
    }),
    { logger },
  );
});

afterAll(async () => {
  await stack.close();
  await upstream.close();
});
beforeEach(() => {
  warnings.length = 0;
  return stack.reset();
});

const get = (service: string, path: string) => fetch(`${stack.url(service)}${path}`);

test('what no rule answers comes from the real service, not the document; a rule still wins', async () => {
  const real = await get('pets', '/pets/1');
  expect(real.status).toBe(200);
  expect(real.headers.get(VIOLATION)).toBeNull();
  expect(await real.json()).toEqual({ id: 1, name: 'Rex', tag: 'dog' });
  expect(await (await get('pets', '/pets/99')).json()).toEqual({ id: 99, name: 'Mock' });
  const created = await fetch(`${stack.url('pets')}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Bo"}' });
  expect(created.status).toBe(201);
  expect(created.headers.get(VIOLATION)).toBeNull();
  expect(await created.json()).toEqual({ id: 7, name: 'Bo' });
  expect((await get('pets', '/pets/6')).headers.get(VIOLATION)).toBeNull();
  expect(stack.requests({ service: 'pets' }).map((e) => [e.target, e.rule, e.error])).toEqual([
    ['GET /pets/1', 'proxy:pets', undefined],
    ['GET /pets/99', expect.stringMatching(/^pets#\d+$/), undefined],
    ['POST /pets', 'proxy:pets', undefined],
    ['GET /pets/6', 'proxy:pets', undefined],
  ]);
  expect(warnings).toEqual([]);
});

test('a real answer that breaks the document is passed on, named in a header, warned and journaled', async () => {
  const body = await get('pets', '/pets/2');
  expect(body.status).toBe(200);
  expect(await body.json()).toEqual({ id: 'two', name: 5 });
  expect(body.headers.get(VIOLATION)).toMatch(/answered a 200 that breaks the contract: body\.id must be integer; body\.name must be string/);

  expect((await get('pets', '/pets/3')).headers.get(VIOLATION)).toMatch(/answered status 418, which getPet does not document \(documented: 200, 404\)/);
  const html = await get('pets', '/pets/4');
  expect(await html.text()).toBe('<p>Rex</p>');
  expect(html.headers.get(VIOLATION)).toMatch(/answered 200 as text\/html, which getPet does not document for it \(documented: application\/json\)/);
  // A real service is held to formats too (a hand-written mock is not).
  expect((await get('pets', '/pets/5')).headers.get(VIOLATION)).toMatch(/body\.contact must match format "email"/);

  expect(warnings).toHaveLength(4);
  expect(warnings[0]).toMatch(/^service "pets": the real service's answer to GET \/pets\/2 breaks test\/fixtures\/contracts\/pets\.openapi\.yaml: /);
  const journaled = stack.requests({ service: 'pets' });
  expect(journaled.map((e) => e.rule)).toEqual(['proxy:pets', 'proxy:pets', 'proxy:pets', 'proxy:pets']);
  expect(journaled.every((e) => e.error?.startsWith('the real answer breaks the contract: '))).toBe(true);
});

test("checkProxied: 'fail' answers 502 problem+json instead; false passes everything unchecked", async () => {
  const strict = await get('strict', '/pets/2');
  expect(strict.status).toBe(502);
  expect(strict.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await strict.json()) as { detail: string; problems: { field: string; message: string }[] };
  expect(problem.detail).toMatch(/the real service's answer to GET \/pets\/2 breaks .*pets\.openapi\.yaml: answered a 200 that breaks the contract/);
  expect(problem.problems).toEqual([
    { field: 'body.id', message: 'must be integer' },
    { field: 'body.name', message: 'must be string' },
  ]);
  expect(stack.requests({ service: 'strict' }).at(-1)).toMatchObject({ status: 502, rule: 'proxy:strict' });
  // The stack keeps serving, and answers that fit go through.
  expect(await (await get('strict', '/pets/1')).json()).toEqual({ id: 1, name: 'Rex', tag: 'dog' });

  const unchecked = await get('unchecked', '/pets/2');
  expect(unchecked.status).toBe(200);
  expect(unchecked.headers.get(VIOLATION)).toBeNull();
  expect(warnings.filter((w) => w.includes('"unchecked"'))).toEqual([]);
});

test("a request that breaks the document is sent on and named (Prism's proxy); checkProxied: 'fail' refuses it", async () => {
  const post = (service: string) =>
    fetch(`${stack.url(service)}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"tag":"no name"}' });
  const sent = await post('pets');
  expect([sent.status, await sent.json()]).toEqual([201, { id: 7, tag: 'no name' }]);
  // The real service echoes the body: its answer breaks the document too, and both are named.
  expect(sent.headers.get(VIOLATION)).toMatch(/^request: body.*name.* \| answered a 201 that breaks the contract: body must have required property 'name'$/);
  expect(warnings).toEqual([
    expect.stringMatching(/service "pets": the request POST \/pets, sent on to the real service, breaks .*pets\.openapi\.yaml: body.*name/),
    expect.stringMatching(/service "pets": the real service's answer to POST \/pets breaks/),
  ]);
  expect(stack.requests({ service: 'pets' }).at(-1)).toMatchObject({
    rule: 'proxy:pets',
    status: 201,
    error: expect.stringMatching(/^the request breaks the contract: body.*; the real answer breaks the contract: answered a 201/),
  });

  const refused = await post('strict');
  expect(refused.status).toBe(422);
  expect(stack.requests({ service: 'strict' }).at(-1)?.rule).not.toBe('proxy:strict');

  const unchecked = await post('unchecked');
  expect([unchecked.status, unchecked.headers.get(VIOLATION)]).toEqual([201, null]);
  // A request that fits goes on without a header.
  const fits = await fetch(`${stack.url('pets')}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Kit"}' });
  expect([fits.status, fits.headers.get(VIOLATION)]).toEqual([201, null]);
});

test('`mockstack up <document> --proxy <url>` is a validation proxy zero-config', async () => {
  const child: ChildProcess = spawn(
    process.execPath,
    [resolve(root, 'packages/mockstack/bin/mockstack.js'), 'up', document, '--proxy', upstreamUrl, '--random-ports', '--no-admin'],
    { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const run = { child, output: () => output };
  const exited = new Promise((done) => child.once('exit', done));
  try {
    const url = (await waitFor(run, /pets-openapi\s+rest\s+(http:\/\/127\.0\.0\.1:\d+)/))[1];
    expect(await (await fetch(`${url}/pets/1`)).json()).toEqual({ id: 1, name: 'Rex', tag: 'dog' });
    expect((await fetch(`${url}/pets/2`)).headers.get(VIOLATION)).toMatch(/body\.id must be integer/);
    await waitFor(run, /warning: service "pets-openapi": the real service's answer to GET \/pets\/2 breaks/);
  } finally {
    child.kill('SIGTERM');
  }
  await exited;
});
