import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { fault, respond, rest, scenario } from 'mockstack';

interface State {
  booked: string[];
}

const shippingScenario = scenario<State>('openapi-shipping', { seed: 7, state: () => ({ booked: [] }) })
  .services({
    shipping: rest<State>({ port: 0, openapi: 'schemas/shipping-rates.yaml' }, [
      // by method + path, written as the document writes it (base path optional)
      rest.get('/rates/{rateId}', { match: { params: { rateId: 'rate_fixed' } } }, { id: 'rate_fixed', carrier: 'DPD', service: 'standard' }),
      // by operationId, with state, times and a fault
      rest.operation('createShipment', { times: 1, match: { body: { rateId: 'rate_flaky' } } }, fault.unavailable('carrier API timed out')),
      rest.operation('createShipment', { match: { body: { rateId: 'rate_booked' } } }, ({ body, state }) => {
        state.booked.push((body as { rateId: string }).rateId);
        return respond({ id: 'shp_1', status: 'booked', trackingUrl: 'https://track.example/shp_1' }, { status: 201 });
      }),
      rest.get(
        '/v2/shipments/:shipmentId/label',
        { match: { params: { shipmentId: 'slow' } }, delay: '50ms' },
        respond('<label/>', { headers: { 'content-type': 'application/xml' } }),
      ),
    ]),
    unchecked: rest({ port: 0, openapi: 'schemas/shipping-rates.yaml', validateRequests: false }),
    pets: rest({ port: 0, openapi: 'schemas/petstore.json' }),
  })
  .variants({
    'rates-down': { shipping: [rest.get('/v2/rates', fault.unavailable('rates are down'))] },
    'shipping-down': { shipping: fault.unavailable('Parcelly is down') },
  });

let stack: TestStack;
let shipping: string;
let pets: string;
let servers: number;
const tcpServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

beforeAll(async () => {
  servers = tcpServers();
  stack = await startStack(shippingScenario);
  shipping = stack.url('shipping');
  pets = stack.url('pets');
});
afterAll(async () => {
  await stack.close();
  // Closed servers release their handle a few ticks after close() resolves.
  for (let i = 0; i < 50 && tcpServers() > servers; i++) await new Promise((r) => setTimeout(r, 10));
  expect(tcpServers()).toBeLessThanOrEqual(servers);
});
beforeEach(() => {
  stack.reset();
  stack.variant();
});

