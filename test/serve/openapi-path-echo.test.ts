// A generated answer names the resource its path asks for, as the real API would: `GET /pets/42` answers the pet
// with `id: 42`, a nested resource's parent id is the one in its path. Served zero-config, over fetch and with
// Stripe's own SDK against Stripe's document (test/fixtures/stripe).
import { resolve } from 'node:path';
import Stripe from 'stripe';
import { servedDocuments } from '../helpers/served-documents.js';

const { serve, serveDocument } = servedDocuments('path-echo');

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
    '/pets': { get: { responses: { '200': { description: 'pets', content: { 'application/json': { schema: { type: 'array', items: pet } } } } } } },
    '/pets/{petId}': {
      get: {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '200': { description: 'a pet', content: { 'application/json': { schema: pet } } } },
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

describe('a generated answer names what its path asks for', () => {
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

  test('a documented example is answered as written, and a list is left alone', async () => {
    expect((await get('/owners/o1/pets/99')).body).toEqual({ id: 7, name: 'Rex' });
    const { body } = await get('/pets');
    expect(Array.isArray(body)).toBe(true);
  });
});

describe("Stripe's SDK: a customer retrieved is the one asked for", () => {
  test('customers.retrieve("cus_ann") answers the customer cus_ann', async () => {
    const url = new URL(await serve(resolve(import.meta.dirname, '../fixtures/stripe/openapi.json')));
    const stripe = new Stripe('sk_test_123', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
    const ann = await stripe.customers.retrieve('cus_ann');
    const bob = await stripe.customers.retrieve('cus_bob');
    expect(ann.id).toBe('cus_ann');
    expect(bob.id).toBe('cus_bob');
  });
});
