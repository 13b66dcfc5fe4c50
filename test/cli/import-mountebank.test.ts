/**
 * `mockstack import` of Mountebank imposters: an `mb save` file, an `mb --configfile` imposter from
 * Mountebank's own tests, and the corpus of Mountebank's documented examples (test/fixtures/mountebank,
 * each with the answers a real mountebank 2.9.1 gave). The written scenario passes `check`, serves
 * one REST service per http imposter with Mountebank's answers, and lists what it left out (tcp and
 * smtp imposters) as warnings naming the imposter and stub.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { check } from '@mockstack/contracts';
import { emitScenario, importSource } from '@mockstack/record';
import { startStack } from '@mockstack/testing';
import { importProject } from '../helpers/import-project.js';
import { comparable, corpus, expectedOf, refusedByMockstack, send } from '../helpers/mountebank-corpus.js';

const root = resolve(import.meta.dirname, '../..');
const files = join(root, 'test', 'corpus-import', 'mountebank');
const temp = importProject('import-mountebank');

async function imported(source: string, name: string) {
  const result = importSource(source);
  const written = await emitScenario(result.draft, { out: join(temp, 'scenarios', `${name}.ts`), origin: `import of ${source}` });
  return { ...written, format: result.format, text: readFileSync(written.file, 'utf8') };
}

test('an `mb save` file becomes a scenario with a REST service per imposter, on its port, answering as mountebank did', async () => {
  const saved = await imported(join(files, 'mb-save.json'), 'mb-save');
  expect(saved.format).toBe('mountebank');
  expect(saved.services).toEqual([
    { name: 'orderService', protocol: 'rest', port: 4545, rules: 3 },
    { name: 'greeter', protocol: 'rest', port: 4546, rules: 1 },
  ]);
  expect(saved.text).toContain("import { rest, scenario } from 'mockstack';\nimport { mountebank } from 'mockstack/mountebank';");
  expect(saved.text).toContain('orderService: rest({ port: 4545 }, mountebank.rules(');
  expect(saved.warnings).toEqual([]);
  expect((await check([saved.file], { root: temp })).problems).toEqual([]);

  const stack = await startStack(saved.file);
  try {
    const orders = stack.url('orderService');
    const created = async () => {
      const response = await fetch(`${orders}/orders`, { method: 'POST' });
      return [response.status, response.headers.get('location')];
    };
    // mountebank 2.9.1 answered these (see the test's file header): the two responses in turn.
    expect(await created()).toEqual([201, 'http://localhost:4545/orders/123']);
    expect(await created()).toEqual([201, 'http://localhost:4545/orders/234']);
    expect(await created()).toEqual([201, 'http://localhost:4545/orders/123']);
    expect(await (await fetch(`${orders}/orders/123`)).text()).toBe('Order 123');
    const unknown = await fetch(`${orders}/orders/999`);
    expect([unknown.status, await unknown.text()]).toEqual([200, '']);
    const greeter = stack.url('greeter');
    expect(await (await fetch(`${greeter}/hello`)).text()).toBe('hi');
    const missing = await fetch(`${greeter}/nope`);
    expect([missing.status, await missing.text()]).toEqual([404, '']); // its defaultResponse
  } finally {
    await stack.close();
  }
});

test('an imposter of Mountebank’s tests imports alone; a file of one smtp imposter is refused, naming it', async () => {
  const orders = await imported(join(files, 'orders.json'), 'orders');
  expect(orders.services).toEqual([{ name: 'orderService', protocol: 'rest', port: 4545, rules: 3 }]);
  await expect(imported(join(files, 'email.json'), 'email')).rejects.toThrow(
    'email.json can be served, so no scenario was written: imposter 0 (port 6565, email server): the "smtp" protocol is not supported by mockstack (it serves http and https imposters as REST services; tcp and smtp are not); the imposter is left out',
  );
});

test("Mountebank's documented examples import to a scenario answering each request as mountebank 2.9.1 did", async () => {
  const cases = [...corpus('docs.json'), ...corpus('http-predicates.json'), ...corpus('xpath.json')];
  const source = join(temp, 'corpus-imposters.json');
  writeFileSync(source, JSON.stringify({ imposters: cases.map((c, i) => ({ ...c.imposter, name: `case ${i}`, port: 5000 + i })) }));
  const written = await imported(source, 'corpus');
  // Every documented http example is served (XPath included); only ignored comments are reported.
  expect(cases.filter((c) => refusedByMockstack(c.imposter)).map((c) => c.name)).toEqual([]);
  expect(written.warnings.filter((warning) => !/is ignored/.test(warning))).toEqual([]);
  // A `comment` in a documented predicate is ignored, as Mountebank ignores it.
  expect(written.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/predicate 0: 'comment' is ignored/)]));
  expect((await check([written.file], { root: temp })).problems).toEqual([]);

  const stack = await startStack(written.file);
  try {
    for (const [i, c] of cases.entries()) {
      const port = Number(new URL(stack.url(`case${i}`)).port);
      for (const request of c.requests) {
        const answer = await send(port, request);
        const what = `${c.name}: ${request.method} ${request.target}`;
        expect([what, comparable(answer, request.expect)]).toEqual([what, expectedOf(request.expect)]);
      }
    }
  } finally {
    await stack.close();
  }
});

test('a file of which nothing can be served is refused, each reason named, and no scenario is written', () => {
  const file = join(temp, 'nothing-served.json');
  writeFileSync(
    file,
    JSON.stringify({
      imposters: [
        { protocol: 'tcp', port: 5555, stubs: [] },
        { protocol: 'http', port: 0, name: 'soap', stubs: [] },
      ],
    }),
  );
  expect(() => importSource(file)).toThrow(
    expect.objectContaining({
      code: 'MOCKSTACK_ERR_IMPORT_FORMAT',
      message: expect.stringMatching(
        /^nothing in .*nothing-served\.json can be served, so no scenario was written: imposter 0 .*tcp.*; imposter 1 \(port 0, soap\): invalid value for 'port'/,
      ),
    }),
  );
});
