import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, MockstackError } from '@mockstack/core';
import type { OpenApiDocumentError } from '@mockstack/openapi';
import { startStack, type TestStack } from '@mockstack/testing';
import { respond, rest, scenario } from 'mockstack';

const dir = mkdtempSync(join(tmpdir(), 'mockstack-openapi-bad-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const serving = scenario('openapi-serving').services({ shipping: rest({ port: 0, openapi: 'schemas/shipping-rates.yaml' }) });
let stack: TestStack;
let servers: number;
const tcpServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
/** Closed servers release their handle a few ticks after `close()` resolves. */
async function tcpServersSettle(expected: number): Promise<number> {
  for (let i = 0; i < 50 && tcpServers() > expected; i++) await new Promise((r) => setTimeout(r, 10));
  return tcpServers();
}

beforeAll(async () => {
  servers = tcpServers();
  stack = await startStack(serving);
});
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
  expect(await tcpServersSettle(servers)).toBeLessThanOrEqual(servers);
});
afterEach(async () => {
  // Whatever failed to load, the running stack keeps answering.
  expect((await fetch(`${stack.url('shipping')}/v2/rates?country=DE&weightGrams=1`)).status).toBe(200);
});

/**
 * Serves the document `text` (written as `name`) as service "api", runs `check` with its URL and the
 * warnings the load logged, and closes the stack.
 */
async function served(name: string, text: string, check: (base: string, warnings: string[], file: string) => Promise<void>): Promise<void> {
  const file = write(name, text);
  const warnings: string[] = [];
  const logger: Logger = { request: () => {}, info: () => {}, error: () => {}, warn: (message) => warnings.push(message) };
  const started = await startStack(scenario(name.replace(/\.\w+$/, '')).services({ api: rest({ port: 0, openapi: file }) }), { logger });
  try {
    await check(started.url('api'), warnings, file);
  } finally {
    await started.close();
  }
}

/** What starting a scenario with one REST service over `openapi` throws. */
async function failure(openapi: string, overrides: Parameters<typeof rest>[1] = []): Promise<MockstackError> {
  const bad = scenario('openapi-bad').services({ api: rest({ port: 0, openapi }, overrides) });
  try {
    const started = await startStack(bad);
    await started.close();
  } catch (error) {
    return error as MockstackError;
  }
  throw new Error('expected the scenario to fail');
}

test('an invalid document lists each problem with its JSON pointer', async () => {
  const file = write(
    'invalid.yaml',
    `openapi: 3.0.3
info:
  title: Broken
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - name: petId
          in: path
          required: true
          schema: { type: string }
      responses:
        '200':
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
  /pets:
    get:
      operationId: getPet
      responses:
        '200': { description: ok }
`,
  );
  const error = await failure(file);
  expect(error.code).toBe('MOCKSTACK_ERR_CONTRACT_LOAD');
  expect(error.message).toContain(`${file} is not a valid OpenAPI 3.0/3.1/3.2 document`);
  // Pointing at the rest({ openapi }) call in the scenario.
  expect(error.source?.file).toBe(import.meta.filename);
  expect((error as OpenApiDocumentError).documentProblems).toEqual([
    { pointer: '/info', message: "must have required property 'version'" },
    { pointer: '/paths/~1pets~1{id}/get/responses/200', message: "must have required property 'description'" },
    { pointer: '/paths/~1pets~1{id}/get/parameters', message: 'path /pets/{id} has {id} but the operation declares no path parameter "id"' },
    { pointer: '/paths/~1pets~1{id}/get/parameters', message: 'path parameter "petId" does not appear in the path /pets/{id}' },
    { pointer: '/paths/~1pets/get/operationId', message: 'operationId "getPet" is also used at /paths/~1pets~1{id}/get; operationIds must be unique' },
    {
      pointer: '/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/$ref',
      message: '$ref "#/components/schemas/Pet" points at nothing',
    },
  ]);
});