// biome-ignore lint/suspicious/noExplicitAny: bodies are whatever the contract says; the assertions check them
type Loose = any;
const json = async (response: Response) => ({ status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Loose });
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('responses from the contract', () => {
  test('the first documented example, or a named one with Prefer: example=', async () => {
    const first = await json(await fetch(`${shipping}/v2/rates?country=DE&weightGrams=500`));
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^application\/json/);
    expect(first.body.rates.map((r: { carrier: string }) => r.carrier)).toEqual(['DHL', 'UPS']);

    const named = await json(await fetch(`${shipping}/v2/rates?country=FR&weightGrams=500`, { headers: { prefer: 'example=international' } }));
    expect(named.body.rates).toEqual([
      { id: 'rate_fedex_intl', carrier: 'FedEx', service: 'international', price: { amount: 29.9, currency: 'EUR' }, estimatedDays: 5 },
    ]);
  });

  test('a value generated from the schema: realistic, within bounds, the same for the same seed', async () => {
    const { status, body } = await json(await fetch(`${shipping}/v2/rates/rate_42`));
    expect(status).toBe(200);
    // The rate asked for (see openapi-request-echo.test.ts).
    expect(body.id).toBe('rate_42');
    expect(['DHL', 'UPS', 'FedEx', 'DPD']).toContain(body.carrier);
    expect(['standard', 'express', 'international']).toContain(body.service);
    expect(body.price.amount).toBeGreaterThanOrEqual(0);
    expect(body.price.amount).toBeLessThanOrEqual(500);
    expect(['EUR', 'USD', 'GBP']).toContain(body.price.currency);
    expect(Number.isInteger(body.estimatedDays) && body.estimatedDays >= 1 && body.estimatedDays <= 14).toBe(true);
    expect(new Date(body.expiresAt).toISOString()).toBe(body.expiresAt);
    expect((await json(await fetch(`${shipping}/v2/rates/rate_43`))).body).toEqual({ ...body, id: 'rate_43' });

    const created = await json(await postJson(`${shipping}/v2/shipments`, { rateId: 'r1', to: { country: 'DE', postalCode: '10115' } }));
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.trackingUrl).toMatch(/^https?:\/\//);
    expect(['booked', 'in_transit', 'delivered']).toContain(created.body.status);

    const other = await startStack(shippingScenario, { seed: 8 });
    try {
      const again = await json(await fetch(`${other.url('shipping')}/v2/rates/rate_42`));
      expect(again.body).not.toEqual(body);
    } finally {
      await other.close();
    }
  });

  test('3.0 documents: allOf, oneOf, nullable, recursion and a header parameter', async () => {
    const { status, body } = await json(await fetch(`${pets}/api/pets`, { headers: { 'x-request-id': '7d0f4a56-27d8-4c4b-9c55-4c8ad6a0f0f1' } }));
    expect(status).toBe(200);
    expect(body).toHaveLength(2);
    for (const pet of body) {
      expect(Number.isInteger(pet.id) && pet.id >= 1).toBe(true);
      expect(['cat', 'dog', 'bird']).toContain(pet.kind);
      expect(pet.owner.email ?? pet.owner.companyName).toEqual(expect.any(String));
    }
  });

  test('Prefer: code= picks a documented status; an undocumented one is explained', async () => {
    const missing = await json(await fetch(`${shipping}/v2/rates/rate_1`, { headers: { prefer: 'code=404' } }));
    expect(missing).toEqual({
      status: 404,
      type: 'application/problem+json; charset=utf-8',
      body: { title: 'Rate not found', status: 404, detail: 'The rate expired or never existed' },
    });
    const teapot = await json(await fetch(`${shipping}/v2/rates/rate_1`, { headers: { prefer: 'code=418' } }));
    expect(teapot.status).toBe(400);
    expect(teapot.body.detail).toBe('Prefer asks for status 418, which GET /v2/rates/:rateId does not document (documented: 200, 404)');
    const unknownExample = await json(await fetch(`${shipping}/v2/rates?country=DE&weightGrams=1`, { headers: { prefer: 'example=nope' } }));
    expect(unknownExample.body.available).toEqual(['domestic', 'international']);
    const empty = await fetch(`${pets}/api/pets/3`, { headers: { prefer: 'code=404' } });
    expect(empty.status).toBe(404);
    expect(await empty.text()).toBe('');
  });

  test('non-JSON bodies are served as their documented example', async () => {
    const label = await fetch(`${shipping}/v2/shipments/shp_1/label`);
    expect(label.headers.get('content-type')).toBe('application/xml');
    expect(await label.text()).toBe('<label><shipment>shp_1</shipment><barcode>JJD0001</barcode></label>');
  });

  test('only the base path of the server URL is served', async () => {
    const outside = await fetch(`${shipping}/rates?country=DE&weightGrams=1`);
    expect(outside.status).toBe(404);
    expect(outside.headers.get('x-mockstack-unmatched')).toBe('1');
    const body = (await outside.json()) as Loose;
    expect(body.error.hint).toContain('GET /v2/rates');
  });
});

