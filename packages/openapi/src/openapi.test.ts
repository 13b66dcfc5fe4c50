import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateValue, loadOpenApi, type OpenApi, parsePrefer, RequestValidator, ResponseMaker } from './index.js';
import { loadSpecSchemas, specAjv } from './spec-check.js';

const dir = mkdtempSync(join(tmpdir(), 'mockstack-openapi-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function document(name: string, value: object): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const resolveNothing = (node: unknown) => node;

/** Runs `test` with the start-up cache in `dir/name` (MOCKSTACK_CACHE_DIR), then puts the setting back. */
async function inCacheDir(name: string, test: (cacheDir: string) => Promise<void>): Promise<void> {
  const cacheDir = join(dir, name);
  const previous = process.env.MOCKSTACK_CACHE_DIR;
  process.env.MOCKSTACK_CACHE_DIR = cacheDir;
  try {
    await test(cacheDir);
  } finally {
    if (previous === undefined) delete process.env.MOCKSTACK_CACHE_DIR;
    else process.env.MOCKSTACK_CACHE_DIR = previous;
  }
}

describe('loadOpenApi', () => {
  test('routes with the server base path (variables filled from defaults), parameters merged from path items', async () => {
    const api = await loadOpenApi(
      document('routes.json', {
        openapi: '3.1.0',
        info: { title: 't', version: '1' },
        servers: [{ url: 'https://{region}.example.com/{version}/', variables: { region: { default: 'eu' }, version: { default: 'v3' } } }],
        paths: {
          '/orders/{orderId}/items/{sku}': {
            parameters: [
              { name: 'orderId', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'sku', in: 'path', required: true, schema: { type: 'string' } },
            ],
            get: {
              operationId: 'getItem',
              parameters: [{ name: 'sku', in: 'path', required: true, schema: { type: 'string', minLength: 3 } }],
              responses: { '200': { description: 'ok' } },
            },
            delete: { responses: { '204': { description: 'gone' } } },
          },
        },
      }),
    );
    expect(api.basePath).toBe('/v3');
    expect(api.operations.map((o) => [o.method, o.route, o.operationId])).toEqual([
      ['GET', '/v3/orders/:orderId/items/:sku', 'getItem'],
      ['DELETE', '/v3/orders/:orderId/items/:sku', undefined],
    ]);
    expect(api.operations[0]?.parameters.map((p) => [p.name, p.schema])).toEqual([
      ['orderId', { type: 'string' }],
      ['sku', { type: 'string', minLength: 3 }],
    ]);
  });

  test('YAML with $refs into another file is bundled into one document', async () => {
    const api = await loadOpenApi(join(process.cwd(), 'schemas/shipping-rates.yaml'));
    expect(api.version).toBe('3.1');
    const text = JSON.stringify(api.document);
    expect(text).not.toContain('shipping-common.yaml');
    expect(text).toContain('"currency"');
  });

  test('a document read before comes from the cache until it or a file it $refs changes', async () => {
    await inCacheDir('cache', async (cacheDir) => {
      const main = join(dir, 'cached.yaml');
      const common = join(dir, 'cached-common.yaml');
      const write = (description: string, path = '/things') => {
        writeFileSync(common, `Thing:\n  type: object\n  description: ${description}\n`);
        writeFileSync(
          main,
          `openapi: 3.1.0\ninfo: { title: t, version: '1' }\npaths:\n  ${path}:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: { $ref: 'cached-common.yaml#/Thing' }\n`,
        );
      };
      const thing = (api: OpenApi) => JSON.stringify(api.document).match(/"description":"(first|second)"/)?.[1];

      write('first');
      expect(thing(await loadOpenApi(main))).toBe('first');
      expect(readdirSync(cacheDir).some((f) => f.startsWith('openapi-document-'))).toBe(true);
      expect(thing(await loadOpenApi(main))).toBe('first');

      write('second');
      expect(thing(await loadOpenApi(main))).toBe('second');
      write('second', '/other-things');
      expect((await loadOpenApi(main)).operations.map((o) => o.path)).toEqual(['/other-things']);

      // A $ref'd file gone: the cached bundle is not used, and the error names what cannot be resolved.
      rmSync(common);
      await expect(loadOpenApi(main)).rejects.toThrow(/cannot resolve a \$ref: .*cached-common\.yaml/);
      write('third');
      expect((await loadOpenApi(main)).document).toBeDefined();
    });
  });

  test('a document that passed its checks keeps its warnings from the cache; an edit that breaks it is refused again', async () => {
    await inCacheDir('cache-checked', async (cacheDir) => {
      const file = join(dir, 'checked.json');
      const document = (ref: string) => ({
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        paths: {
          '/things': {
            get: {
              responses: {
                200: { description: 'ok', content: { 'application/json': { schema: { $ref: ref } } } },
              },
            },
          },
        },
        components: { schemas: { Thing: { allOf: [{ type: 'string' }, { type: 'integer' }] } } },
      });
      writeFileSync(file, JSON.stringify(document('#/components/schemas/Thing')));
      const first = await loadOpenApi(file);
      expect(first.warnings.join('\n')).toMatch(/no value can satisfy/);
      expect(readdirSync(cacheDir).some((f) => f.startsWith('openapi-checked-'))).toBe(true);
      const second = await loadOpenApi(file);
      expect(second.warnings).toEqual(first.warnings);
      expect(second.operations.map((o) => o.route)).toEqual(['/things']);
      // The same file edited: a $ref to nothing is found again (not hidden by the cache of the valid text).
      writeFileSync(file, JSON.stringify(document('#/components/schemas/Gone')));
      await expect(loadOpenApi(file)).rejects.toThrow(/points at nothing/);
    });
  });

  test('a plain JSON document with non-ASCII text is cached as ASCII and reads back the same; an edit reads the new text', async () => {
    await inCacheDir('cache-json', async (cacheDir) => {
      const file = join(dir, 'unicode.json');
      const document = (title: string) => ({
        openapi: '3.0.3',
        info: { title, version: '1' },
        paths: {
          '/grüße': {
            get: {
              responses: { 200: { description: 'ok', content: { 'application/json': { example: { text: title, emoji: '😀', lone: '\ud800' } } } } },
            },
          },
        },
      });
      // Pretty-printed, as published documents are.
      writeFileSync(file, JSON.stringify(document('Ünïcødé — “quoted” ☃'), null, 2));
      const first = await loadOpenApi(file);
      const [entry] = readdirSync(cacheDir).filter((f) => f.startsWith('openapi-document-'));
      const cached = readFileSync(join(cacheDir, String(entry)));
      expect(cached.every((byte) => byte < 0x80)).toBe(true);
      const second = await loadOpenApi(file);
      expect(second.document).toEqual(first.document);
      expect(second.document).toEqual(document('Ünïcødé — “quoted” ☃'));
      expect(second.operations.map((o) => o.route)).toEqual(['/grüße']);
      writeFileSync(file, JSON.stringify(document('edited ✓')));
      expect((await loadOpenApi(file)).document).toEqual(document('edited ✓'));
    });
  });

  test('from the cache, components and webhooks are parsed when first read; the document is the same, in the same order, and can be changed', async () => {
    await inCacheDir('cache-deferred', async () => {
      const big = (title: string) => ({
        type: 'object',
        title,
        properties: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field${i}`, { type: 'string' }])),
      });
      const file = document('deferred.json', {
        openapi: '3.1.0',
        info: { title: 'deferred', version: '1' },
        paths: {
          '/pets/{id}': {
            parameters: [{ $ref: '#/components/parameters/Id' }],
            get: { responses: { 200: { $ref: '#/components/responses/Pet' } } },
          },
        },
        webhooks: {
          petAdded: { post: { requestBody: { content: { 'application/json': { schema: big('Hook') } } }, responses: { 200: { description: 'ok' } } } },
        },
        components: {
          schemas: { Pet: big('Pet'), Small: { type: 'string' }, Owner: big('Owner') },
          parameters: { Id: { name: 'id', in: 'path', required: true, schema: { type: 'string', description: 'x'.repeat(300) } } },
          responses: { Pet: { description: 'a pet', content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } } },
        },
      });
      const parsed = await loadOpenApi(file);
      const cached = await loadOpenApi(file);
      const schemas = cached.document.components as { schemas: Record<string, unknown> };
      // Not parsed yet: an accessor in place of each entry big enough to defer.
      const deferred = (key: string) => typeof Object.getOwnPropertyDescriptor(schemas.schemas, key)?.get === 'function';
      expect(['Pet', 'Small', 'Owner'].map(deferred)).toEqual([true, false, true]);
      // The route's parameter came through its deferred entry.
      expect(cached.operations.map((o) => [o.route, o.parameters.map((p) => p.name)])).toEqual([['/pets/:id', ['id']]]);
      expect(cached.resolve({ $ref: '#/components/schemas/Pet' })).toEqual(big('Pet'));
      expect(deferred('Pet')).toBe(false);
      expect(deferred('Owner')).toBe(true);
      expect(Object.keys(schemas.schemas)).toEqual(['Pet', 'Small', 'Owner']);
      expect(cached.document).toEqual(parsed.document);
      expect(JSON.stringify(cached.document)).toBe(JSON.stringify(parsed.document));
      schemas.schemas.Owner = { type: 'null' };
      expect(schemas.schemas.Owner).toEqual({ type: 'null' });
      // Loading it again gives the cached document, not the one changed in memory.
      expect((await loadOpenApi(file)).document).toEqual(parsed.document);
    });
  });

  test('a settled file is known by its stamp, not read again; a rewrite of the same size is read, also one a moment later', async () => {
    await inCacheDir('cache-stamp', async (cacheDir) => {
      const memos = () => readdirSync(cacheDir).filter((f) => f.startsWith('openapi-hash-'));
      const file = join(dir, 'stamped.json');
      const document = (title: string) => ({ openapi: '3.0.3', info: { title, version: '1' }, paths: {} });
      writeFileSync(file, JSON.stringify(document('first')));
      // Just written: its stamp is not trusted (a same-size write in the same clock tick would keep it).
      expect((await loadOpenApi(file)).document).toEqual(document('first'));
      expect(memos()).toEqual([]);
      await new Promise((settle) => setTimeout(settle, 2100));
      expect((await loadOpenApi(file)).document).toEqual(document('first'));
      expect(memos()).toHaveLength(1);
      expect((await loadOpenApi(file)).document).toEqual(document('first'));
      // Same size, right away, and again a moment later: each read anew.
      writeFileSync(file, JSON.stringify(document('other')));
      expect((await loadOpenApi(file)).document).toEqual(document('other'));
      writeFileSync(file, JSON.stringify(document('third')));
      expect((await loadOpenApi(file)).document).toEqual(document('third'));
    });
  });
});

describe('generateValue', () => {
  const generate = (schema: unknown, seed = 1) => generateValue(schema, { seed, resolve: resolveNothing });

  test("a pattern with a huge repeat (Seldon's `^.{1,2097152}`) gets a short matching value, not megabytes", () => {
    const value = generate({ type: 'string', pattern: '^.{1,2097152}', maxLength: 2097152 }) as string;
    expect(value).toMatch(/^.{1,33}$/);
    expect(generate({ type: 'string', pattern: '^[a-z]{3,100000}-\\d{2}$' })).toMatch(/^[a-z]{3,35}-\d{2}$/);
  });

  test('a pattern with exact lengths (AWS ids) gets a value of that length that matches', () => {
    for (let seed = 1; seed <= 40; seed++) {
      expect(generate({ type: 'string', pattern: '^[0-9a-zA-Z]+$', minLength: 10, maxLength: 10 }, seed)).toMatch(/^[0-9a-zA-Z]{10}$/);
      expect(generate({ type: 'string', pattern: '[0-9]{12,}', minLength: 12, maxLength: 12 }, seed)).toMatch(/^[0-9]{12}$/);
    }
  });

  test('a required property the schema does not declare is made too (as a string, or from additionalProperties)', () => {
    const value = generate({ type: 'object', required: ['name', 'orginator_email'], properties: { name: { type: 'string' } } }) as Record<string, unknown>;
    expect(typeof value.orginator_email).toBe('string');
    expect(generate({ type: 'object', required: ['count'], additionalProperties: { type: 'integer' } })).toMatchObject({ count: expect.any(Number) });
    expect(generate({ type: 'object', required: ['x'], additionalProperties: false })).toEqual({});
  });

  test("a pattern with lazy quantifiers (AWS's ARNs: `[a-z-]+?`) gets a matching value for every seed", () => {
    const arn = '^arn:[a-z-]+?:[a-z-]+?:[a-z0-9-]*?:([0-9]{12})?:[a-zA-Z0-9-:/]+$';
    for (let seed = 1; seed <= 200; seed++) {
      expect(generate({ type: 'string', pattern: arn, minLength: 1, maxLength: 2048 }, seed)).toMatch(new RegExp(arn));
      expect(generate({ type: 'string', pattern: '^v\\d+?\\.x??$' }, seed)).toMatch(/^v\d+\.x?$/);
    }
  });

  test("a schema's own example is used when it fits; one that breaks the schema is read as its type or replaced", () => {
    expect(generate({ type: 'integer', example: 7 })).toBe(7);
    // Published documents (BeezUP, Vimeo) give numbers and booleans as strings
    expect(generate({ type: 'integer', example: '1001' })).toBe(1001);
    expect(generate({ type: 'boolean', example: 'true' })).toBe(true);
    expect(generate({ type: 'number', examples: ['4.5'] })).toBe(4.5);
    const integer = generate({ type: 'integer', example: 4.5 });
    expect(Number.isInteger(integer)).toBe(true);
    const word = generate({ type: 'string', example: 'sunny', enum: ['RAIN', 'SNOW'] });
    expect(['RAIN', 'SNOW']).toContain(word);
    const id = generate({ type: 'string', pattern: '^[0-9a-zA-Z]+$', example: 'bot-1' });
    expect(id).toMatch(/^[0-9a-zA-Z]+$/);
    expect(generate({ type: 'string', format: 'date', example: '2024-05-01' })).toBe('2024-05-01');
    expect(generate({ type: 'string', format: 'date', example: 'May 1st' })).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(generate({ type: 'array', items: { type: 'string' }, example: 'a,b' })).toEqual(expect.any(Array));
    expect(generate({ type: 'object', example: { any: 'shape' } })).toEqual({ any: 'shape' });
    // Looked into: required properties, and the properties and items an example holds
    const page = { type: 'object', required: ['pageNumber'], properties: { pageNumber: { type: 'integer' } }, example: { results: [] } };
    expect(generate(page)).toEqual({ pageNumber: expect.any(Number) });
    const ids = { type: 'array', items: { type: 'object', properties: { ID: { type: 'integer' } } }, example: [{ ID: '1' }] };
    expect(generate(ids)).not.toEqual([{ ID: '1' }]);
    const fine = { type: 'array', items: { type: 'object', properties: { ID: { type: 'integer' } } }, example: [{ ID: 1, extra: 'kept' }] };
    expect(generate(fine)).toEqual([{ ID: 1, extra: 'kept' }]);
  });

  test('an example is also checked against its allOf parts, oneOf options, bounds, closed objects and common formats', () => {
    const status = { type: 'string', enum: ['active', 'closed'] };
    // The example sits beside allOf (an order with a status the part does not allow)
    const order = { allOf: [{ type: 'object', properties: { status } }], example: { status: 'pending' } };
    expect(['active', 'closed']).toContain((generate(order) as { status: string }).status);
    expect(generate({ allOf: [{ type: 'object', properties: { status } }], example: { status: 'closed' } })).toEqual({ status: 'closed' });
    // None of the options takes it
    expect(generate({ oneOf: [{ type: 'integer' }, { type: 'boolean' }], example: 'many' })).not.toBe('many');
    expect(generate({ oneOf: [{ type: 'integer' }, { type: 'string' }], example: 'many' })).toBe('many');
    expect(generate({ type: 'string', maxLength: 3, example: 'toolong' })).not.toBe('toolong');
    expect(generate({ type: 'integer', minimum: 1, example: 0 })).not.toBe(0);
    expect(generate({ type: 'array', maxItems: 1, items: { type: 'integer' }, example: [1, 2] })).not.toEqual([1, 2]);
    const closed = { type: 'object', additionalProperties: false, properties: { id: { type: 'integer' } }, example: { id: 1, name: 'x' } };
    expect(generate(closed)).not.toHaveProperty('name');
    // Nexmo's HAL links: `format: url` with a relative example; link.fish's `format: byte` with plain text
    expect(generate({ type: 'string', format: 'url', example: '/v1/applications/aaaa' })).toMatch(/^https?:\/\//);
    expect(generate({ type: 'string', format: 'byte', example: 'a screenshot' })).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(generate({ type: 'string', format: 'url', example: 'https://example.com/a' })).toBe('https://example.com/a');
  });

  test('integer formats on numbers, min/maxProperties and required names the properties do not declare are kept to', () => {
    for (let seed = 1; seed <= 20; seed++) {
      expect(Number.isInteger(generate({ type: 'number', format: 'int32' }, seed))).toBe(true);
      const source = generate({ type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } }, seed);
      expect(Object.keys(source as object)).toHaveLength(1);
    }
    expect(Object.keys(generate({ type: 'object', minProperties: 2, additionalProperties: { type: 'string' } }) as object).length).toBeGreaterThanOrEqual(2);
    const key = { type: 'object', required: ['notificatinos'], properties: { notifications: { type: 'boolean' } } };
    expect(generate(key)).toHaveProperty('notificatinos');
  });

  test('formats and field names give realistic values', () => {
    const value = generate({
      type: 'object',
      properties: {
        email: { type: 'string' },
        homepage: { type: 'string', format: 'uri' },
        createdAt: { type: 'string' },
        birthDate: { type: 'string', format: 'date' },
        id: { type: 'string', format: 'uuid' },
        firstName: { type: 'string' },
        ip: { type: 'string', format: 'ipv4' },
      },
    }) as Record<string, string>;
    expect(value.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
    expect(value.homepage).toMatch(/^https?:\/\//);
    expect(new Date(value.createdAt as string).toISOString()).toBe(value.createdAt);
    expect(value.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(value.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(value.firstName).toMatch(/^[A-Z]/);
    expect(value.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // `name` reads its object: a person's for a recipient or customer, a company's for a carrier.
    const names = generate({
      type: 'object',
      properties: {
        customer: { type: 'object', properties: { name: { type: 'string' } } },
        carrier: { type: 'object', properties: { name: { type: 'string' } } },
      },
    }) as { customer: { name: string }; carrier: { name: string } };
    expect(names.customer.name).toMatch(/^\S+ \S+/);
    expect(names.carrier.name).not.toBe(names.customer.name);
  });

  test('deterministic per seed', () => {
    const schema = { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } } };
    expect(generate(schema, 5)).toEqual(generate(schema, 5));
    expect(generate(schema, 5)).not.toEqual(generate(schema, 6));
  });

  test('enums, const, bounds (3.0 and 3.1 exclusive forms), multipleOf, lengths, arrays', () => {
    for (let seed = 0; seed < 50; seed++) {
      const value = generate(
        {
          type: 'object',
          properties: {
            kind: { enum: ['a', 'b'] },
            fixed: { const: 3 },
            low: { type: 'integer', minimum: 10, maximum: 12, exclusiveMaximum: true },
            high: { type: 'number', exclusiveMinimum: 100, exclusiveMaximum: 101 },
            step: { type: 'integer', minimum: 0, maximum: 100, multipleOf: 25 },
            code: { type: 'string', minLength: 5, maxLength: 5 },
            tags: { type: 'array', minItems: 2, maxItems: 4, items: { type: 'string' } },
            pin: { type: 'string', pattern: '^[0-9]{4}$' },
          },
        },
        seed,
      ) as Record<string, unknown>;
      expect(['a', 'b']).toContain(value.kind);
      expect(value.fixed).toBe(3);
      expect([10, 11]).toContain(value.low);
      expect(value.high).toBeGreaterThan(100);
      expect(value.high).toBeLessThan(101);
      expect((value.step as number) % 25).toBe(0);
      expect(value.code).toHaveLength(5);
      expect((value.tags as string[]).length).toBeGreaterThanOrEqual(2);
      expect((value.tags as string[]).length).toBeLessThanOrEqual(4);
      expect(value.pin).toMatch(/^[0-9]{4}$/);
    }
  });

  test('patterns with groups, classes and quantifiers (GitHub secrets, SHAs, versions) give matching strings', () => {
    const patterns = {
      // base64 (GitHub's encrypted_value), a 40- or 64-digit SHA with length bounds, a semantic version
      base64: { pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$' },
      sha: { pattern: '^([0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?)$', minLength: 40, maxLength: 64 },
      version: { pattern: '^\\d+\\.\\d+\\.\\d+$' },
      // a format's value that breaks the pattern gives way to the pattern
      secure: { format: 'uri', pattern: '^https://' },
    };
    for (let seed = 0; seed < 30; seed++) {
      const value = generate(
        { type: 'object', properties: Object.fromEntries(Object.entries(patterns).map(([k, v]) => [k, { type: 'string', ...v }])) },
        seed,
      ) as Record<string, string>;
      for (const [name, schema] of Object.entries(patterns)) expect(value[name]).toMatch(new RegExp(schema.pattern, 'u'));
      expect(value.sha?.length).toBeGreaterThanOrEqual(40);
    }
    // Same seed, same string.
    expect(generate({ type: 'string', pattern: '^\\d+\\.\\d+$' }, 7)).toBe(generate({ type: 'string', pattern: '^\\d+\\.\\d+$' }, 7));
    // A pattern fixing only a prefix names ids after it (Stripe's `^cus_`), within maxLength; an anchored end is kept to.
    expect(generate({ type: 'string', pattern: '^cus_' })).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(generate({ type: 'string', pattern: '^sk-', maxLength: 8 })).toMatch(/^sk-[A-Za-z0-9]{5}$/);
    expect(generate({ type: 'string', pattern: '^ord_$' })).toBe('ord_');
  });

  test('3.1 forms: type lists with null, examples arrays, numeric exclusive bounds', () => {
    expect(generate({ type: ['integer', 'null'], minimum: 5, maximum: 5 })).toBe(5);
    expect(generate({ type: 'string', examples: ['first', 'second'] })).toBe('first');
    // The anyOf form of nullable (OpenAI's and FastAPI's documents) gets a value, as the type list does, whatever the seed.
    for (let seed = 1; seed <= 20; seed++) {
      expect(typeof generate({ anyOf: [{ type: 'string' }, { type: 'null' }] }, seed)).toBe('string');
      expect(typeof generate({ oneOf: [{ const: null }, { type: 'integer' }] }, seed)).toBe('number');
    }
    // Null alone stays null.
    expect(generate({ anyOf: [{ type: 'null' }] })).toBeNull();
    // A nullable field named for what went wrong or ended is null, as a usual answer has it, in each form of nullable.
    const answer = generate({
      type: 'object',
      required: ['content', 'error', 'refusal', 'canceled_at', 'last_payment_error', 'failure_code'],
      properties: {
        content: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        error: { anyOf: [{ type: 'object', properties: { message: { type: 'string' } } }, { type: 'null' }] },
        refusal: { type: ['string', 'null'] },
        canceled_at: { type: 'integer', nullable: true },
        last_payment_error: { oneOf: [{ $ref: '#/nothing' }, { type: 'null' }] },
        failure_code: { type: 'string', enum: ['card_declined', null] },
      },
    });
    expect(answer).toEqual({ content: expect.any(String), error: null, refusal: null, canceled_at: null, last_payment_error: null, failure_code: null });
    // In an error's answer, what failed is said.
    const failed = generateValue(
      { type: 'object', required: ['error_message'], properties: { error_message: { type: ['string', 'null'] } } },
      { seed: 1, resolve: resolveNothing, failure: true },
    );
    expect(failed).toEqual({ error_message: expect.any(String) });
    // Not nullable: a value, whatever the name.
    expect(generate({ type: 'object', required: ['error'], properties: { error: { type: 'string' } } })).toEqual({ error: expect.any(String) });
    const value = generate({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.5 }) as number;
    expect(value > 0 && value < 0.5).toBe(true);
  });

  test('allOf merges, oneOf picks one branch, recursive $refs end', () => {
    const root = {
      components: {
        schemas: {
          Node: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } },
          },
        },
      },
    };
    const resolve = (node: unknown): unknown => {
      const ref = (node as { $ref?: string } | undefined)?.$ref;
      return ref ? root.components.schemas.Node : node;
    };
    const tree = generateValue({ $ref: '#/components/schemas/Node' }, { seed: 1, resolve });
    expect(JSON.stringify(tree).length).toBeLessThan(100_000);
    const merged = generate({ allOf: [{ type: 'object', properties: { a: { type: 'integer' } } }, { properties: { b: { type: 'boolean' } } }] }) as object;
    expect(Object.keys(merged).sort()).toEqual(['a', 'b']);
    const one = generate({
      oneOf: [
        { type: 'object', properties: { cat: { const: true } } },
        { type: 'object', properties: { dog: { const: true } } },
      ],
    }) as object;
    expect(Object.keys(one)).toHaveLength(1);
    // The first option, the one an API answers by default and clients know, whatever the seed; drawn when asked.
    const options = { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'boolean' }] };
    const seeds = Array.from({ length: 20 }, (_, n) => n + 1);
    expect(new Set(seeds.map((seed) => typeof generate(options, seed)))).toEqual(new Set(['string']));
    const drawn = seeds.map((seed) => typeof generateValue(options, { seed, resolve: resolveNothing, drawOptions: true }));
    expect(new Set(drawn)).toEqual(new Set(['string', 'number', 'boolean']));
  });
});

describe('responses and requests', () => {
  let api: OpenApi;
  beforeAll(async () => {
    api = await loadOpenApi(join(process.cwd(), 'schemas/petstore.json'));
  });

  test('parsePrefer reads code, example and dynamic', () => {
    expect(parsePrefer('code=404, example=missing')).toEqual({ code: 404, example: 'missing' });
    expect(parsePrefer('dynamic=true; code=abc')).toEqual({ dynamic: true });
    expect(parsePrefer(undefined)).toEqual({});
  });

  test('the first 2xx by default, `default` for an undocumented code, dynamic values on request', () => {
    const create = api.operations.find((o) => o.operationId === 'createPet');
    if (!create) throw new Error('createPet missing');
    const maker = new ResponseMaker(api, create, 1);
    const created = maker.respond({});
    expect('status' in created && created.status).toBe(201);
    const error = maker.respond({ code: 500 });
    expect('status' in error && error.status).toBe(500);
    expect('body' in error && Object.keys(JSON.parse(String(error.body))).sort()).toEqual(['code', 'message']);
    const a = maker.respond({ dynamic: true });
    const b = maker.respond({ dynamic: true });
    expect('body' in a && 'body' in b && a.body !== b.body).toBe(true);
  });

  test('request validation coerces parameters without changing the request', () => {
    const list = api.operations.find((o) => o.operationId === 'listPets');
    if (!list) throw new Error('listPets missing');
    const validator = new RequestValidator(api);
    const query = { limit: '10', tags: 'a,b' };
    expect(validator.validate(list, { params: {}, query, headers: { 'x-request-id': '7d0f4a56-27d8-4c4b-9c55-4c8ad6a0f0f1' }, body: undefined })).toEqual([]);
    expect(query).toEqual({ limit: '10', tags: 'a,b' });
    expect(validator.validate(list, { params: {}, query: { limit: 'ten' }, headers: { 'x-request-id': 'nope' }, body: undefined })).toEqual([
      { in: 'query', name: 'limit', pointer: '/limit', message: 'query parameter "limit" must be integer' },
      { in: 'header', name: 'x-request-id', pointer: '/x-request-id', message: 'header parameter "x-request-id" must match format "uuid"' },
    ]);
  });
});

test("patterns only valid without the unicode flag (AWS's `[\\w\\-\\_]`) are checked, not skipped", async () => {
  const api = await loadOpenApi(
    document('aws-patterns.json', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/jobs/{jobId}': {
          get: {
            parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-zA-Z0-9\\-\\_]+$' } }],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    }),
  );
  const [jobs] = api.operations;
  if (!jobs) throw new Error('no operation');
  const problems: string[] = [];
  const validator = new RequestValidator(api, { onProblem: (message) => problems.push(message) });
  expect(validator.validate(jobs, { params: { jobId: 'job_1-a' }, query: {}, headers: {}, body: undefined })).toEqual([]);
  expect(validator.validate(jobs, { params: { jobId: 'job 1' }, query: {}, headers: {}, body: undefined })).toEqual([
    expect.objectContaining({ in: 'path', name: 'jobId', message: expect.stringContaining('must match pattern') }),
  ]);
  expect(problems).toEqual([]);
  expect(generateValue(jobs.parameters[0]?.schema, { seed: 3, resolve: resolveNothing })).toMatch(/^[a-zA-Z0-9\-_]+$/);
});

test('headers user agents send themselves are not held to an optional enum; an enum without a type reads its values from text', async () => {
  const api = await loadOpenApi(
    document('agents.json', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/sms': {
          post: {
            parameters: [
              // Zalando's shops; Nexmo's `delivered`
              { name: 'Accept-Language', in: 'header', schema: { type: 'string', enum: ['de-DE', 'en-GB'] } },
              { name: 'X-Shop', in: 'header', schema: { type: 'string', enum: ['de', 'gb'] } },
              { name: 'delivered', in: 'query', required: true, schema: { enum: [true, false, 0, 1] } },
              // VTEX's: the client's transport sets it (and a chunked body has none)
              { name: 'Content-Length', in: 'header', required: true, schema: { type: 'string', example: '2183' } },
            ],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    }),
  );
  const [sms] = api.operations;
  if (!sms) throw new Error('no operation');
  const validator = new RequestValidator(api);
  const request = (query: Record<string, string>, headers: Record<string, string>) => ({ params: {}, query, headers, body: undefined });
  // fetch sends `accept-language: *`; browsers their locales
  expect(validator.validate(sms, request({ delivered: 'true' }, { 'accept-language': '*' }))).toEqual([]);
  expect(validator.validate(sms, request({ delivered: '1' }, { 'accept-language': 'en-US,en;q=0.9' }))).toEqual([]);
  expect(validator.validate(sms, request({ delivered: 'maybe' }, { 'x-shop': 'fr' }))).toEqual([
    expect.objectContaining({ in: 'query', name: 'delivered', message: 'query parameter "delivered" must be one of true, false, 0, 1' }),
    expect.objectContaining({ in: 'header', name: 'x-shop' }),
  ]);
});

test("a pattern written as an anchored regex literal (PeerTube's `/^[a-z]+$/`) is read between its slashes", async () => {
  const api = await loadOpenApi(
    document('peertube.json', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/channels/{name}': {
          get: {
            parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '/^[a-zA-Z0-9\\-_.:]+$/' } }],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    }),
  );
  const [channel] = api.operations;
  if (!channel) throw new Error('no operation');
  const validator = new RequestValidator(api);
  expect(validator.validate(channel, { params: { name: 'my_channel' }, query: {}, headers: {}, body: undefined })).toEqual([]);
  expect(validator.validate(channel, { params: { name: 'my channel' }, query: {}, headers: {}, body: undefined })).toHaveLength(1);
  expect(generateValue(channel.parameters[0]?.schema, { seed: 3, resolve: resolveNothing })).toMatch(/^[a-zA-Z0-9\-_.:]+$/);
});

test("Java's POSIX classes in patterns (AWS's `\\p{XDigit}`) are read as the sets they stand for; enum values are picked to fit the pattern", () => {
  const changeId = { type: 'string', pattern: '\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}' };
  const replySettings = { type: 'string', pattern: '^[A-Za-z]{1,12}$', enum: ['everyone', 'mentionedUsers', 'following'] };
  for (let seed = 1; seed <= 20; seed++) {
    expect(generateValue(changeId, { seed, resolve: resolveNothing })).toMatch(/^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/);
    expect(['everyone', 'following']).toContain(generateValue(replySettings, { seed, resolve: resolveNothing }));
    // Sinao: a regex literal with a flag; CloudRF: a default below the minimum
    expect(generateValue({ type: 'string', pattern: '/^[0-9]{4}[a-z]$/i' }, { seed, resolve: resolveNothing })).toMatch(/^[0-9]{4}[a-zA-Z]$/);
    expect(generateValue({ type: 'integer', minimum: 1, maximum: 9, default: 0 }, { seed, resolve: resolveNothing })).toBeGreaterThanOrEqual(1);
    // Loket: a uuid format with an upper-case hex pattern
    const loketId = { type: 'string', format: 'uuid', pattern: '^[{(]?[0-9A-F]{8}[-]?([0-9A-F]{4}[-]?){3}[0-9A-F]{12}[)}]?$' };
    expect(generateValue(loketId, { seed, resolve: resolveNothing })).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  }
});

test('a GET that documents a required body (hetras) is not refused for having none, since fetch cannot send one', async () => {
  const body = { required: true, content: { 'application/json': { schema: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } } } } };
  const api = await loadOpenApi(
    document('get-body.json', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/blocks': {
          get: { requestBody: body, responses: { '200': { description: 'ok' } } },
          post: { requestBody: body, responses: { '200': { description: 'ok' } } },
        },
      },
    }),
  );
  const validator = new RequestValidator(api);
  const [get, post] = api.operations;
  if (!get || !post) throw new Error('operations missing');
  const none = { params: {}, query: {}, headers: {}, body: undefined };
  expect(validator.validate(get, none)).toEqual([]);
  expect(validator.validate(get, { ...none, headers: { 'content-type': 'application/json' }, body: {} })).toHaveLength(1);
  expect(validator.validate(post, none)).toEqual([expect.objectContaining({ in: 'body', message: 'a request body is required (application/json)' })]);
});

test("a schema wrapping a discriminated union (InfluxDB's NotificationRule) answers one of its subtypes, tagged as that subtype", () => {
  const base = (kind: string, required: string) => ({
    type: 'object',
    required: ['type', required],
    properties: { type: { type: 'string', enum: [kind] }, [required]: { type: 'string' } },
  });
  const schemas: Record<string, unknown> = {
    NotificationRule: { allOf: [{ $ref: '#/components/schemas/NotificationRuleDiscriminator' }] },
    NotificationRuleDiscriminator: {
      oneOf: [{ $ref: '#/components/schemas/HTTPNotificationRule' }, { $ref: '#/components/schemas/SlackNotificationRule' }],
      discriminator: {
        propertyName: 'type',
        mapping: { http: '#/components/schemas/HTTPNotificationRule', slack: '#/components/schemas/SlackNotificationRule' },
      },
    },
    HTTPNotificationRule: base('http', 'url'),
    SlackNotificationRule: base('slack', 'messageTemplate'),
  };
  const resolve = (node: unknown): unknown => {
    const ref = (node as { $ref?: string } | undefined)?.$ref;
    return ref ? schemas[ref.slice(ref.lastIndexOf('/') + 1)] : node;
  };
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const rule = generateValue({ $ref: '#/components/schemas/NotificationRule' }, { seed, resolve }) as Record<string, unknown>;
    expect(rule.type === 'http' ? typeof rule.url : typeof rule.messageTemplate).toBe('string');
    expect(['http', 'slack']).toContain(rule.type);
  }
});

test("a string with a format and a pattern for its end (Optimade's versioned base URL) has both", async () => {
  const { fullFormats } = await import('ajv-formats/dist/formats.js');
  const url = { type: 'string', format: 'uri', minLength: 1, maxLength: 65536, pattern: '.+/v[0-1](\\.[0-9]+)*/?$' };
  const uri = fullFormats.uri as (value: string) => boolean;
  for (let seed = 1; seed <= 20; seed++) {
    const value = generateValue(url, { seed, resolve: resolveNothing }) as string;
    expect(value).toMatch(/.+\/v[0-1](\.[0-9]+)*\/?$/);
    expect(uri(value)).toBe(true);
  }
});

test('unique items are drawn until minItems is reached', () => {
  const groups = { type: 'array', minItems: 2, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 3 } };
  for (let seed = 1; seed <= 30; seed++) {
    const value = generateValue(groups, { seed, resolve: resolveNothing }) as number[];
    expect(new Set(value).size).toBe(value.length);
    expect(value.length).toBeGreaterThanOrEqual(2);
  }
});

describe('the OpenAPI spec check', () => {
  // The build compiles the spec schemas to code (build-spec-validators.mjs); from sources they are
  // compiled at run time. Both must find the same problems.
  const broken = {
    '3.0': { openapi: '3.0.3', info: { title: 't' }, paths: { '/a': { get: { responses: { '200': {} } } } } },
    '3.1': { openapi: '3.1.0', info: { title: 't', version: 1 }, paths: { '/a': { get: { responses: { '200': { description: 2 } } } } } },
    '3.2': { openapi: '3.2.0', info: { title: 't', version: '1' }, paths: { '/a': { query: { responses: { '200': { summary: 3 } } } } } },
  } as const;

  test.each(['3.0', '3.1', '3.2'] as const)('the validator built for OpenAPI %s finds what the compiled one finds', async (version) => {
    const { ajv, schema } = specAjv(version, await loadSpecSchemas());
    const compiled = ajv.compile(schema);
    const built = createRequire(import.meta.url)(`../dist/spec-validators/oas${version.replace('.', '')}.cjs`) as typeof compiled;
    const errors = (validate: typeof compiled) => {
      expect(validate(broken[version])).toBe(false);
      return validate.errors?.map((e) => `${e.instancePath} ${e.keyword} ${e.message}`);
    };
    expect(errors(built)).toEqual(errors(compiled));
    expect(errors(compiled)?.length).toBeGreaterThan(0);
  });
});