test('a YAML syntax error, a missing file, a Swagger 1.2 document, a broken external $ref', async () => {
  const yaml = await failure(write('syntax.yaml', 'openapi: 3.1.0\ninfo: [unclosed\n'));
  expect(yaml.message).toMatch(/cannot parse YAML at line \d+, column \d+/);

  const missing = await failure(join(dir, 'nope.yaml'));
  expect(missing.code).toBe('MOCKSTACK_ERR_CONTRACT_LOAD');
  expect(missing.message).toContain(`cannot read OpenAPI document ${join(dir, 'nope.yaml')}`);
  expect(missing.format()).toMatch(/openapi-bad-input\.test\.ts:\d+:\d+: cannot read OpenAPI document/);

  // Swagger 2.0 is converted at load (test/serve/openapi-wild.test.ts); older versions are not.
  const swagger = await failure(write('swagger.json', JSON.stringify({ swagger: '1.2', info: { title: 'x', version: '1' }, paths: {} })));
  expect(swagger.message).toContain('/swagger: expected "swagger": "2.0" (converted at load) or "openapi": "3.0.x"/"3.1.x"/"3.2.x", found "1.2"');

  const external = await failure(
    write(
      'external.yaml',
      `openapi: 3.1.0
info: { title: x, version: '1' }
paths:
  /a:
    get:
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: 'missing.yaml#/Thing' } } } }
`,
    ),
  );
  expect(external.message).toContain('cannot resolve a $ref');
});

test('an override naming an operation the document lacks: the scenario line and near names', async () => {
  const error = await failure('schemas/shipping-rates.yaml', [rest.get('/rate/:rateId', { id: 'x' }), rest.operation('getRatess', { rates: [] })]);
  expect(error.code).toBe('MOCKSTACK_ERR_OPERATION_UNKNOWN');
  expect(error.source?.file).toBe(import.meta.filename);
  expect(error.message).toMatch(
    /openapi-bad-input\.test\.ts:\d+:\d+: operation GET \/rate\/:rateId is not in schemas\/shipping-rates\.yaml; near names: GET \/v2\/rates\/:rateId,/,
  );
  expect(error.message).toMatch(
    /openapi-bad-input\.test\.ts:\d+:\d+: operationId "getRatess" is not in schemas\/shipping-rates\.yaml; near names: getRates, getRate/,
  );
});

test('rest.operation without a document, and a variant naming a route the document lacks', async () => {
  const noDocument = scenario('no-doc').services({ api: rest({ port: 0 }, [rest.operation('getRates', { rates: [] })]) });
  await expect(startStack(noDocument)).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_OPERATION_UNKNOWN',
    message: expect.stringContaining('needs an OpenAPI document'),
  });

  const variant = scenario('bad-variant')
    .services({ api: rest({ port: 0, openapi: 'schemas/shipping-rates.yaml' }) })
    .variants({ down: { api: [rest.get('/rates', { rates: [] })] } });
  await expect(startStack(variant)).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_SCENARIO_COMPILE',
    message: expect.stringContaining('variant "down" of service "api" overrides GET /rates, which'),
  });
});