describe('requests checked against the contract', () => {
  test('query and header violations: 400 problem+json listing each, journaled; serving goes on', async () => {
    const bad = await json(await fetch(`${shipping}/v2/rates?country=de&weightGrams=0`));
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/^application\/problem\+json/);
    expect(bad.body.violations).toEqual([
      { in: 'query', name: 'country', pointer: '/country', message: 'query parameter "country" must match pattern "^[A-Z]{2}$"' },
      { in: 'query', name: 'weightGrams', pointer: '/weightGrams', message: 'query parameter "weightGrams" must be >= 1' },
    ]);
    const missing = await json(await fetch(`${pets}/api/pets?limit=50&tags=a,b`));
    expect(missing.body.violations).toEqual([
      { in: 'query', name: 'limit', pointer: '/limit', message: 'query parameter "limit" must be < 50' },
      { in: 'header', name: 'x-request-id', pointer: '/x-request-id', message: 'header parameter "x-request-id" is required' },
    ]);
    const pathParam = await json(await fetch(`${pets}/api/pets/zero`));
    expect(pathParam.body.violations).toEqual([{ in: 'path', name: 'petId', pointer: '/petId', message: 'path parameter "petId" must be integer' }]);

    expect((await fetch(`${shipping}/v2/rates?country=DE&weightGrams=10`)).status).toBe(200);
    const [entry] = stack.requests({ service: 'shipping' });
    expect(entry).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', operation: 'GET /v2/rates' });
    expect(entry?.error).toContain('query country: query parameter "country" must match pattern');
  });

  test('JSON and form bodies: 422 with a pointer per violation', async () => {
    const bad = await json(await postJson(`${shipping}/v2/shipments`, { rateId: 7, to: { country: 'Germany' }, parcels: [], contactEmail: 'nope' }));
    expect(bad.status).toBe(422);
    expect(bad.body.violations).toEqual([
      { in: 'body', pointer: '/rateId', message: 'must be string' },
      { in: 'body', pointer: '/to/postalCode', message: 'is required (postalCode)' },
      { in: 'body', pointer: '/to/country', message: 'must match pattern "^[A-Z]{2}$"' },
      { in: 'body', pointer: '/parcels', message: 'must NOT have fewer than 1 items' },
      { in: 'body', pointer: '/contactEmail', message: 'must match format "email"' },
    ]);
    const form = await fetch(`${shipping}/v2/shipments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'parcels=0',
    });
    expect(((await form.json()) as Loose).violations).toEqual([
      { in: 'body', pointer: '/rateId', message: 'is required (rateId)' },
      { in: 'body', pointer: '/parcels', message: 'must be >= 1' },
    ]);
    const okForm = await fetch(`${shipping}/v2/shipments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'rateId=r1&parcels=2',
    });
    expect(okForm.status).toBe(201);
    const noBody = await json(await fetch(`${shipping}/v2/shipments`, { method: 'POST' }));
    expect(noBody.body.violations[0].message).toBe('a request body is required (application/json, application/x-www-form-urlencoded)');
    const wrongType = await json(await fetch(`${shipping}/v2/shipments`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }));
    expect(wrongType.body.violations[0].message).toBe('content type text/plain is not one of application/json, application/x-www-form-urlencoded');
    const notJson = await fetch(`${shipping}/v2/shipments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"rateId":' });
    expect(notJson.status).toBe(400);
    expect((await postJson(`${pets}/api/pets`, { name: 'Rex', kind: 'dog', chip: null })).status).toBe(201);
    expect((await json(await postJson(`${pets}/api/pets`, { name: 'Rex', kind: 'dog', colour: 'brown' }))).body.violations).toEqual([
      { in: 'body', pointer: '/colour', message: 'is not allowed (unexpected property "colour")' },
    ]);
  });

  test('security requirements: 401 without any accepted credential', async () => {
    const denied = await json(await fetch(`${pets}/api/pets/3`, { method: 'DELETE' }));
    expect(denied.status).toBe(401);
    expect(denied.body.violations).toEqual([
      { in: 'security', pointer: '', message: 'credentials are missing: send Authorization: Bearer … (bearer), or header x-api-key (apiKey)' },
    ]);
    expect((await fetch(`${pets}/api/pets/3`, { method: 'DELETE' })).headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${pets}/api/pets/3`, { method: 'DELETE', headers: { authorization: 'Bearer t0ken' } })).status).toBe(204);
    expect((await fetch(`${pets}/api/pets/3`, { method: 'DELETE', headers: { 'x-api-key': 'k' } })).status).toBe(204);
  });

  test('a service can turn validation off', async () => {
    const response = await fetch(`${stack.url('unchecked')}/v2/rates?country=nowhere`);
    expect(response.status).toBe(200);
  });
});

