// Contracts as providers publish them (issue 13): each case is a small real-world document shape,
// served zero-config and called with fetch; after each, the stack still answers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';

const dir = mkdtempSync(join(tmpdir(), 'mockstack-openapi-wild-'));
const stacks: TestStack[] = [];

/** Serves `document` (written as JSON) as service `api`; closed after all tests. */
async function serve(name: string, document: object, rules: Parameters<typeof rest>[1] = []): Promise<TestStack> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  const stack = await startStack(scenario(name, { seed: 7 }).services({ api: rest({ port: 0, openapi: file }, rules) }));
  stacks.push(stack);
  return stack;
}

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const info = { title: 'wild', version: '1' };
const item = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string', nullable: true } },
};

describe('defect 1: examples are data, never schemas', () => {
  const examples = { one: { value: { id: 'x', name: 'a' } }, two: { value: { id: 'x', name: 'b' } } };

  test.each([
    ['3.0.3', item],
    ['3.1.0', { ...item, properties: { id: { type: 'string', $id: 'not-a-schema-id' }, name: { type: ['string', 'null'] } } }],
  ])('OpenAPI %s: media examples holding `id` keys load, validate and answer', async (openapi, schema) => {
    const stack = await serve(`examples-${openapi}`, {
      openapi,
      info,
      paths: {
        '/items': {
          get: { responses: { 200: { description: 'ok', content: { 'application/json': { schema, examples } } } } },
          post: {
            requestBody: { required: true, content: { 'application/json': { schema, examples } } },
            responses: { 201: { description: 'made', content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' }, examples } } } },
          },
        },
      },
      components: { schemas: { Item: { ...schema, example: { id: 'x', name: 'c' }, 'x-data': { id: 'x' } } }, examples: { three: { value: { id: 'x' } } } },
    });
    const base = stack.url('api');
    const listed = await fetch(`${base}/items`);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ id: 'x', name: 'a' });
    const named = await fetch(`${base}/items`, { headers: { prefer: 'example=two' } });
    expect(await named.json()).toEqual({ id: 'x', name: 'b' });

    const invalid = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":null}' });
    expect(invalid.status).toBe(422);
    expect(JSON.stringify(await invalid.json())).toContain('is required (id)');
    const valid = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"y","name":null}' });
    expect(valid.status).toBe(201);
  });

  test('a handler answer is checked against a schema whose component carries examples', async () => {
    const stack = await serve(
      'examples-check',
      {
        openapi: '3.0.3',
        info,
        paths: {
          '/items/{id}': {
            get: {
              parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, examples: { a: { value: { id: 'p' } } } }],
              responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' }, examples } } } },
            },
          },
        },
        components: { schemas: { Item: { ...item, example: { id: 'x' } } } },
      },
      [rest.get('/items/:id', ({ params }) => (params.id === 'bad' ? { id: 1 } : { id: params.id, name: null }))],
    );
    const base = stack.url('api');
    expect(await (await fetch(`${base}/items/a`)).json()).toEqual({ id: 'a', name: null });
    const broken = await fetch(`${base}/items/bad`);
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { detail: string }).detail).toMatch(/body\.id must be string/);
    expect((await fetch(`${base}/items/a`)).status).toBe(200);
  });
});

describe('defect 11: Swagger 2.0', () => {
  test('a Swagger 2.0 document is converted at load and served: routes, validation, generated bodies', async () => {
    const stack = await serve('swagger', {
      swagger: '2.0',
      info,
      host: 'api.example.com',
      basePath: '/v1',
      schemes: ['https'],
      consumes: ['application/json'],
      produces: ['application/json'],
      paths: {
        '/pets/{petId}': {
          get: {
            operationId: 'getPet',
            parameters: [{ name: 'petId', in: 'path', required: true, type: 'integer' }],
            responses: { 200: { description: 'a pet', schema: { $ref: '#/definitions/Pet' } }, 404: { description: 'none' } },
          },
        },
        '/pets': {
          post: {
            parameters: [{ name: 'pet', in: 'body', required: true, schema: { $ref: '#/definitions/Pet' } }],
            responses: { 201: { description: 'made', schema: { $ref: '#/definitions/Pet' } } },
          },
        },
      },
      definitions: {
        Pet: {
          type: 'object',
          required: ['id', 'name'],
          properties: { id: { type: 'integer', format: 'int64' }, name: { type: 'string' }, tag: { type: 'string', 'x-nullable': true } },
        },
      },
    });
    const base = stack.url('api');
    const pet = await fetch(`${base}/v1/pets/3`);
    expect(pet.status).toBe(200);
    const body = (await pet.json()) as { id: number; name: string };
    expect(typeof body.id).toBe('number');
    expect(typeof body.name).toBe('string');
    expect((await fetch(`${base}/v1/pets/abc`)).status).toBe(400);
    const invalid = await fetch(`${base}/v1/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1}' });
    expect(invalid.status).toBe(422);
    expect(
      (await fetch(`${base}/v1/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1,"name":"Rex","tag":null}' })).status,
    ).toBe(201);
    expect((await fetch(`${base}/v1/pets/4`)).status).toBe(200);
  });
});
