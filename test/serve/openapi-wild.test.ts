// Contracts as providers publish them (issue 13): each case is a small real-world document shape,
// served zero-config and called with fetch; after each, the stack still answers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAjv, loadOpenApi } from '@mockstack/openapi';
import { startStack, type TestStack } from '@mockstack/testing';
import { fallThrough, fault, respond, rest, scenario } from 'mockstack';

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

describe('defects 7 and 9: bodies and parameters as clients send them', () => {
  const object = { type: 'object', properties: { plan: { type: 'string' } }, required: ['plan'] };
  const document = {
    openapi: '3.0.3',
    info,
    paths: {
      '/customers': {
        post: {
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['email', 'metadata'],
                  properties: {
                    email: { type: 'string' },
                    metadata: object,
                    expand: { type: 'array', items: { type: 'string' } },
                    tags: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/search': {
        get: {
          parameters: [
            {
              name: 'filter',
              in: 'query',
              style: 'deepObject',
              explode: true,
              required: true,
              schema: { type: 'object', properties: { age: { type: 'integer' } }, required: ['age'] },
            },
            { name: 'ids', in: 'query', style: 'pipeDelimited', schema: { type: 'array', items: { type: 'integer' } } },
          ],
          responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/avatars': {
        post: {
          requestBody: {
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file', 'label'],
                  properties: { label: { type: 'string', maxLength: 10 }, file: { type: 'string', format: 'binary' } },
                },
              },
            },
          },
          responses: { 201: { description: 'stored', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/items/{id}': {
        patch: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            content: { 'application/merge-patch+json': { schema: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false } } },
          },
          responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/blobs': {
        post: {
          requestBody: { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: { 200: { description: 'echo', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } },
        },
      },
    },
  };
  let base: string;

  beforeAll(async () => {
    const stack = await serve('bodies', document, [
      rest.post('/customers', ({ body }) => ({ received: body })),
      rest.get('/search', ({ query }) => ({ query })),
      rest.post('/avatars', ({ body }) => {
        const { file, label } = body as { file: { filename: string; mimeType: string; size: number; data: Buffer }; label: string };
        return respond({ label, filename: file.filename, mimeType: file.mimeType, size: file.size, first: file.data[0] }, { status: 201 });
      }),
      rest.patch('/items/:id', ({ body }) => ({ kind: typeof body, body })),
      rest.post('/blobs', ({ body }) => respond(body as Buffer, { headers: { 'content-type': 'application/octet-stream' } })),
    ]);
    base = stack.url('api');
  });

  test('a form body nests brackets and keeps repeated fields as lists (qs), and is validated so', async () => {
    const form = 'email=a%40b.co&metadata[plan]=pro&expand[0]=tax&expand[1]=lines&tags=a&tags=b';
    const answer = await fetch(`${base}/customers`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ received: { email: 'a@b.co', metadata: { plan: 'pro' }, expand: ['tax', 'lines'], tags: ['a', 'b'] } });
    const missing = await fetch(`${base}/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=x&metadata[other]=1',
    });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(await missing.json())).toContain('/metadata/plan');
  });

  test('deepObject and pipeDelimited query parameters are read by their style before validation', async () => {
    expect((await fetch(`${base}/search?filter[age]=3&ids=1|2|3`)).status).toBe(200);
    const invalid = await fetch(`${base}/search?filter[age]=old&ids=1|x`);
    expect(invalid.status).toBe(400);
    const text = JSON.stringify(await invalid.json());
    expect(text).toContain('query parameter \\"filter\\" at /age must be integer');
    expect(text).toContain('query parameter \\"ids\\" at /1 must be integer');
  });

  test('multipart/form-data reaches the handler as fields and files, and is validated', async () => {
    const form = new FormData();
    form.append('label', 'me');
    form.append('file', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'me.png');
    const stored = await fetch(`${base}/avatars`, { method: 'POST', body: form });
    expect(stored.status).toBe(201);
    expect(await stored.json()).toEqual({ label: 'me', filename: 'me.png', mimeType: 'image/png', size: 4, first: 137 });
    const invalid = new FormData();
    invalid.append('label', 'far too long a label');
    const refused = await fetch(`${base}/avatars`, { method: 'POST', body: invalid });
    expect(refused.status).toBe(422);
    const text = JSON.stringify(await refused.json());
    expect(text).toContain('is required (file)');
    expect(text).toContain('/label');
  });

  test('a multipart body without a boundary is 400, one over the body limit 413; each says why', async () => {
    const unbounded = await fetch(`${base}/avatars`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'label=x' });
    expect(unbounded.status).toBe(400);
    expect(((await unbounded.json()) as { error: { message: string } }).error.message).toMatch(/^multipart body cannot be read: .*boundary/i);
    // A phone photo's size is taken (the limit was 1 MiB).
    const photo = new FormData();
    photo.append('label', 'photo');
    photo.append('file', new Blob([new Uint8Array(5 * 1024 * 1024).fill(137)], { type: 'image/png' }), 'photo.png');
    const taken = await fetch(`${base}/avatars`, { method: 'POST', body: photo });
    expect(await taken.json()).toEqual({ label: 'photo', filename: 'photo.png', mimeType: 'image/png', size: 5 * 1024 * 1024, first: 137 });
    const huge = new FormData();
    huge.append('label', 'big');
    huge.append('file', new Blob([new Uint8Array(16 * 1024 * 1024 + 10)]), 'big.bin');
    const tooLarge = await fetch(`${base}/avatars`, { method: 'POST', body: huge });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { message: string } }).error.message).toContain("larger than this service's limit of 16777216 bytes");
  });

  test('`+json` bodies are parsed as JSON and validated; a broken one gets 400', async () => {
    const patched = await fetch(`${base}/items/1`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"name":"x"}' });
    expect(await patched.json()).toEqual({ kind: 'object', body: { name: 'x' } });
    const extra = await fetch(`${base}/items/1`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"nope":1}' });
    expect(extra.status).toBe(422);
    const broken = await fetch(`${base}/items/1`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"name":' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toContain('not valid JSON');
  });

  test('binary bodies reach handlers as bytes and echo back byte-exact', async () => {
    const bytes = new Uint8Array(64).map((_, i) => (i * 37 + 200) % 256);
    const echoed = await fetch(`${base}/blobs`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    expect(echoed.status).toBe(200);
    expect(echoed.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await echoed.arrayBuffer())).toEqual(bytes);
  });

  afterEach(async () => {
    expect((await fetch(`${base}/search?filter[age]=1`)).status).toBe(200);
  });
});

describe('defect 11: methods, recursion, impossible allOf', () => {
  const node = {
    type: 'object',
    required: ['name', 'children'],
    properties: {
      name: { type: 'string' },
      children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
      parent: { $ref: '#/components/schemas/Node' },
    },
  };
  const document = {
    openapi: '3.0.3',
    info,
    paths: {
      '/tree/{id}': {
        get: { responses: { 200: { description: 'a tree', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } },
        delete: { responses: { 204: { description: 'gone' } } },
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      },
      '/accounts': {
        post: {
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  allOf: [
                    { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false },
                    { type: 'object', properties: { owner: { type: 'string' } }, required: ['owner'] },
                  ],
                },
              },
            },
          },
          responses: { 201: { description: 'made' } },
        },
      },
      '/profiles': {
        get: {
          responses: {
            200: {
              description: 'open and closed parts',
              content: {
                'application/json': {
                  schema: {
                    allOf: [
                      { type: 'object', required: ['id'], properties: { id: { type: 'string' }, nickname: { type: 'string' } }, additionalProperties: false },
                      { type: 'object', properties: { email: { type: 'string' } } },
                    ],
                  },
                },
              },
            },
          },
        },
      },
    },
    components: { schemas: { Node: node } },
  };
  let stack: TestStack;

  beforeAll(async () => {
    stack = await serve('methods', document);
  });

  test('an undocumented method on a documented path is 405 with Allow; unknown paths stay 404', async () => {
    const base = stack.url('api');
    const put = await fetch(`${base}/tree/7`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('DELETE, GET, HEAD');
    expect(((await put.json()) as { detail: string }).detail).toContain('PUT is not an operation of /tree/7');
    expect((await fetch(`${base}/forest`)).status).toBe(404);
    expect((await fetch(`${base}/tree/7`, { method: 'DELETE' })).status).toBe(204);
  });

  test('a recursive schema generates a bounded body that is valid against it', async () => {
    const answer = await fetch(`${stack.url('api')}/tree/1`);
    const text = await answer.text();
    expect(answer.status).toBe(200);
    expect(text.length).toBeLessThan(200_000);
    const valid = (value: unknown, depth = 0): boolean => {
      const n = value as { name?: unknown; children?: unknown; parent?: unknown };
      return (
        typeof n.name === 'string' &&
        Array.isArray(n.children) &&
        n.children.every((c) => valid(c, depth + 1)) &&
        (n.parent === undefined || valid(n.parent, depth + 1))
      );
    };
    expect(valid(JSON.parse(text))).toBe(true);
  });

  test('an allOf no value satisfies is said at load naming the property; generated bodies keep to closed parts', async () => {
    const warnings = (await import('@mockstack/openapi')).loadOpenApi(join(dir, 'methods.json')).then((api) => api.warnings);
    expect(await warnings).toContainEqual(
      expect.stringMatching(/^POST \/accounts: request body\.owner: allOf\[1\] requires property "owner" but allOf\[0\] forbids it/),
    );
    const refused = await fetch(`${stack.url('api')}/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"owner":"x"}' });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain('unexpected property \\"owner\\"');
    const profile = (await (await fetch(`${stack.url('api')}/profiles`)).json()) as Record<string, unknown>;
    expect(Object.keys(profile).every((key) => ['id', 'nickname'].includes(key))).toBe(true);
    expect(typeof profile.id).toBe('string');
  });
});

describe('defects 5, 6 and 8: links, media types and error shapes as the provider has them', () => {
  const provider = 'https://api.provider.example/v1';
  const thing = {
    type: 'object',
    xml: { name: 'thing' },
    required: ['id', 'name'],
    properties: {
      id: { type: 'string', xml: { attribute: true } },
      name: { type: 'string' },
      tags: { type: 'array', xml: { wrapped: true }, items: { type: 'string', xml: { name: 'tag' } } },
    },
  };
  const providerError = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['type', 'message'],
        properties: { type: { type: 'string', enum: ['invalid_request_error', 'api_error'] }, message: { type: 'string' } },
      },
    },
  };
  const document = {
    openapi: '3.0.3',
    info,
    servers: [{ url: provider }, { url: 'https://sandbox.provider.example/v1' }],
    paths: {
      '/things': {
        get: {
          parameters: [{ name: 'page', in: 'query', schema: { type: 'integer' } }],
          responses: {
            200: {
              description: 'a page',
              headers: { Link: { schema: { type: 'string' }, example: `<${provider}/things?page=2>; rel="next", <https://elsewhere.example/x>; rel="help"` } },
              content: {
                'application/json': { schema: { type: 'array', items: thing }, example: [{ id: 'a', name: 'first', self: `${provider}/things/a` }] },
                'application/xml': { schema: { type: 'array', xml: { name: 'things' }, items: thing } },
                'text/csv': { schema: { type: 'string' } },
              },
            },
          },
        },
        post: {
          requestBody: { required: true, content: { 'application/json': { schema: thing } } },
          responses: {
            201: { description: 'made', headers: { Location: { schema: { type: 'string' }, example: `${provider}/things/a` } } },
            400: { description: 'bad', content: { 'application/json': { schema: providerError } } },
          },
        },
      },
      '/things/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'one', content: { 'application/json': { schema: thing } } },
            default: {
              description: 'error',
              content: { 'application/json': { schema: { type: 'object', properties: { code: { type: 'integer' }, detail: { type: 'string' } } } } },
            },
          },
        },
      },
    },
  };
  let base: string;

  beforeAll(async () => {
    const stack = await serve('provider', document, [
      rest.get('/things/:id', ({ params }) => (params.id === 'gone' ? fault.notFound('thing gone is deleted') : fallThrough())),
    ]);
    base = stack.url('api');
  });
  afterEach(async () => {
    expect((await fetch(`${base}/v1/things`)).status).toBe(200);
  });

  test('Link, Location and example URLs that name the provider point back at the mock; a client following `next` stays on it', async () => {
    const first = await fetch(`${base}/v1/things`, { headers: { accept: 'application/json' } });
    const link = first.headers.get('link') ?? '';
    expect(link).toBe(`<${base}/v1/things?page=2>; rel="next", <https://elsewhere.example/x>; rel="help"`);
    expect(await first.json()).toEqual([{ id: 'a', name: 'first', self: `${base}/v1/things/a` }]);
    // What a paginating client (Octokit's paginate) does: follow rel="next".
    const next = /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] as string;
    expect((await fetch(next)).status).toBe(200);
    const made = await fetch(`${base}/v1/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"b","name":"x"}' });
    expect(made.status).toBe(201);
    expect(made.headers.get('location')).toBe(`${base}/v1/things/a`);
  });

  test('Accept: XML is generated from the schema with its xml names, text/csv as text; types the mock cannot make are 406', async () => {
    const xml = await fetch(`${base}/v1/things`, { headers: { accept: 'application/xml' } });
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toBe('application/xml');
    const text = await xml.text();
    expect(text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<things><thing id="[^"]+"><name>[^<]+<\/name>(<tags>(<tag>[^<]*<\/tag>)+<\/tags>)?<\/thing>/,
    );
    // A text type with a string schema is generated too.
    const csv = await fetch(`${base}/v1/things`, { headers: { accept: 'image/png, text/csv;q=0.5' } });
    expect(csv.headers.get('content-type')).toBe('text/csv');
    expect(await csv.text()).not.toBe('');
    for (const accept of ['application/octet-stream', 'image/png']) {
      const refused = await fetch(`${base}/v1/things`, { headers: { accept } });
      expect(refused.status).toBe(406);
      expect(((await refused.json()) as { available: string[] }).available).toEqual(['application/json', 'application/xml', 'text/csv']);
    }
    expect((await fetch(`${base}/v1/things`, { headers: { accept: 'text/html,*/*;q=0.8' } })).headers.get('content-type')).toMatch(/^application\/json/);
  });

  test("validation errors and scenario faults take the operation's documented error shape", async () => {
    const invalid = await fetch(`${base}/v1/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"b"}' });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { error: { type: string; message: string } };
    expect(['invalid_request_error', 'api_error']).toContain(body.error.type);
    expect(body.error.message).toContain('is required (name)');
    const gone = await fetch(`${base}/v1/things/gone`);
    expect(gone.status).toBe(404);
    const error = (await gone.json()) as { code?: number; detail: string };
    expect(error.detail).toBe('thing gone is deleted');
    if (error.code !== undefined) expect(error.code).toBe(404);
    expect((await fetch(`${base}/v1/things/here`)).status).toBe(200);
  });
});

