import { resolve } from 'node:path';
import { compile, scenarioDefinitionOf } from '@mockstack/core';
import { adapters } from '@mockstack/runner';
import { fault, graphql, grpc, respond, rest, scenario, sequence } from 'mockstack';
import { checkStaticResponses } from './static-responses.js';

const root = resolve(import.meta.dirname, '../../..');

async function violations(services: Parameters<ReturnType<typeof scenario>['services']>[0]): Promise<string[]> {
  const definition = scenarioDefinitionOf(scenario('static').services(services));
  if (!definition) throw new Error('not a scenario');
  const model = await compile(definition, { adapters, root, file: resolve(root, 'scenarios/static.ts') });
  return (await checkStaticResponses(model)).map((v) => v.message);
}

// Static values that break their contracts, typed loosely as a drifting scenario would be.
const off = (value: unknown): never => value as never;

test('gRPC: every static message, reply, sequence step and stream item, against the response type', async () => {
  const found = await violations({
    payments: grpc({ proto: 'protos/payments.proto' }, [
      grpc.method('checkout.payments.v1.PaymentService/Capture', sequence([{ paymentId: 'p1' }, off({ paymentId: 'p2', amount: { units: 'ten' } })])),
      grpc.method('checkout.payments.v1.PaymentService/Refund', off(respond({ status: 9 }))),
      grpc.method('checkout.payments.v1.PaymentService/Authorize', fault.grpc('UNAVAILABLE', 'down')),
      grpc.method('checkout.payments.v1.PaymentService/WatchPayment', grpc.stream([{ paymentId: 'p1' }, grpc.pause('1ms'), off({ nope: true })])),
    ]),
  });
  expect(found).toEqual([
    'checkout.payments.v1.PaymentService/Capture answers a checkout.payments.v1.Payment whose field amount.units: expected an integer (int64; a number or a string of digits), got "ten"',
    expect.stringMatching(
      /^checkout\.payments\.v1\.PaymentService\/Refund answers a checkout\.payments\.v1\.Payment whose field status: number 9 is not a value of enum/,
    ),
    expect.stringMatching(
      /^checkout\.payments\.v1\.PaymentService\/WatchPayment answers a checkout\.payments\.v1\.PaymentEvent whose field nope: .* has no such field/,
    ),
  ]);
});

test('GraphQL: nullability, scalars, lists, unknown fields, union members by __typename', async () => {
  const found = await violations({
    catalog: graphql(
      { schema: 'schemas/catalog.graphql' },
      {
        Query: {
          categories: off([{ id: 'c1', productCount: 1.5 }]),
          search: off([{ __typename: 'Category', id: 'c', slug: 3 }]),
          product: { id: 'p', variants: off('none') },
          cart: null,
        },
      },
    ),
  });
  expect(found.sort()).toEqual([
    'Query.categories[0].productCount is Int but the answer is number 1.5',
    'Query.product.variants is a list ([Variant!]) but the answer is "none"',
    'Query.search[0].slug is String but the answer is number 3',
  ]);
});

test('OpenAPI: documented statuses and response schemas (faults pass)', async () => {
  const rate = { id: 'r', carrier: 'DHL', service: 'standard', price: { amount: 1, currency: 'EUR' }, estimatedDays: 1 } as const;
  const found = await violations({
    shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
      rest.operation('getRate', { match: { params: { rateId: 'a' } } }, rate),
      rest.operation('getRate', { match: { params: { rateId: 'b' } } }, off(respond(rate, { status: 201 }))),
      rest.operation('getRate', { match: { params: { rateId: 'c' } } }, off({ ...rate, price: { amount: 'free' } })),
      rest.operation('getRate', fault.notFound('gone')),
    ]),
  });
  expect(found).toEqual([
    'getRate answers status 201, which the contract does not document (documented: 200, 404)',
    "getRate 200: body.price must have required property 'currency'",
    'getRate 200: body.price.amount must be number',
  ]);
});
