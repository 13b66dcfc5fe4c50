/**
 * `mockstack import` of WireMock mappings whose matchers the DSL has no form for (XML, XPath,
 * and/or/not, hasExactly/includes, dates): the written scenario says them with `wiremock.matching`,
 * passes `check`, and answers the corpus recorded from real WireMock 3.13.2 as the live admin API does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '@mockstack/contracts';
import { emitScenario, importSource } from '@mockstack/record';
import { startStack, type TestStack } from '@mockstack/testing';
import { importProject } from '../helpers/import-project.js';
import { answerTo, corpus, corpusRows } from '../helpers/wiremock-corpus.js';

const temp = importProject('import-wiremock-matchers');
let stack: TestStack;
let text: string;
let warnings: string[];

beforeAll(async () => {
  const source = join(temp, 'wiremock', 'mappings');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'corpus.json'), JSON.stringify({ mappings: corpus.mappings }));
  const written = await emitScenario(importSource(join(temp, 'wiremock')).draft, {
    out: join(temp, 'scenarios', 'matchers.ts'),
    origin: 'import of the corpus',
  });
  text = readFileSync(written.file, 'utf8');
  warnings = written.warnings;
  expect((await check([written.file], { root: temp })).problems).toEqual([]);
  stack = await startStack(written.file);
});
afterAll(() => stack?.close());

test('the matchers are written as wiremock.matching, in WireMock JSON, with nothing left out', () => {
  expect(text).toContain("import { respond, rest, scenario } from 'mockstack';\nimport { wiremock } from 'mockstack/wiremock';");
  expect(text).toMatch(/when: wiremock\.matching\(\{\s+bodyPatterns: \[\{ matchesXPath: '\/todo-list\[count\(todo-item\) = 3\]' \}\],?\s+\}\)/);
  expect(text).toContain("'X-Some-Value': { and: [{ matches: '[a-z]+' }, { contains: 'magicvalue' }] }");
  expect(text).toContain("id: { hasExactly: [{ equalTo: '1' }, { contains: '2' }, { doesNotContain: '3' }] }");
  expect(warnings).toEqual([]);
});

const { alike, differing } = corpusRows();
test.each(alike)('as WireMock: %s', async (_, request) => {
  expect(await answerTo(stack.url('wiremock'), request)).toEqual(request.expected);
});
test.each(differing)('known difference: %s', async (_, request) => {
  expect(await answerTo(stack.url('wiremock'), request)).not.toEqual(request.expected);
});

test("json-unit's placeholders in equalToJson are written as wiremock.matching and matched as WireMock matches them", async () => {
  const source = join(temp, 'placeholders', 'mappings');
  mkdirSync(source, { recursive: true });
  const anyString = `$\{json-unit.any-string}`;
  writeFileSync(
    join(source, 'person.json'),
    JSON.stringify({
      request: { method: 'POST', url: '/persons', bodyPatterns: [{ equalToJson: { name: anyString, id: `$\{json-unit.regex}[0-9]+` } }] },
      response: { status: 201 },
    }),
  );
  const written = await emitScenario(importSource(join(temp, 'placeholders')).draft, { out: join(temp, 'scenarios', 'placeholders.ts'), origin: 'a test' });
  expect(written.warnings).toEqual([]);
  expect(readFileSync(written.file, 'utf8')).toMatch(
    /when: wiremock\.matching\(\{\s+bodyPatterns: \[\s+\{\s+equalToJson: \{ name: '\$\{json-unit\.any-string\}'/,
  );
  const served = await startStack(written.file);
  try {
    const post = (body: unknown) => fetch(`${served.url('placeholders')}/persons`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.status);
    expect(await post({ name: 'Ada', id: '12' })).toBe(201);
    expect(await post({ name: 1, id: '12' })).toBe(404);
    expect(await post({ name: 'Ada', id: 'x' })).toBe(404);
  } finally {
    await served.close();
  }
});
