// OpenAPI 3.2 documents, served zero-config: the QUERY method, additionalOperations, itemSchema
// streams (server-sent events, JSON Lines), Example Objects with dataValue, reusable media types.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadOpenApi, OpenApiDocumentError } from '@mockstack/openapi';
import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';

const file = resolve(import.meta.dirname, '../fixtures/contracts/openapi-3.2.yaml');
const dir = mkdtempSync(join(tmpdir(), 'mockstack-openapi-32-'));
let stack: TestStack;
let base: string;

beforeAll(async () => {
  stack = await startStack(scenario('openapi-3.2', { seed: 3 }).services({ api: rest({ port: 0, openapi: file }) }));
  base = stack.url('api');
});

afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

type Pet = { id: number; name: string; kind: string };
const isPet = (value: unknown): boolean => {
  const pet = value as Pet;
  return Number.isInteger(pet.id) && pet.id >= 1 && typeof pet.name === 'string' && pet.name.length > 0 && ['cat', 'dog'].includes(pet.kind);
};

test('a 3.2 document loads: its version, and its QUERY and additionalOperations (COPY) operations', async () => {
  const api = await loadOpenApi(file);
  expect(api.version).toBe('3.2');
  expect(api.operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual([
    'COPY /pets',
    'GET /events',
    'GET /pets',
    'GET /pets/{id}',
    'GET /search',
    'QUERY /pets',
  ]);
});

test('a response whose content is a reusable media type ($ref into components/mediaTypes) is generated from its schema', async () => {
  const response = await fetch(`${base}/pets`);
  expect(response.status).toBe(200);
  const pets = (await response.json()) as unknown[];
  expect(pets.length).toBeGreaterThan(0);
  expect(pets.every(isPet)).toBe(true);
});

test('QUERY with a body is answered and validated: a bad body is 422 naming each problem, and serving goes on', async () => {
  const query = (body: unknown) => fetch(`${base}/pets`, { method: 'QUERY', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const found = await query({ name: 'Rex' });
  expect(found.status).toBe(200);
  expect(((await found.json()) as unknown[]).every(isPet)).toBe(true);
  const refused = await query({ nam: 'Rex' });
  expect(refused.status).toBe(422);
  const { violations } = (await refused.json()) as { violations: Array<{ pointer: string }> };
  expect(violations.map((v) => v.pointer).sort()).toEqual(['/nam', '/name']);
  expect((await query({ name: 'Tom' })).status).toBe(200);
});

test('a querystring parameter validates the whole query against its schema: a bad query is 400 naming each problem, and serving goes on', async () => {
  expect((await fetch(`${base}/search?q=cats&page=2`)).status).toBe(200);
  const refused = await fetch(`${base}/search?page=0&sort=name`);
  expect(refused.status).toBe(400);
  const { violations } = (await refused.json()) as { violations: Array<{ in: string; pointer: string }> };
  expect(violations.map((v) => `${v.in} ${v.pointer}`).sort()).toEqual(['query /page', 'query /q', 'query /sort']);
  expect((await fetch(`${base}/search?q=dogs`)).status).toBe(200);
});

test('an operation of additionalOperations (COPY) is routed by its method', async () => {
  expect((await fetch(`${base}/pets`, { method: 'COPY' })).status).toBe(204);
  // Not documented on that path: 405 naming what is.
  const other = await fetch(`${base}/pets/7`, { method: 'COPY' });
  expect(other.status).toBe(405);
  expect(other.headers.get('allow')).toBe('GET, HEAD');
});

test("an Example Object's dataValue is served as the example", async () => {
  expect(await (await fetch(`${base}/pets/7`)).json()).toEqual({ id: 7, name: 'Rex', kind: 'dog' });
});

test('server-sent events are generated from itemSchema: each event has its fields, and data in JSON from its contentSchema', async () => {
  const response = await fetch(`${base}/events`, { headers: { accept: 'text/event-stream' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const events = (await response.text())
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])));
  expect(events.length).toBeGreaterThan(1);
  for (const event of events) {
    expect(['born', 'adopted']).toContain(event.event);
    expect(isPet(JSON.parse(event.data as string))).toBe(true);
  }
});

test('JSON Lines are generated from itemSchema: one item per line', async () => {
  const response = await fetch(`${base}/events`, { headers: { accept: 'application/jsonl' } });
  expect(response.headers.get('content-type')).toMatch(/^application\/jsonl\b/);
  const lines = (await response.text()).trim().split('\n');
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.map((line) => JSON.parse(line)).every(isPet)).toBe(true);
});

test('a 3.2 document that breaks the 3.2 schema is refused naming the place; a method no server can receive is a warning', async () => {
  const broken = join(dir, 'broken.json');
  writeFileSync(
    broken,
    JSON.stringify({ openapi: '3.2.0', info: { title: 't', version: '1' }, paths: { '/a': { query: { responses: { '200': { summary: 3 } } } } } }),
  );
  const error = await loadOpenApi(broken).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OpenApiDocumentError);
  expect((error as OpenApiDocumentError).documentProblems).toEqual([expect.objectContaining({ pointer: '/paths/~1a/query/responses/200/summary' })]);
  const unreceivable = join(dir, 'unreceivable.json');
  writeFileSync(
    unreceivable,
    JSON.stringify({
      openapi: '3.2.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a': { get: { responses: { '200': { description: 'ok' } } }, additionalOperations: { FROB: { responses: { '200': { description: 'ok' } } } } },
      },
    }),
  );
  const api = await loadOpenApi(unreceivable);
  expect(api.operations.map((o) => o.method)).toEqual(['GET']);
  expect(api.warnings).toEqual([expect.stringContaining('FROB /a: FROB is not a method')]);
});
