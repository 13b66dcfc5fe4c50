/**
 * Mountebank's own documented examples (and http versions of its tcp ones), posted to mockstack's
 * `/imposters` and served on a REST service: each request gets the answer a real mountebank 2.9.1
 * gave it (test/fixtures/mountebank/*.json, recorded from `mb`; xpath.json: XPath predicates and
 * copies written for mockstack). What mockstack cannot honour (JavaScript) is refused with a 400 naming it.
 */
import { type RunningStack, runScenario } from '@mockstack/runner';
import { rest, scenario } from 'mockstack';
import { comparable, corpus, expectedOf, refusedByMockstack, send } from '../helpers/mountebank-corpus.js';

let running: RunningStack;
let mb: string;
let port: number;

beforeAll(async () => {
  running = await runScenario(scenario('mountebank-corpus').services({ imposter: rest({}, []) }), { randomPorts: true, adminPort: 0 });
  mb = (running.admin?.url ?? '').replace(/\/__admin$/, '');
  port = running.stack.address('imposter').port;
});
afterAll(() => running.close());

const cases = [...corpus('docs.json'), ...corpus('http-predicates.json'), ...corpus('xpath.json')];

test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
  await fetch(`${mb}/imposters`, { method: 'DELETE' });
  const created = await fetch(`${mb}/imposters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...c.imposter, port }),
  });
  const refusal = refusedByMockstack(c.imposter);
  if (refusal) {
    expect(created.status).toBe(400);
    expect(JSON.stringify(await created.json())).toMatch(refusal);
    return;
  }
  expect([created.status, created.status === 201 ? undefined : await created.json()]).toEqual([201, undefined]);
  for (const request of c.requests) {
    const answer = await send(port, request);
    expect([`${request.method} ${request.target}`, comparable(answer, request.expect)]).toEqual([
      `${request.method} ${request.target}`,
      expectedOf(request.expect),
    ]);
  }
});