describe('scenario overrides on contract routes', () => {
  test('by method + path, falling back to the contract when their match fails', async () => {
    expect((await json(await fetch(`${shipping}/v2/rates/rate_fixed`))).body).toEqual({ id: 'rate_fixed', carrier: 'DPD', service: 'standard' });
    expect((await json(await fetch(`${shipping}/v2/rates/rate_other`))).body.id).not.toBe('rate_fixed');
  });

  test('by operationId, with times, faults and state; validation still runs first', async () => {
    const shipment = { rateId: 'rate_flaky', to: { country: 'DE', postalCode: '10115' } };
    expect((await postJson(`${shipping}/v2/shipments`, shipment)).status).toBe(503);
    expect((await postJson(`${shipping}/v2/shipments`, shipment)).status).toBe(201);
    const booked = await json(await postJson(`${shipping}/v2/shipments`, { ...shipment, rateId: 'rate_booked' }));
    expect(booked.body).toEqual({ id: 'shp_1', status: 'booked', trackingUrl: 'https://track.example/shp_1' });
    expect(stack.state<State>().booked).toEqual(['rate_booked']);
    expect((await postJson(`${shipping}/v2/shipments`, { rateId: 'rate_booked' })).status).toBe(422);
    expect(stack.requests({ service: 'shipping' }).map((e) => e.status)).toEqual([503, 201, 201, 422]);
  });

  test('rule delays apply', async () => {
    const response = await fetch(`${shipping}/v2/shipments/slow/label`);
    expect(await response.text()).toBe('<label/>');
  });

  test('variants: a rule on one OpenAPI route, or the whole service down', async () => {
    stack.variant('rates-down');
    expect((await fetch(`${shipping}/v2/rates?country=DE&weightGrams=1`)).status).toBe(503);
    expect((await fetch(`${shipping}/v2/rates/rate_1`)).status).toBe(200);
    stack.variant('shipping-down');
    expect((await fetch(`${shipping}/v2/rates/rate_1`)).status).toBe(503);
    stack.variant();
    expect((await fetch(`${shipping}/v2/rates?country=DE&weightGrams=1`)).status).toBe(200);
  });
});

test('a document with its own HEAD operation next to GET, odd parameter names, and readOnly properties a request may leave out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-openapi-head-'));
  const file = join(dir, 'things.yaml');
  writeFileSync(
    file,
    `openapi: 3.0.3
info: { title: Things, version: '1' }
paths:
  /things/{id}:
    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
    head:
      responses: { '200': { description: ok, headers: { X-Count: { schema: { type: integer, minimum: 1, maximum: 9 } } } } }
    get:
      responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Thing' } } } } }
  /owners/{owner-id}/things/{2nd}:
    get:
      parameters:
        - { name: owner-id, in: path, required: true, schema: { type: integer } }
        - { name: 2nd, in: path, required: true, schema: { type: string } }
      responses: { '200': { description: ok } }
  /things:
    post:
      requestBody: { required: true, content: { application/json: { schema: { $ref: '#/components/schemas/Thing' } } } }
      responses: { '201': { description: ok } }
components:
  schemas:
    Thing: { type: object, required: [id, name], properties: { id: { type: string, readOnly: true }, name: { type: string } } }
`,
  );
  const things = await startStack(
    scenario('things').services({
      api: rest({ port: 0, openapi: file }, [rest.get('/owners/{owner-id}/things/{2nd}', ({ params }) => params)]),
    }),
  );
  try {
    const head = await fetch(`${things.url('api')}/things/1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('x-count'))).toBeGreaterThanOrEqual(1);
    expect((await json(await fetch(`${things.url('api')}/things/1`))).body).toEqual({ id: expect.any(String), name: expect.any(String) });
    expect((await postJson(`${things.url('api')}/things`, { name: 'lamp' })).status).toBe(201);
    // Parameter names the router cannot take are renamed for handlers and checked under their own names.
    expect(await (await fetch(`${things.url('api')}/owners/7/things/b`)).json()).toEqual({ owner_id: '7', _2nd: 'b' });
    expect((await json(await fetch(`${things.url('api')}/owners/seven/things/b`))).body.violations).toEqual([
      { in: 'path', name: 'owner-id', pointer: '/owner-id', message: 'path parameter "owner-id" must be integer' },
    ]);
    expect((await json(await postJson(`${things.url('api')}/things`, { id: 'x' }))).body.violations).toEqual([
      { in: 'body', pointer: '/name', message: 'is required (name)' },
    ]);
  } finally {
    await things.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