test('unsupported features are reported at load and served as documented, never a crash', async () => {
  await served(
    'unsupported.yaml',
    `openapi: 3.0.3
info: { title: x, version: '1' }
paths:
  /files/{name}.json:
    get:
      parameters: [{ name: name, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: ok } }
  /report:
    get:
      responses:
        '200':
          description: an image without an example
          content: { image/png: { schema: { type: string, format: binary } } }
  /upload:
    post:
      requestBody: { content: { multipart/form-data: { schema: { type: object } } } }
      responses: { '204': { description: done } }
  /search:
    get:
      parameters: [{ name: q, in: query, schema: { type: string, pattern: '([' } }]
      responses: { '200': { description: ok, content: { text/plain: { example: found } } } }
`,
    async (base, warnings, file) => {
      expect(warnings).toEqual([
        `service "api" (${file}): GET /report: response 200 (image/png) has no example and mockstack generates only JSON, XML, plain text and (from an itemSchema or an object schema) event streams and JSON Lines; it answers with an empty body`,
      ]);
      // A parameter inside a segment is served
      expect((await fetch(`${base}/files/notes.json`)).status).toBe(200);
      const report = await fetch(`${base}/report`);
      expect(report.status).toBe(200);
      expect(report.headers.get('content-type')).toBe('image/png');
      expect(await report.text()).toBe('');
      // Also to a client that asks for that type (a generated client sends the documented type as Accept).
      const asked = await fetch(`${base}/report`, { headers: { accept: 'image/png' } });
      expect(asked.status).toBe(200);
      expect(asked.headers.get('content-type')).toBe('image/png');
      expect((await fetch(`${base}/report`, { headers: { accept: 'image/jpeg' } })).status).toBe(406);
      const upload = await fetch(`${base}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x--',
      });
      expect(upload.status).toBe(204);
      // A schema Ajv cannot compile (a broken pattern): said once on first use, the request is served unchecked.
      const search = await fetch(`${base}/search?q=mug`);
      expect(await search.text()).toBe('found');
      expect(warnings[1]).toMatch(/^service "api" \(.*unsupported\.yaml\): GET \/search query parameters is not checked: its schema cannot be compiled/);
    },
  );
});

test('paths the router cannot tell apart or serve (published documents have them) are warned about, the rest is served', async () => {
  // Xero's, Google's and VTEX's documents have one method on /a/{id} and /a/{key}; TomTom's a path ending in "//".
  await served(
    'clashing.yaml',
    `openapi: 3.0.3
info: { title: x, version: '1' }
paths:
  /attachments/{attachmentId}:
    get:
      operationId: byId
      parameters: [{ name: attachmentId, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: ok, content: { application/json: { example: { by: id } } } } }
  /attachments/{fileName}:
    get:
      operationId: byName
      parameters: [{ name: fileName, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: ok, content: { application/json: { example: { by: name } } } } }
    delete:
      parameters: [{ name: fileName, in: path, required: true, schema: { type: string } }]
      responses: { '204': { description: gone } }
  /maps/{version}/wms//:
    get:
      parameters: [{ name: version, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: ok } }
  /:
    get:
      responses: { '200': { description: ok, content: { application/json: { example: { root: true } } } } }
  /uploads?convert={convert}:
    post:
      parameters: [{ name: convert, in: query, required: true, schema: { type: string, enum: [mp3, wav] } }]
      responses: { '201': { description: made, content: { application/json: { example: { uploaded: true } } } } }
  /exports?filename={filename}:
    get:
      parameters: [{ name: filename, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: ok, content: { text/csv: { example: 'a,b' } } } }
`,
    async (base, warnings, file) => {
      expect(warnings).toEqual([
        `service "api" (${file}): GET /attachments/{fileName}: a request for it cannot be told from one for GET /attachments/{attachmentId} (the same path, other parameter names); GET /attachments/{attachmentId} answers it`,
        `service "api" (${file}): GET /maps/{version}/wms//: the path has an empty segment ("//"); the operation is not served`,
        `service "api" (${file}): POST /uploads?convert={convert}: the path has a query string; it is served at /uploads`,
        `service "api" (${file}): GET /exports?filename={filename}: the path has a query string; it is served at /exports`,
      ]);
      expect(await (await fetch(`${base}/attachments/a1`)).json()).toEqual({ by: 'id' });
      // Another method on the same path shape keeps its own parameter name
      expect((await fetch(`${base}/attachments/report.pdf`, { method: 'DELETE' })).status).toBe(204);
      expect(await (await fetch(`${base}/`)).json()).toEqual({ root: true });
      // ClickSend's and icons8's documents put a query string in the path key
      const uploaded = await fetch(`${base}/uploads?convert=mp3`, { method: 'POST' });
      expect(uploaded.status).toBe(201);
      expect(await uploaded.json()).toEqual({ uploaded: true });
      expect((await fetch(`${base}/uploads?convert=flac`, { method: 'POST' })).status).toBe(400);
      // A parameter declared `in: path` but named in the key's query string (ClickSend's) is read from the query
      expect(await (await fetch(`${base}/exports?filename=a.csv`)).text()).toBe('a,b');
      expect((await fetch(`${base}/exports`)).status).toBe(400);
    },
  );
});

test('a warning shared by many operations is said once, with a count and the first three (Microsoft Graph has ~200 of one)', async () => {
  const binary = (path: string) =>
    `  ${path}:\n    get:\n      responses: { '200': { description: ok, content: { application/octet-stream: { schema: { type: string, format: binary } } } } }\n`;
  await served(
    'many-warnings.yaml',
    `openapi: 3.0.3
info: { title: x, version: '1' }
paths:
${['/a/$value', '/b/$value', '/c/$value', '/d/$value', '/e/$value'].map(binary).join('')}  /f:
    trace:
      responses: { '200': { description: ok } }
`,
    async (base, warnings, file) => {
      const said =
        'response 200 (application/octet-stream) has no example and mockstack generates only JSON, XML, plain text and (from an itemSchema or an object schema) event streams and JSON Lines; it answers with an empty body';
      expect(warnings).toEqual([
        `service "api" (${file}): 5 operations (GET /a/$value, GET /b/$value, GET /c/$value, …): ${said}`,
        `service "api" (${file}): TRACE /f: TRACE operations are not served`,
      ]);
      expect((await fetch(`${base}/e/$value`)).status).toBe(200);
    },
  );
});