describe('error shapes whose fields constrain what goes in them', () => {
  test("a status field that is the provider's own enum of error numbers (NDHM) keeps a documented value", async () => {
    const errorBody = {
      type: 'object',
      properties: {
        status: { type: 'integer' },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'integer', enum: [1000, 10001] }, message: { type: 'string' } },
        },
      },
    };
    const stack = await serve('ndhm-errors', {
      openapi: '3.0.0',
      info,
      paths: {
        '/consent-requests/init': {
          post: {
            requestBody: { required: true, content: { 'application/json': { schema: item } } },
            responses: { 202: { description: 'accepted' }, 400: { description: 'bad', content: { 'application/json': { schema: errorBody } } } },
          },
        },
      },
    });
    const url = `${stack.url('api')}/consent-requests/init`;
    const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"a"}' });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { status: number; error: { code: number; message: string } };
    expect([1000, 10001]).toContain(body.error.code);
    expect(body.status).toBe(400);
    expect(body.error.message).toContain('is required (id)');
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"a","name":"b"}' })).status).toBe(202);
  });
});

describe('parameters inside a path segment (Google custom methods, `.json` suffixes, OData keys, AWS fragments)', () => {
  const ok = (op: string) => ({ 200: { description: 'ok', content: { 'application/json': { example: { op } } } } });
  const param = (name: string, schema: object = { type: 'string' }) => ({ name, in: 'path', required: true, schema });
  const paths: Record<string, object> = {
    '/v1/{name}': { get: { parameters: [param('name', { type: 'string', pattern: '^[a-z0-9]+$' })], responses: ok('get') } },
    '/v1/{name}:cancel': { post: { parameters: [param('name', { type: 'string', pattern: '^[a-z0-9]+$' })], responses: ok('cancel') } },
    '/v1/{name}:archive': { post: { parameters: [param('name')], responses: ok('archive') } },
    '/v1/projects:batchGet': { get: { responses: ok('batchGet') } },
    '/t/{slug}.json': { get: { parameters: [param('slug')], responses: ok('topic') } },
    '/files/{base}.{ext}': { get: { parameters: [param('base'), param('ext', { type: 'string', enum: ['png', 'pdf'] })], responses: ok('file') } },
    "/synonymmaps('{mapName}')": { get: { parameters: [param('mapName')], responses: ok('synonyms') } },
    "/users/{id}/reminderView(Start='{start}',End='{end}')": {
      get: { parameters: [param('id'), param('start', { type: 'string', format: 'date' }), param('end')], responses: ok('reminders') },
    },
    '/tags/{arn}#tagKeys': {
      delete: {
        parameters: [param('arn'), { name: 'tagKeys', in: 'query', required: true, schema: { type: 'array', items: { type: 'string' } } }],
        responses: { 204: { description: 'untagged' } },
      },
    },
  };
  // From 100 operations a service routes requests itself instead of through fastify's routes: both ways are checked.
  const padding = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`/pad${i}/{id}`, { get: { parameters: [param('id')], responses: ok('pad') } }]));

  test.each([
    ['fastify routes', paths],
    ['own routing (100+ operations)', { ...paths, ...padding }],
  ])('served and validated (%s); a rule names the operation by its document path', async (label, documentPaths) => {
    const stack = await serve(`in-segment-${label.split(' ')[0]}`, { openapi: '3.0.3', info, paths: documentPaths }, [
      rest.post('/v1/{name}:archive', ({ params }) => respond({ op: 'archive rule', name: params.name })),
    ]);
    const base = stack.url('api');
    const op = async (path: string, init: RequestInit = {}) => {
      const answer = await fetch(`${base}${path}`, init);
      return answer.status === 200 ? ((await answer.json()) as { op: string }).op : answer.status;
    };
    expect(await op('/v1/abc')).toBe('get');
    expect(await op('/v1/abc:cancel', { method: 'POST' })).toBe('cancel');
    expect(await (await fetch(`${base}/v1/x1:archive`, { method: 'POST' })).json()).toEqual({ op: 'archive rule', name: 'x1' });
    expect(await op('/v1/projects:batchGet')).toBe('batchGet');
    expect(await op('/t/welcome.json')).toBe('topic');
    expect(await op('/files/report.pdf')).toBe('file');
    expect(await op("/synonymmaps('colours')")).toBe('synonyms');
    expect(await op("/users/u1/reminderView(Start='2024-05-01',End='2024-05-02')")).toBe('reminders');
    expect((await fetch(`${base}/tags/arn:aws:s3:::bucket?tagKeys=a&tagKeys=b`, { method: 'DELETE' })).status).toBe(204);
    // The parameters are checked as the document says
    const refused = await fetch(`${base}/v1/ABC:cancel`, { method: 'POST' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('name');
    expect(await op('/files/report.exe')).toBe(400);
    expect(await op("/users/u1/reminderView(Start='May',End='x')")).toBe(400);
    expect((await fetch(`${base}/tags/arn1`, { method: 'DELETE' })).status).toBe(400);
    // A custom method the document does not have: the path is the plain GET's (`abc:explode` is a name), which has no POST
    expect(await op('/v1/abc:explode', { method: 'POST' })).toBe(405);
    expect(await op('/v1/abc')).toBe('get');
  });
});

