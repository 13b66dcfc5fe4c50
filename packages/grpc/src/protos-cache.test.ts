import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, jest, test } from '@jest/globals';
import { writeStartupCache } from '@mockstack/core/startup-cache';
import protobuf from 'protobufjs';
import { loadProtos } from './protos.js';

// The start-up cache of parsed protos: a second start builds the root from the cached JSON instead of
// parsing the text, the same root; a changed import, or a file that would now be imported instead, is parsed again.
const root = resolve(import.meta.dirname, '../../..');
const reflectionFixtures = resolve(root, 'test/fixtures/reflection');
const googleapis = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
const scratch = mkdtempSync(join(tmpdir(), 'mockstack-protos-cache-'));
const cacheDir = join(scratch, 'cache');
const before = process.env.MOCKSTACK_CACHE_DIR;
beforeAll(() => {
  mkdirSync(cacheDir, { recursive: true });
  process.env.MOCKSTACK_CACHE_DIR = cacheDir;
});
afterAll(() => {
  if (before === undefined) delete process.env.MOCKSTACK_CACHE_DIR;
  else process.env.MOCKSTACK_CACHE_DIR = before;
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** Counts the texts protobufjs parses while `load` runs. */
function parsesDuring<T>(load: () => T): { value: T; parses: number } {
  const parse = jest.spyOn(protobuf.Root.prototype, 'loadSync');
  const value = load();
  const parses = parse.mock.calls.length;
  parse.mockRestore();
  return { value, parses };
}

/** Makes the loader's in-process cache (keyed by modification times) miss, as a new process would, without changing any content. */
function touch(files: readonly string[]): void {
  const later = new Date(Date.now() + 5000);
  for (const file of files) utimesSync(file, later, later);
}

/** What a root holds that toJSON leaves out, for every reflection object under it. */
function detailsOf(namespace: protobuf.NamespaceBase): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  const visit = (object: protobuf.ReflectionObject): void => {
    const features = (object as unknown as { _features: unknown })._features;
    details[`${object.constructor.name} ${object.fullName}`] = {
      filename: object.filename,
      parsedOptions: object.parsedOptions,
      options: object.options,
      features,
    };
    if (object instanceof protobuf.Type) for (const child of [...object.fieldsArray, ...object.oneofsArray]) visit(child);
    if (object instanceof protobuf.Service) for (const method of object.methodsArray) visit(method);
    if (object instanceof protobuf.Namespace) for (const nested of object.nestedArray) visit(nested);
  };
  for (const nested of namespace.nestedArray) visit(nested);
  return details;
}

test('a second load reads the cached root: the same types, options (google.api.http, custom ones), file names and encodings as the parse', () => {
  const dir = join(scratch, 'annotated');
  cpSync(reflectionFixtures, dir, { recursive: true });
  // custom options of every kind; imports, maps, oneofs; proto2 required fields, defaults and extensions
  const files = ['annotated', 'catalog', 'legacy'].map((name) => join(dir, `shop/v1/${name}.proto`));
  const first = parsesDuring(() => loadProtos(files, [dir, googleapis]));
  expect(first.parses).toBe(1);
  expect(readdirSync(cacheDir).some((name) => name.startsWith('protos-v3-'))).toBe(true);

  touch(first.value.files);
  const second = parsesDuring(() => loadProtos(files, [dir, googleapis]));
  expect(second.parses).toBe(0);
  const [parsed, cached] = [first.value, second.value];
  expect(cached).not.toBe(parsed);
  expect(cached.root.toJSON({ keepComments: true })).toEqual(parsed.root.toJSON({ keepComments: true }));
  expect(detailsOf(cached.root)).toEqual(detailsOf(parsed.root));
  expect(cached.root.files).toEqual(parsed.root.files);
  expect(cached.files.sort()).toEqual(parsed.files.sort());
  expect([...cached.methods.keys()]).toEqual([...parsed.methods.keys()]);
  const http = (loaded: typeof parsed) => loaded.root.lookupService('shop.annotated.v1.Orders').methods.GetOrder?.parsedOptions;
  expect(http(cached)).toEqual(http(parsed));
  expect(JSON.stringify(http(cached))).toContain('/v1/{name=orders/*}');
  const order = { name: 'orders/1', note: 'n' };
  const encode = (loaded: typeof parsed) => Buffer.from(loaded.root.lookupType('shop.annotated.v1.GetOrderRequest').encode(order).finish());
  expect(encode(cached)).toEqual(encode(parsed));
  const record = (loaded: typeof parsed) => {
    const type = loaded.root.lookupType('shop.legacy.Record');
    return {
      bytes: Buffer.from(type.encode({ key: 'k', '.shop.legacy.note': 'x' }).finish()),
      decoded: type.toObject(type.decode(Buffer.from([10, 1, 107])), { defaults: true }),
    };
  };
  expect(record(cached)).toEqual(record(parsed));
});

test('an import changed between two loads is parsed again, and its change is what the root holds', () => {
  const dir = join(scratch, 'changed-import');
  mkdirSync(dir, { recursive: true });
  const main = join(dir, 'main.proto');
  const common = join(dir, 'common.proto');
  writeFileSync(main, 'syntax = "proto3";\npackage t.v1;\nimport "common.proto";\nservice S { rpc Get(Money) returns (Money); }\n');
  writeFileSync(common, 'syntax = "proto3";\npackage t.v1;\nmessage Money { int64 units = 1; }\n');
  expect(parsesDuring(() => loadProtos([main], [])).parses).toBe(1);
  touch([main, common]);
  expect(parsesDuring(() => loadProtos([main], [])).parses).toBe(0);

  writeFileSync(common, readFileSync(common, 'utf8').replace('int64 units = 1;', 'int64 units = 1; string currency = 2;'));
  touch([common]);
  const changed = parsesDuring(() => loadProtos([main], []));
  expect(changed.parses).toBe(1);
  expect(Object.keys(changed.value.root.lookupType('t.v1.Money').fields)).toEqual(['units', 'currency']);
  // and the new parse is cached in turn
  touch([main, common]);
  const again = parsesDuring(() => loadProtos([main], []));
  expect(again.parses).toBe(0);
  expect(Object.keys(again.value.root.lookupType('t.v1.Money').fields)).toEqual(['units', 'currency']);
});

test('an import that would now be found in an earlier include dir is parsed again from there', () => {
  const dir = join(scratch, 'shadowed-import');
  const early = join(dir, 'early');
  const late = join(dir, 'late');
  mkdirSync(early, { recursive: true });
  mkdirSync(late, { recursive: true });
  const main = join(dir, 'main.proto');
  writeFileSync(main, 'syntax = "proto3";\npackage t.v1;\nimport "common.proto";\nservice S { rpc Get(Money) returns (Money); }\n');
  writeFileSync(join(late, 'common.proto'), 'syntax = "proto3";\npackage t.v1;\nmessage Money { int64 units = 1; }\n');
  expect(parsesDuring(() => loadProtos([main], [early, late])).parses).toBe(1);

  writeFileSync(join(early, 'common.proto'), 'syntax = "proto3";\npackage t.v1;\nmessage Money { string amount = 1; }\n');
  touch([main, join(late, 'common.proto')]);
  const shadowed = parsesDuring(() => loadProtos([main], [early, late]));
  expect(shadowed.parses).toBe(1);
  expect(Object.keys(shadowed.value.root.lookupType('t.v1.Money').fields)).toEqual(['amount']);
  expect(shadowed.value.files).toContain(join(early, 'common.proto'));
});

test('an entry with a detail that finds no object in the root (saved by another format) is not used: the protos are parsed again', () => {
  const dir = join(scratch, 'stale-details');
  mkdirSync(dir, { recursive: true });
  const main = join(dir, 'main.proto');
  writeFileSync(
    main,
    'syntax = "proto3";\npackage t.v1;\nmessage Book { option deprecated = true; string name = 1; }\nservice S { rpc Get(Book) returns (Book); }\n',
  );
  expect(parsesDuring(() => loadProtos([main], [])).parses).toBe(1);
  // The entry this load wrote, with one detail more than its root has objects for.
  const name = readdirSync(cacheDir).find(
    (entry) => entry.startsWith('protos-v3-') && readFileSync(join(cacheDir, entry), 'utf8').includes('t.v1.Book'),
  ) as string;
  expect(name).toBeDefined();
  const { value } = JSON.parse(readFileSync(join(cacheDir, name), 'utf8')) as { value: { details: Record<string, unknown> } };
  writeStartupCache(name, { ...value, details: { ...value.details, 'Type .t.v1.Book': { filename: main } } });
  touch([main]);
  expect(parsesDuring(() => loadProtos([main], [])).parses).toBe(1);
  // as written, it is read
  touch([main]);
  expect(parsesDuring(() => loadProtos([main], [])).parses).toBe(0);
});

test('the in-process cache keeps the file sets used last: a process serving ever new sets does not keep them all', () => {
  const dir = join(scratch, 'many-sets');
  mkdirSync(dir, { recursive: true });
  const files = Array.from({ length: 34 }, (_, n) => {
    const file = join(dir, `set${n}.proto`);
    writeFileSync(file, `syntax = "proto3";\npackage sets.s${n};\nmessage M { string id = 1; }\nservice S { rpc Get(M) returns (M); }\n`);
    return file;
  });
  const loaded = files.map((file) => loadProtos([file], []));
  // The last sets are still loaded (the same object); the first, pushed out by 32 later ones, is loaded again.
  expect(loadProtos([files[33] as string], [])).toBe(loaded[33]);
  expect(loadProtos([files[0] as string], [])).not.toBe(loaded[0]);
});