test('an empty body sent with a JSON content type is no body (clients send the header on every request)', async () => {
  await served(
    'empty-json.yaml',
    `openapi: 3.0.3
info: { title: x, version: '1' }
paths:
  /carts/{id}:
    delete:
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { '204': { description: gone } }
  /carts:
    post:
      requestBody: { required: true, content: { application/json: { schema: { type: object } } } }
      responses: { '201': { description: made } }
`,
    async (base) => {
      for (const type of ['application/json', 'application/json; charset=utf-8', 'application/vnd.api+json']) {
        const deleted = await fetch(`${base}/carts/c1`, { method: 'DELETE', headers: { 'content-type': type } });
        expect(deleted.status).toBe(204);
      }
      // A body the operation requires, sent empty: the contract's refusal, not a parser error
      const empty = await fetch(`${base}/carts`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      expect(empty.status).toBe(422);
      expect(JSON.stringify(await empty.json())).toMatch(/body/i);
      // Broken JSON is still refused
      const broken = await fetch(`${base}/carts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
      expect(broken.status).toBe(400);
      expect((await fetch(`${base}/carts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(201);
    },
  );
});

test("documented response headers about the real server's framing are not copied (RapidAPI lists transfer-encoding: chunked)", async () => {
  await served(
    'framing-headers.yaml',
    `openapi: 3.0.3
info: { title: x, version: '1' }
paths:
  /moon:
    get:
      responses:
        '200':
          description: ok
          headers:
            transfer-encoding: { schema: { type: string }, example: chunked }
            content-encoding: { schema: { type: string }, example: gzip }
            connection: { schema: { type: string }, example: close }
            x-ratelimit-remaining: { schema: { type: integer }, example: 99 }
          content: { application/json: { example: { phase: waxing } } }
`,
    async (base) => {
      const moon = await fetch(`${base}/moon`);
      expect(await moon.json()).toEqual({ phase: 'waxing' });
      expect(moon.headers.get('x-ratelimit-remaining')).toBe('99');
      expect(moon.headers.get('content-encoding')).toBeNull();
      expect(moon.headers.get('transfer-encoding')).toBeNull();
    },
  );
});

test('a query parameter declared with content (JSON text, as Seldon documents it) is read as JSON and checked', async () => {
  await served(
    'content-parameter.yaml',
    `openapi: 3.0.3
info: { title: x, version: '1' }
paths:
  /search:
    get:
      parameters:
        - name: filter
          in: query
          required: true
          content: { application/json: { schema: { type: object, required: [a], properties: { a: { type: integer } } } } }
      responses: { '200': { description: ok, content: { application/json: { example: { ok: true } } } } }
`,
    async (base) => {
      const search = (filter: string) => fetch(`${base}/search?filter=${encodeURIComponent(filter)}`);
      const found = await search('{"a":1}');
      expect(found.status).toBe(200);
      expect(await found.json()).toEqual({ ok: true });
      const wrong = await search('{"a":"one"}');
      expect(wrong.status).toBe(400);
      expect(JSON.stringify(await wrong.json())).toContain('must be integer');
      const notJson = await search('a=1');
      expect(notJson.status).toBe(400);
      expect(JSON.stringify(await notJson.json())).toContain('must be object');
    },
  );
});

test('an operation documenting only 101 Switching Protocols (a WebSocket upgrade): 501 saying why; one with 101 and 200 answers 200; a rule answering 101 gets a clear 500', async () => {
  const file = write(
    'upgrade.yaml',
    `openapi: 3.0.3
info: { title: ws, version: '1' }
paths:
  /ws:
    get:
      responses: { '101': { description: Switching Protocols } }
  /both:
    get:
      responses:
        '101': { description: upgrade }
        '200': { description: ok, content: { application/json: { example: { ok: true } } } }
  /ruled:
    get:
      responses: { '101': { description: upgrade }, '200': { description: ok } }
`,
  );
  const started = await startStack(
    scenario('upgrade').services({ api: rest({ port: 0, openapi: file }, [rest.get('/ruled', () => respond(undefined, { status: 101 }))]) }),
  );
  try {
    const base = started.url('api');
    const ws = await fetch(`${base}/ws`);
    expect(ws.status).toBe(501);
    expect(ws.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await ws.json()).toMatchObject({
      status: 501,
      detail: expect.stringMatching(
        /^GET \/ws documents only 101 \(Switching Protocols: an upgrade, such as to a WebSocket\), which is no final HTTP answer .*give the operation a rule/,
      ),
    });
    expect(await (await fetch(`${base}/both`)).json()).toEqual({ ok: true });
    const ruled = await fetch(`${base}/ruled`);
    expect(ruled.status).toBe(500);
    expect(JSON.stringify(await ruled.json())).toMatch(
      /status 101 is informational \(1xx\), which no final answer can be; answer with a status from 200 to 599/,
    );
    expect((await fetch(`${base}/both`)).status).toBe(200);
  } finally {
    await started.close();
  }
});
