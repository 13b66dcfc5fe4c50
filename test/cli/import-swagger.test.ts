/**
 * `mockstack import` of Swagger 2.0 (and OpenAPI 3) documents: real published documents (the OpenAPI
 * Initiative's examples as packaged in @readme/oas-examples, the Uber and transport.opendata.ch APIs in
 * test/corpus-import/swagger, sources in its README) become a `rest({ openapi })` scenario that passes
 * `check` and serves each document's operations, converted to OpenAPI 3.0 (swagger2openapi) at load.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '@mockstack/contracts';
import { init } from '@mockstack/scaffold';
import { startStack } from '@mockstack/testing';
import { root, mockstack as run } from '../reliability/cli-process.js';

const temp = join(root, 'test', `.import-swagger-tmp-${process.pid}`);
const examples = (file: string) => join(root, 'node_modules', '@readme', 'oas-examples', '2.0', file);
const corpus = (file: string) => join(root, 'test', 'corpus-import', 'swagger', file);

beforeAll(() => {
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(temp, 'package.json'), JSON.stringify({ name: 'imported-swagger', private: true, type: 'module' }));
  writeFileSync(join(temp, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Entry {
  name: string;
  file: string;
  /** A request the document describes, and the status the served scenario answers it with. */
  request: string;
  status: number;
  /** Credentials the document's `security` asks for. */
  headers?: Record<string, string>;
  /** The answer's shape (the contract's generated body). */
  body: (body: unknown) => boolean;
}

const isArray = (body: unknown) => Array.isArray(body);
const hasKey = (key: string) => (body: unknown) => typeof body === 'object' && body !== null && key in body;

const entries: Entry[] = [
  {
    name: 'petstore',
    file: examples('json/petstore.json'),
    request: '/v2/pet/findByStatus?status=available',
    status: 200,
    body: isArray,
    headers: { authorization: 'Bearer t' },
  },
  {
    name: 'petstore-yaml',
    file: examples('yaml/petstore.yaml'),
    request: '/v2/store/inventory',
    status: 200,
    headers: { api_key: 'k' },
    body: (b) => typeof b === 'object',
  },
  { name: 'petstore-expanded', file: examples('json/petstore-expanded.json'), request: '/api/pets?limit=2', status: 200, body: isArray },
  { name: 'petstore-minimal', file: examples('yaml/petstore-minimal.yaml'), request: '/api/pets', status: 200, body: isArray },
  { name: 'petstore-with-external-docs', file: examples('json/petstore-with-external-docs.json'), request: '/api/pets/7', status: 200, body: hasKey('name') },
  // Its example is a JSON text inside a JSON string, as published, and is answered as the JSON it holds (it has no schema).
  {
    name: 'api-with-examples',
    file: examples('json/api-with-examples.json'),
    request: '/',
    status: 200,
    body: (b) => typeof b === 'object' && b !== null && Array.isArray((b as { versions?: unknown }).versions),
  },
  { name: 'schema-circular', file: examples('json/schema-circular.json'), request: '/', status: 404, body: () => true },
  { name: 'uber', file: corpus('uber.json'), request: '/v1/products?latitude=46.5&longitude=6.6', status: 200, body: isArray },
  { name: 'uber-yaml', file: corpus('uber.yaml'), request: '/v1/me', status: 200, body: (b) => typeof b === 'object' },
  {
    name: 'transport-opendata-ch',
    file: corpus('transport-opendata-ch.json'),
    request: '/v1/connections?from=Lausanne&to=Gen%C3%A8ve',
    status: 200,
    body: hasKey('connections'),
  },
];

test('every Swagger 2.0 document of the corpus is imported as a scenario that passes check and serves its operations', async () => {
  const written: { entry: Entry; file: string }[] = [];
  for (const entry of entries) {
    const result = await init({ contracts: [entry.file], out: join(temp, 'scenarios', `${entry.name}.ts`), name: entry.name });
    expect(readFileSync(result.file, 'utf8')).toContain('openapi:');
    written.push({ entry, file: result.file });
  }
  for (const { entry, file } of written) {
    expect([entry.name, (await check([file], { root: temp })).problems]).toEqual([entry.name, []]);
    const stack = await startStack(file);
    try {
      const base = stack.url(Object.keys(stack.services)[0] ?? '');
      const response = await fetch(`${base}${entry.request}`, { headers: { accept: 'application/json', ...entry.headers } });
      const text = await response.text();
      expect([entry.name, response.status]).toEqual([entry.name, entry.status]);
      if (entry.status === 200) expect([entry.name, entry.body(JSON.parse(text))]).toEqual([entry.name, true]);
      // The Swagger security and parameters are checked as OpenAPI 3 ones: no credentials is a 401, a required query parameter left out a 400.
      if (entry.name === 'petstore') expect((await fetch(`${base}${entry.request}`)).status).toBe(401);
      if (entry.name === 'uber') expect((await fetch(`${base}/v1/products?latitude=46.5`)).status).toBe(400);
    } finally {
      await stack.close();
    }
  }
}, 240_000);

test('mockstack import swagger.yaml writes the scenario, and a broken Swagger document is one clear error', async () => {
  const out = join(temp, 'scenarios', 'uber-cli.ts');
  const imported = run(['import', corpus('uber.yaml'), '--out', out]);
  expect((await imported.exited).code).toBe(0);
  expect(imported.output()).toMatch(/wrote .*uber-cli\.ts: scenario "uber" from the OpenAPI document/);
  expect(readFileSync(out, 'utf8')).toContain("rest.get('/v1/products'");

  const broken = join(temp, 'broken.json');
  writeFileSync(broken, JSON.stringify({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: { '/a': { get: { responses: 'nope' } } } }));
  const refused = run(['import', broken, '--out', join(temp, 'scenarios', 'broken.ts')]);
  expect((await refused.exited).code).toBe(1);
  expect(refused.output()).toMatch(
    /broken\.json is a Swagger 2\.0 document that is not a valid OpenAPI 3\.0 document once converted \(swagger2openapi; .*\n.*\/paths\/~1a\/get\/responses: must be object/,
  );
}, 120_000);
