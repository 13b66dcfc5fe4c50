// A regex with a slash in a matcher is written as code that compiles and matches what the stub meant.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStub } from '@mockstack/wiremock';
import { emitScenario } from './emit.js';

test('a matcher regex with a slash (WireMock contains "a/b", matches "v1\\/.+") is written as new RegExp and matches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emit-regex-'));
  try {
    const { match } = parseStub({ request: { url: '/x', headers: { Referer: { contains: 'shop/cart' } }, queryParameters: { path: { matches: 'v1\\/.+' } } } });
    const written = await emitScenario(
      { services: [{ protocol: 'rest', name: 'api', rules: [{ method: 'GET', path: '/x', match, answers: [{ status: 200 }] }] }], untranslated: [] },
      { out: join(dir, 'scenario.ts'), root: dir, origin: 'a test' },
    );
    const text = readFileSync(written.file, 'utf8');
    const regexes = [...text.matchAll(/new RegExp\(('(?:[^'\\]|\\.)*')\)/g)].map(([, source]) => new RegExp(new Function(`return ${source}`)() as string));
    // The query is written before the headers.
    expect(regexes.map((regex) => regex.source)).toEqual(['^(?:v1\\/.+)$', 'shop\\/cart']);
    expect(regexes[0]?.test('v1/orders')).toBe(true);
    expect(regexes[1]?.test('https://example.com/shop/cart')).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