describe('JSON Schema 2020-12 keywords of OpenAPI 3.1 schemas', () => {
  const file = resolve(import.meta.dirname, '../fixtures/contracts/json-schema-2020.openapi.yaml');
  let stack: TestStack;
  /** Checks a value against a component of the document as published, with a plain JSON Schema 2020-12 validator (not the server's own schema set). */
  let check: (component: string, value: unknown) => string;

  beforeAll(async () => {
    stack = await startStack(scenario('json-schema-2020', { seed: 7 }).services({ api: rest({ port: 0, openapi: file }) }));
    stacks.push(stack);
    const { document } = await loadOpenApi(file);
    const ajv = createAjv('3.1');
    ajv.addSchema({ components: document.components }, 'doc');
    check = (component, value) => {
      const validate = ajv.compile({ $ref: `doc#/components/schemas/${component}` });
      return validate(value) ? '' : ajv.errorsText(validate.errors);
    };
  });

  test.each([
    ['/ifthen', 'IfThen', 'if/then/else'],
    ['/depreq', 'DepReq', 'dependentRequired'],
    ['/depschema', 'DepSchema', 'dependentSchemas narrowing a property (y between 10 and 20 once x is there)'],
    ['/pattern', 'Pattern', 'patternProperties of a closed object with minProperties'],
    ['/names', 'Names', 'propertyNames'],
    ['/contains', 'Contains', 'contains with minContains, over items of two types'],
    ['/prefix', 'Prefix', 'prefixItems with items: false'],
    ['/uneval', 'Uneval', 'unevaluatedProperties: false over allOf'],
    ['/defs', 'WithDefs', '$defs inside a component'],
    ['/not', 'Not', 'not (a type, an enum)'],
    ['/numbers', 'Numbers', 'numeric exclusive bounds and multipleOf'],
    ['/formats', 'Formats', 'formats: duration, ipv6, uri-template, json-pointer, relative-json-pointer, regex, idn-email, iri, time'],
    ['/disc', 'Pet', 'oneOf with a discriminator'],
    ['/animal', 'Animal', 'a base schema with a discriminator'],
    ['/anchor', 'Tree', 'a recursive $ref to an $anchor (#node)'],
    ['/nullish', 'Nullish', 'type lists with null, anyOf null, $ref with siblings'],
    ['/constobj', 'ConstObj', 'an object const'],
  ])('GET %s answers a generated body valid against %s (%s)', async (path, component) => {
    const response = await fetch(`${stack.url('api')}${path}`);
    expect(response.status).toBe(200);
    // Parsed here: fetch's own objects are of another realm, which Ajv's deep equality (`const`) tells apart.
    const body: unknown = JSON.parse(await response.text());
    expect(check(component, body)).toBe('');
  });

  test('a discriminator names the schema generated: the mapping key of the oneOf branch picked, of the subtype a base stands for, of an allOf subtype', async () => {
    const get = async (path: string) => JSON.parse(await (await fetch(`${stack.url('api')}${path}`)).text()) as Record<string, unknown>;
    const pet = await get('/disc');
    expect(pet.petType === 'cat' ? typeof pet.lives : typeof pet.bark).toBe(pet.petType === 'cat' ? 'number' : 'boolean');
    expect(['cat', 'dog']).toContain(pet.petType);
    const animal = await get('/animal');
    expect(animal.kind === 'bird' ? typeof animal.wingspan : typeof animal.fins).toBe('number');
    expect(['bird', 'fish']).toContain(animal.kind);
    const birds = (await get('/birds')) as unknown as Array<Record<string, unknown>>;
    expect(birds.map((bird) => bird.kind)).toEqual(birds.map(() => 'bird'));
  });

  test('a generated tree follows its $anchor: children are trees, not strings', async () => {
    const tree = (await (await fetch(`${stack.url('api')}/anchor`)).json()) as { children?: unknown[] };
    expect(tree.children?.length).toBeGreaterThan(0);
    for (const child of tree.children ?? []) expect(child).toEqual(expect.objectContaining({ value: expect.any(String) }));
  });

  test('a request body is validated through its $anchor: a tree is taken, a child that is no tree is 422 naming it, and serving goes on', async () => {
    const post = (body: unknown) =>
      fetch(`${stack.url('api')}/trees`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ value: 'root', children: [{ value: 'leaf', children: [] }] })).status).toBe(201);
    const refused = await post({ value: 'root', children: ['leaf'] });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual(expect.objectContaining({ violations: [{ in: 'body', pointer: '/children/0', message: 'must be object' }] }));
    expect((await fetch(`${stack.url('api')}/anchor`)).status).toBe(200);
  });
});

