import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readStartupCache, readStartupCacheText, writeStartupCache, writeStartupCacheText } from '@mockstack/core/startup-cache';
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
    expect(readFileSync(documentEntry(), 'utf8')).toBe(good);
  }
  // Entries that pass the hash check (as a bug could write them) but are not a whole document: the
  // outline, then a line of JSON per entry of its components parsed when first read.
  const name = documentEntry().split('/').pop() as string;
  const text = readStartupCacheText(name, (t) => t) as string;
  const lines = text.split('\n');
  expect(lines.length).toBeGreaterThan(2);
  for (const content of [lines.slice(0, -1).join('\n'), [...lines, '{}'].join('\n'), lines[0] as string, ['{}', ...lines.slice(1)].join('\n')]) {
    writeStartupCacheText(name, content);
    expect(await operationIds()).toEqual(ids);
    expect(readFileSync(documentEntry(), 'utf8')).toBe(good);
  }
  // and the stack serves it as before
  expect(await serveShipping()).toBe(200);
});

test('past MOCKSTACK_CACHE_MAX_MB, saving an entry removes the entries used least recently; the code caches stay', () => {
  const own = scratchDir();
  const dir = process.env.MOCKSTACK_CACHE_DIR;
  const budget = process.env.MOCKSTACK_CACHE_MAX_MB;
  process.env.MOCKSTACK_CACHE_DIR = own.dir;
  const isText = (value: unknown): value is string => typeof value === 'string';
  const age = (name: string, minutes: number): void => {
    const at = new Date(Date.now() - minutes * 60_000);
    utimesSync(join(own.dir, name), at, at);
  };
  try {
    writeFileSync(join(own.dir, 'cli-up-0000.v8'), 'x'.repeat(8000));
    age('cli-up-0000.v8', 120);
    // Four entries of ~1 KB, saved 60, 50, 40 and 30 minutes ago, under a budget of 4 KB.
    process.env.MOCKSTACK_CACHE_MAX_MB = String(4096 / (1024 * 1024));
    for (const [i, minutes] of [60, 50, 40, 30].entries()) {
      writeStartupCache(`entry-${i}`, 'x'.repeat(1000));
      age(`entry-${i}`, minutes);
    }
    // The oldest is read now: it becomes the one used most recently.
    expect(readStartupCache('entry-0', isText)).toHaveLength(1000);
    // A fifth: the others (4.2 KB) are past the budget, so the ones used least recently go until they hold 3 KB.
    writeStartupCache('entry-4', 'x'.repeat(1000));
    expect(readdirSync(own.dir).sort()).toEqual(['cli-up-0000.v8', 'entry-0', 'entry-3', 'entry-4']);
    expect(readStartupCache('entry-4', isText)).toHaveLength(1000);
  } finally {
    process.env.MOCKSTACK_CACHE_DIR = dir;
    if (budget === undefined) delete process.env.MOCKSTACK_CACHE_MAX_MB;
    else process.env.MOCKSTACK_CACHE_MAX_MB = budget;
    own.remove();
  }
});
