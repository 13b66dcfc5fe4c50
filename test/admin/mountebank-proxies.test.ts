/**
 * Mountebank's recording proxies over mockstack's live `/imposters`: `proxyOnce` and `proxyAlways` with
 * `predicateGenerators` keep the real answers as new stubs, then `mb replay` (the imposter as `GET
 * ?replayable=true&removeProxies=true` gives it, served again) answers from them. Each request gets the
 * answer a real mountebank 2.9.1 gave it, and the replayable imposter has the stubs and predicates it had
 * (test/fixtures/mountebank/proxies.json, recorded from `mb` with test/helpers/proxy-backend.ts behind it).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { rest, scenario } from 'mockstack';
import { type CorpusRequest, comparable, expectedOf, send } from '../helpers/mountebank-corpus.js';
import { startProxyBackend } from '../helpers/proxy-backend.js';

interface ProxyCase {
  name: string;
  stubs: unknown[];
  requests: CorpusRequest[];
  replayed: { stubs: number; predicates: unknown[][]; responses: number[] };
  replay: CorpusRequest[];
}

const { cases } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/mountebank/proxies.json'), 'utf8')) as { cases: ProxyCase[] };

let running: RunningStack;
let backend: Awaited<ReturnType<typeof startProxyBackend>>;
let mb: string;
let port: number;

beforeAll(async () => {
  backend = await startProxyBackend();
  running = await runScenario(scenario('mountebank-proxies').services({ imposter: rest({}, []) }), { randomPorts: true, adminPort: 0 });
  mb = (running.admin?.url ?? '').replace(/\/__admin$/, '');
  port = running.stack.address('imposter').port;
});
afterAll(async () => {
  await running.close();
  await backend.close();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${mb}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function answersAlike(requests: readonly CorpusRequest[]): Promise<void> {
  for (const request of requests) {
    const answer = await send(port, request);
    const what = `${request.method} ${request.target}`;
    expect([what, comparable(answer, request.expect)]).toEqual([what, expectedOf(request.expect)]);
  }
}

/** What a recorded stub is compared on: predicates and how many responses (headers like Date differ by run). */
const shapeOf = (stubs: { predicates?: unknown[]; responses?: unknown[] }[]) => ({
  stubs: stubs.length,
  predicates: stubs.map((stub) => stub.predicates ?? []),
  responses: stubs.map((stub) => (stub.responses ?? []).length),
});

test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
  await api('DELETE', '/imposters');
  await backend.reset();
  const stubs = JSON.parse(JSON.stringify(c.stubs).replaceAll('BACKEND', backend.url)) as unknown[];
  expect((await api('POST', '/imposters', { protocol: 'http', port, stubs })).status).toBe(201);
  await answersAlike(c.requests);
  // The answers are kept while the requests are answered (not awaited by them): wait for the last.
  let replayable: { stubs?: { predicates?: unknown[]; responses?: unknown[] }[] } = {};
  for (let tries = 0; tries < 100; tries++) {
    replayable = (await api('GET', `/imposters/${port}?replayable=true&removeProxies=true`)).body;
    if (shapeOf(replayable.stubs ?? []).stubs === c.replayed.stubs && JSON.stringify(shapeOf(replayable.stubs ?? [])) === JSON.stringify(c.replayed)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(shapeOf(replayable.stubs ?? [])).toEqual(c.replayed);
  // mb replay: the recorded imposter served again, without its proxies.
  await api('DELETE', '/imposters');
  expect((await api('POST', '/imposters', { ...replayable, port })).status).toBe(201);
  await answersAlike(c.replay);
});

describe('bad input: a 400 in Mountebank’s shape, and the imposter keeps serving', () => {
  test.each([
    ['an injected predicate generator', { inject: 'function (config) { return []; }' }, /predicateGenerators\[0\]: a predicate generator given as JavaScript/],
    ['a predicateOperator', { matches: { path: true }, predicateOperator: 'contains' }, /predicateOperator is not supported/],
    ['no matches', { caseSensitive: true }, /'matches' is required/],
    ['a field requests lack', { matches: { verb: true } }, /'verb' is not a field of an http request/],
    ['a malformed xpath', { matches: { body: true }, xpath: { selector: '//[' } }, /malformed xpath selector/],
  ])('%s', async (_what, generator, message) => {
    await api('DELETE', '/imposters');
    const kept = { predicates: [{ equals: { path: '/kept' } }], responses: [{ is: { body: 'kept' } }] };
    expect((await api('POST', '/imposters', { protocol: 'http', port, stubs: [kept] })).status).toBe(201);
    const refused = await api('POST', '/imposters', {
      protocol: 'http',
      port,
      stubs: [{ responses: [{ proxy: { to: backend.url, predicateGenerators: [generator] } }] }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ code: 'invalid proxy', message: expect.stringMatching(message) }]);
    expect(await (await fetch(`http://127.0.0.1:${port}/kept`)).text()).toBe('kept');
  });

  test('a real service that cannot be reached: the proxy answers 500 naming it (as mb does), records nothing, and the imposter keeps serving', async () => {
    await api('DELETE', '/imposters');
    const stubs = [
      { predicates: [{ equals: { path: '/kept' } }], responses: [{ is: { body: 'kept' } }] },
      { responses: [{ proxy: { to: 'http://127.0.0.1:9' } }] },
    ];
    expect((await api('POST', '/imposters', { protocol: 'http', port, stubs })).status).toBe(201);
    const gone = await fetch(`http://127.0.0.1:${port}/gone`);
    expect([gone.status, await gone.text()]).toEqual([500, expect.stringContaining('http://127.0.0.1:9')]);
    expect(await (await fetch(`http://127.0.0.1:${port}/kept`)).text()).toBe('kept');
    expect(((await api('GET', `/imposters/${port}`)).body.stubs as unknown[]).length).toBe(2);
  });

  test('DELETE …/savedProxyResponses forgets what the proxies recorded', async () => {
    await api('DELETE', '/imposters');
    await backend.reset();
    const stubs = [{ responses: [{ proxy: { to: backend.url, predicateGenerators: [{ matches: { path: true } }] } }] }];
    expect((await api('POST', '/imposters', { protocol: 'http', port, stubs })).status).toBe(201);
    await fetch(`http://127.0.0.1:${port}/a`);
    await fetch(`http://127.0.0.1:${port}/b`);
    let recorded: unknown[] = [];
    for (let tries = 0; tries < 100 && recorded.length < 3; tries++) recorded = (await api('GET', `/imposters/${port}`)).body.stubs as unknown[];
    expect(recorded).toHaveLength(3);
    const cleared = await api('DELETE', `/imposters/${port}/savedProxyResponses`);
    expect(cleared.body.stubs).toEqual([expect.objectContaining({ responses: stubs[0]?.responses })]);
    expect(JSON.parse(await (await fetch(`http://127.0.0.1:${port}/a`)).text())).toMatchObject({ call: 2 });
  });
});