describe('a component schema named id (PeerTube, Nexmo)', () => {
  test.each(['3.0.3', '3.1.0'])(
    'OpenAPI %s: request bodies are validated through $refs to it and its siblings, a bad value is 422 naming it, and serving goes on',
    async (openapi) => {
      const stack = await serve(`id-component-${openapi}`, {
        openapi,
        info,
        paths: {
          '/links': {
            post: {
              requestBody: {
                required: true,
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: ['target', 'item'],
                      properties: { target: { $ref: '#/components/schemas/id' }, item: { $ref: '#/components/schemas/Item' } },
                    },
                  },
                },
              },
              responses: { '201': { description: 'made', content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } } },
            },
          },
        },
        components: {
          schemas: {
            id: { type: 'integer', minimum: 1 },
            Item: { type: 'object', required: ['id'], properties: { id: { $ref: '#/components/schemas/id' }, name: { type: 'string' } } },
          },
        },
      });
      const post = (body: unknown) =>
        fetch(`${stack.url('api')}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post({ target: 5, item: { id: 1 } })).status).toBe(201);
      const refused = await post({ target: 'five', item: { id: 0 } });
      expect(refused.status).toBe(422);
      const { violations } = (await refused.json()) as { violations: Array<{ pointer: string }> };
      expect(violations.map((v) => v.pointer).sort()).toEqual(['/item/id', '/target']);
      expect((await post({ target: 6, item: { id: 2 } })).status).toBe(201);
    },
  );
});

describe('a string body under a media type that is neither text/* nor JSON (Directus’s `application/text` ping)', () => {
  test("the schema's own example is the body; a binary string's placeholder example is not", async () => {
    const stack = await serve('string-example-body', {
      openapi: '3.0.1',
      info,
      paths: {
        '/server/ping': {
          get: {
            responses: { 200: { description: 'pong', content: { 'application/text': { schema: { type: 'string', pattern: 'pong', example: 'pong' } } } } },
          },
        },
        '/avatar': {
          get: {
            responses: { 200: { description: 'png', content: { 'image/png': { schema: { type: 'string', format: 'binary', example: '<binary>' } } } } },
          },
        },
      },
    });
    const ping = await fetch(`${stack.url('api')}/server/ping`);
    expect(ping.headers.get('content-type')).toBe('application/text');
    expect(await ping.text()).toBe('pong');
    const avatar = await fetch(`${stack.url('api')}/avatar`);
    expect(avatar.status).toBe(200);
    expect(await avatar.text()).toBe('');
  });
});

describe('a JSON-only Accept to an operation with no JSON answer (octokit’s Accept to GitHub’s POST /markdown)', () => {
  test('is disregarded: the documented type is sent; any other Accept it cannot answer is still 406', async () => {
    const stack = await serve('json-accept-html-answer', {
      openapi: '3.0.3',
      info,
      paths: {
        '/markdown': {
          post: {
            requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { text: { type: 'string' } } } } } },
            responses: { 200: { description: 'html', content: { 'text/html': { schema: { type: 'string' }, example: '<p>Hello</p>' } } } },
          },
        },
      },
    });
    const render = (accept: string) =>
      fetch(`${stack.url('api')}/markdown`, { method: 'POST', headers: { accept, 'content-type': 'application/json' }, body: '{"text":"Hello"}' });
    for (const accept of ['application/vnd.github.v3+json', 'application/json']) {
      const answer = await render(accept);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/html');
      expect(await answer.text()).toBe('<p>Hello</p>');
    }
    expect((await render('image/png')).status).toBe(406);
    expect((await render('application/json, image/png')).status).toBe(406);
  });
});

describe('pagination links of a request with an odd Host', () => {
  test('a Host no URL can hold (the client’s mistake) still gets links to the path asked for, on localhost', async () => {
    const stack = await serve('odd-host-links', {
      openapi: '3.0.3',
      info,
      servers: [{ url: 'https://api.example.com' }],
      paths: {
        '/{any}': {
          get: {
            parameters: [{ name: 'any', in: 'path', required: true, schema: { type: 'string' } }],
            responses: {
              200: {
                description: 'a page',
                headers: {
                  Link: {
                    schema: { type: 'string' },
                    example: '<https://api.example.com/x?page=2>; rel="next", <https://api.example.com/x?page=3>; rel="last"',
                  },
                },
                content: { 'application/json': { schema: { type: 'array', items: { type: 'string' } } } },
              },
            },
          },
        },
      },
    });
    const { port } = new URL(stack.url('api'));
    const raw = (lines: string) =>
      new Promise<string>((done, fail) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(`${lines}\r\nConnection: close\r\n\r\n`));
        let answer = '';
        socket.on('data', (chunk) => {
          answer += chunk.toString();
        });
        socket.on('end', () => done(answer));
        socket.on('error', fail);
      });
    const oddHost = await raw('GET /things HTTP/1.1\r\nHost: a b');
    expect(oddHost).toMatch(/^HTTP\/1\.1 200/);
    expect(oddHost).toContain('link: <http://localhost/things?page=2>; rel="next"');
  });
});

describe('strings of a format providers name (Stripe’s `decimal`, Google’s `int64` and `google-duration`, Twilio’s `date-time-rfc-2822`)', () => {
  test('are generated as the numbers, durations and timestamps their format names, which SDKs parse', async () => {
    const formats = ['decimal', 'int64', 'uint64', 'double', 'google-duration', 'google-datetime', 'date-time-rfc-2822'];
    const stack = await serve('string-numbers', {
      openapi: '3.0.3',
      info,
      paths: {
        '/price': {
          get: {
            responses: {
              200: {
                description: 'a price',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: formats,
                      properties: Object.fromEntries(formats.map((format) => [format, { type: 'string', format }])),
                    },
                  },
                },
              },
            },
          },
        },
      },
    });
    const price = (await (await fetch(`${stack.url('api')}/price`)).json()) as Record<string, string>;
    expect(price.decimal).toMatch(/^\d+\.\d\d$/);
    expect(price.double).toMatch(/^\d+\.\d\d$/);
    expect(price.int64).toMatch(/^\d+$/);
    expect(price.uint64).toMatch(/^\d+$/);
    expect(price['google-duration']).toMatch(/^\d+s$/);
    expect(Number.isNaN(Date.parse(price['google-datetime'] as string))).toBe(false);
    // Twilio's dates: `Tue, 15 Nov 1994 08:12:31 GMT`.
    expect(price['date-time-rfc-2822']).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
  });
});
