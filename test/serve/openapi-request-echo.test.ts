// A generated answer repeats what its request names, as the real API's would: `GET /pets/42` answers the pet with
// `id: 42`, a nested resource's parent id is the one in its path, `POST /pets { name: 'Rex' }` answers the pet named
// Rex. Served zero-config, over fetch and with Stripe's own SDK against Stripe's document (test/fixtures/stripe).
import { resolve } from 'node:path';
import Stripe from 'stripe';
import { servedDocuments } from '../helpers/served-documents.js';

const { serve, serveDocument } = servedDocuments('request-echo');

const pet = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'integer', minimum: 1 }, name: { type: 'string' } },
};
const order = {
  type: 'object',
  required: ['id', 'userId', 'total'],
  properties: { id: { type: 'string', pattern: '^ord_' }, userId: { type: 'string' }, total: { type: 'integer' } },
};
const document = {
  openapi: '3.1.0',
  info: { title: 'shop', version: '1' },
  paths: {
    '/pets': {
      get: { responses: { '200': { description: 'pets', content: { 'application/json': { schema: { type: 'array', items: pet } } } } } },
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, password: { type: 'string', writeOnly: true } },
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'the pet made',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id', 'name', 'tags'],
                  properties: {
                    id: { type: 'integer', minimum: 1 },
                    name: { type: 'string', maxLength: 6 },
                    tags: { type: 'array', items: { type: 'string' } },
                    password: { type: 'string', writeOnly: true },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/pets/{petId}': {
      get: {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '200': { description: 'a pet', content: { 'application/json': { schema: pet } } } },
      },
      patch: {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } } } } } },
        responses: { '200': { description: 'the pet changed', content: { 'application/json': { schema: pet } } } },
      },
    },
    '/users/{userId}/orders/{order_id}': {
      get: {
        parameters: [
          { name: 'userId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'order_id', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'an order', content: { 'application/json': { schema: order } } } },
      },
    },
    '/owners/{ownerId}/pets/{petId}': {
      get: {
        parameters: [
          { name: 'ownerId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'petId', in: 'path', required: true, schema: { type: 'integer' } },
        ],
        responses: {
          '200': {
            description: 'a pet, its example as written',
            content: { 'application/json': { schema: pet, example: { id: 7, name: 'Rex' } } },
          },
        },
      },
    },
  },
};

describe('a generated answer repeats what its request names', () => {
  let base: string;
  beforeAll(async () => {
    base = await serveDocument('shop', document);
  });
  const get = async (path: string) => {
    const answer = await fetch(`${base}${path}`);
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };

  test('the id ending the path, as the field’s type has it; the rest of the answer as generated', async () => {
    const a = await get('/pets/42');
    const b = await get('/pets/43');
    expect(a).toEqual({ status: 200, body: { id: 42, name: expect.any(String) } });
    expect(b.body).toEqual({ ...a.body, id: 43 });
    // Asked again: the same answer.
    expect(await get('/pets/42')).toEqual(a);
  });

  test('a parent named in the path is its field of the same name; a value that breaks its field’s schema is left as generated', async () => {
    const { body } = await get('/users/u_17/orders/ord_9');
    expect(body).toMatchObject({ id: 'ord_9', userId: 'u_17' });
    // `x9` does not fit the order id's pattern: the generated id stays, the user id is still taken.
    const other = await get('/users/u_18/orders/x9');
    expect(other.body.id).toMatch(/^ord_/);
    expect(other.body.id).not.toBe('x9');
    expect(other.body.userId).toBe('u_18');
  });

  test('a write answers what its body gives, where the answer has the field and the value fits it', async () => {
    const send = async (method: string, path: string, body: object) => {
      const answer = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };
    const made = await send('POST', '/pets', { name: 'Rex', tags: ['good', 'dog'], password: 'secret' });
    expect(made).toEqual({ status: 201, body: { id: expect.any(Number), name: 'Rex', tags: ['good', 'dog'] } });
    // Longer than the answer's name may be: left as generated.
    const long = await send('POST', '/pets', { name: 'Rexanne the Great' });
    expect(long.body.name).not.toBe('Rexanne the Great');
    expect((long.body.name as string).length).toBeLessThanOrEqual(6);
    // The path and the body together.
    expect((await send('PATCH', '/pets/5', { name: 'Max' })).body).toEqual({ id: 5, name: 'Max' });
    // A read repeats no body.
    expect((await get('/pets/5')).body.name).not.toBe('Max');
  });

  test('a documented example is answered as written, and a list is left alone', async () => {
    expect((await get('/owners/o1/pets/99')).body).toEqual({ id: 7, name: 'Rex' });
    const { body } = await get('/pets');
    expect(Array.isArray(body)).toBe(true);
  });
});

describe("Stripe's SDK: a customer retrieved is the one asked for, one made has what was given", () => {
  test('customers.retrieve("cus_ann") answers the customer cus_ann', async () => {
    const url = new URL(await serve(resolve(import.meta.dirname, '../fixtures/stripe/openapi.json')));
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
    const ann = await stripe.customers.retrieve('cus_ann');
    const bob = await stripe.customers.retrieve('cus_bob');
    expect(ann.id).toBe('cus_ann');
    expect(bob.id).toBe('cus_bob');
    // A form body, as the SDK sends it: the customer made has the email and name given.
    const made = await stripe.customers.create({ email: 'ann@example.com', name: 'Ann' });
    expect(made).toMatchObject({ email: 'ann@example.com', name: 'Ann', object: 'customer' });
  });
});
