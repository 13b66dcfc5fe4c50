import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadOpenApi } from '@mockstack/openapi';
import { startStack } from '@mockstack/testing';
import { scratchDir } from './cli-process.js';

const root = resolve(import.meta.dirname, '../..');
const SHIPPING = resolve(root, 'schemas/shipping-rates.yaml');
const cache = scratchDir();
const before = process.env.MOCKSTACK_CACHE_DIR;
beforeAll(() => {
  process.env.MOCKSTACK_CACHE_DIR = cache.dir;
});
afterAll(() => {
  if (before === undefined) delete process.env.MOCKSTACK_CACHE_DIR;
  else process.env.MOCKSTACK_CACHE_DIR = before;
  cache.remove();
});

const documentEntry = (): string => {
  const name = readdirSync(cache.dir).find((n) => n.startsWith('openapi-document-'));
  if (!name) throw new Error(`no cached document in ${readdirSync(cache.dir).join(', ')}`);
  return join(cache.dir, name);
};

/** Serves the OpenAPI document zero-config and asks one of its operations. */
async function serveShipping(): Promise<number> {
  const stack = await startStack([SHIPPING]);
  try {
    const response = await fetch(`${stack.url('shipping-rates')}/v2/rates?country=DE&weightGrams=500`);
    await response.text();
    return response.status;
  } finally {
    await stack.close();
  }
}

/** What the loader makes of the document, through the start-up cache (the REST adapter keeps one per file in memory). */
async function operationIds(): Promise<string[]> {
  const api = await loadOpenApi(SHIPPING);
  return api.operations.map((op) => op.operationId ?? '').filter(Boolean);
}

test('a cached document with the wrong content is refused and the contract read again, never blamed', async () => {
  expect(await serveShipping()).toBe(200);
  const entry = documentEntry();
  const good = readFileSync(entry, 'utf8');

  const wrong = [
    // another document, in the format of an older version (no envelope)
    JSON.stringify({ refs: {}, document: { openapi: '2.0.0', paths: {} } }),
    // the right envelope around content that is not what was written
    good.replace(/"openapi":"3\.[01]\.\d+"/, '"openapi":"9.9.9"'),
    // valid envelope, wrong shape
    JSON.stringify({ name: entry.split('/').pop(), hash: 'x', value: { refs: 1 } }),
    // cut short
    good.slice(0, 40),
  ];
  const ids = await operationIds();
  expect(ids).toContain('getRates');
  for (const content of wrong) {
    writeFileSync(entry, content);
    expect(await operationIds()).toEqual(ids);
    // replaced by a good entry again
    expect(JSON.parse(readFileSync(documentEntry(), 'utf8'))).toMatchObject({ value: { document: { openapi: expect.stringMatching(/^3\./) } } });
  }
  // and the stack serves it as before
  expect(await serveShipping()).toBe(200);
});
