import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { ErrorCode, MockstackError } from '@mockstack/core';
import { startStack, type TestStack } from '@mockstack/testing';
import { ClientError, GraphQLClient } from 'graphql-request';
import { fault, graphql, grpc, respond, rest } from 'mockstack';
import { tcpServerGuard } from '../helpers/grpc-stack.js';
import { authorize, type PaymentClient, paymentClient } from '../helpers/payments-client.js';

// Rules added while the stack serves (`stack.use`, MSW's `server.use`), on the bundled checkout example:
// orders (REST), catalog (GraphQL), payments (gRPC), shipping (REST from an OpenAPI document).
const root = resolve(import.meta.dirname, '../..');

type Result = Record<string, unknown>;

let stack: TestStack;
let orders: string;
let catalog: GraphQLClient;
let payments: PaymentClient;
let noServerLeft: () => Promise<void>;

beforeAll(async () => {
  noServerLeft = tcpServerGuard();
  stack = await startStack(resolve(root, 'scenarios/checkout.ts'));
  orders = stack.url('orders');
  catalog = new GraphQLClient(stack.url('catalog'));
  payments = paymentClient(stack.url('payments'));
});
afterAll(async () => {
  payments.close();
  await stack.close();
  await noServerLeft();
});
beforeEach(() => stack.reset());

const get = async (path: string) => {
  const response = await fetch(`${orders}${path}`);
  return { status: response.status, body: (await response.json()) as Result };
};
const authorizePayment = (request: object) => authorize(payments, request);

describe('REST', () => {
  it('a rule on a route of the scenario answers before its rules, until resetRules', async () => {
    expect((await get('/orders/ord_1001')).status).toBe(200);
    await stack.use('orders', rest.get('/orders/:id', fault.notFound('gone for this test')));
    const gone = await get('/orders/ord_1001');
    expect(gone.status).toBe(404);
    expect(JSON.stringify(gone.body)).toContain('gone for this test');
    expect(stack.requests({ service: 'orders' }).at(-1)?.rule).toMatch(/^added:orders#\d+$/);
    stack.resetRules();
    expect((await get('/orders/ord_1001')).status).toBe(200);
  });

  it('the newest use wins; one with times or a condition lets the others answer the rest', async () => {
    await stack.use('orders', rest.get('/health', { status: 'first' }));
    await stack.use(
      'orders',
      rest.get('/health', { times: 1 }, { status: 'once' }),
      rest.get('/health', { match: { query: { deep: 'yes' } } }, { status: 'deep' }),
    );
    expect((await get('/health')).body).toEqual({ status: 'once' });
    expect((await get('/health?deep=yes')).body).toEqual({ status: 'deep' });
    expect((await get('/health')).body).toEqual({ status: 'first' });
  });

  it('serves a path the scenario has no route for, and a literal path under one of its templates', async () => {
    expect((await get('/promotions')).status).toBe(404);
    await stack.use(
      'orders',
      rest.get('/promotions', [{ code: 'WINTER' }]),
      rest.get('/orders/latest', { id: 'ord_latest' }),
      rest.get('/promotions/:code', ({ params }) => respond({ code: params.code }, { status: 200, headers: { 'x-promo': params.code } })),
    );
    // An added operation can be verified before any request came for it.
    expect(stack.verify('GET /promotions/:code', { times: 0 }).pass).toBe(true);
    expect(await get('/promotions')).toEqual({ status: 200, body: [{ code: 'WINTER' }] });
    const promo = await fetch(`${orders}/promotions/SPRING`);
    expect(promo.headers.get('x-promo')).toBe('SPRING');
    expect(await promo.json()).toEqual({ code: 'SPRING' });
    // `/orders/latest` is taken by the added literal route; other ids still by the scenario's `/orders/:id`.
    expect((await get('/orders/latest')).body).toEqual({ id: 'ord_latest' });
    expect((await get('/orders/ord_1001')).body.id).toBe('ord_1001');
    // With a body too (fastify's route, not the direct path).
    const posted = await fetch(`${orders}/promotions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(posted.status).toBe(404);
    stack.resetRules();
    expect((await get('/promotions')).status).toBe(404);
    expect((await get('/orders/latest')).status).toBe(404);
  });

  it('a handler sees the shared state, and a reset takes the added rules away', async () => {
    await stack.use(
      'orders',
      rest.get('/orders/:id', ({ params, state }) => {
        const order = (state as { orders: Map<string, { status: string }> }).orders.get(params.id);
        return { id: params.id, status: order ? `seen ${order.status}` : 'none' };
      }),
    );
    expect((await get('/orders/ord_1001')).body.status).toMatch(/^seen /);
    await stack.reset();
    expect((await get('/orders/ord_1001')).body.status).not.toMatch(/^seen /);
  });

  it('overrides an operation of an OpenAPI service (typed by its document, as the scenario is)', async () => {
    const rate = async () => (await fetch(`${stack.url('shipping')}/v2/rates/rate_1`)).json();
    const added = { carrier: 'DPD', service: 'standard', price: { amount: 1.23, currency: 'EUR' }, estimatedDays: 9 } as const;
    expect(await rate()).not.toEqual({ id: 'rate_1', ...added });
    await stack.use(
      'shipping',
      rest.get('/v2/rates/:rateId', ({ params }) => ({ id: params.rateId, ...added })),
    );
    expect(await rate()).toEqual({ id: 'rate_1', ...added });
    // By operationId, or by the document's path without its base path, as the scenario's own rules; faults in the document's error shape.
    await stack.use('shipping', rest.operation('getRate', { match: { params: { rateId: 'rate_gone' } } }, fault.notFound('no rate_gone')));
    const gone = await fetch(`${stack.url('shipping')}/v2/rates/rate_gone`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ status: 404, detail: 'no rate_gone' });
    await stack.use('shipping', rest.get('/rates/{rateId}', { match: { params: { rateId: 'rate_2' } } }, { id: 'rate_2', ...added }));
    expect(await (await fetch(`${stack.url('shipping')}/v2/rates/rate_2`)).json()).toEqual({ id: 'rate_2', ...added });
    // A handler's answer is checked against the document, as the scenario's are.
    await stack.use(
      'shipping',
      rest.get('/rates/{rateId}', () => ({ id: 'rate_3', carrier: 'Nobody' }) as never),
    );
    const broken = await fetch(`${stack.url('shipping')}/v2/rates/rate_3`);
    expect(broken.status).toBe(500);
    expect(JSON.stringify(await broken.json())).toMatch(/contract violation: rule .* answered a 200 that breaks the contract/);
  });
});

describe('GraphQL', () => {
  it('a field the scenario resolves, and one it leaves to the auto-mock, both answer from added rules', async () => {
    await stack.use('catalog', graphql.field('Query.categories', [{ id: 'c1', name: 'Added', slug: 'added', productCount: 0 }]));
    const { categories } = await catalog.request<{ categories: Result[] }>('{ categories { name } }');
    expect(categories).toEqual([{ name: 'Added' }]);
    await stack.use('catalog', graphql.field('Category.slug', 'every-slug'));
    const again = await catalog.request<{ categories: Result[] }>('{ categories { name slug } }');
    expect(again.categories).toEqual([{ name: 'Added', slug: 'every-slug' }]);
  });

  it('an operation rule answers, and a fault is a GraphQL error', async () => {
    await stack.use('catalog', graphql.query('Cats', fault.unavailable('catalog is busy')));
    const error = await catalog.request('query Cats { categories { name } }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(JSON.stringify((error as ClientError).response.errors)).toContain('catalog is busy');
    stack.resetRules();
    expect((await catalog.request<{ categories: Result[] }>('query Cats { categories { name } }')).categories.length).toBeGreaterThan(0);
  });
});

describe('gRPC', () => {
  it('a method answers from an added rule, matched on the message', async () => {
    await stack.use(
      'payments',
      grpc.method(
        'checkout.payments.v1.PaymentService/Authorize',
        { match: { body: { orderId: 'ord_blocked' } } },
        fault.grpc('PERMISSION_DENIED', 'card blocked'),
      ),
    );
    const blocked = await authorizePayment({ orderId: 'ord_blocked', amount: { currencyCode: 'EUR', units: '1' } });
    expect(blocked.error?.code).toBe(grpcJs.status.PERMISSION_DENIED);
    expect(blocked.error?.details).toBe('card blocked');
    // Other orders still reach the scenario's handler.
    const other = await authorizePayment({ orderId: 'ord_missing', amount: { currencyCode: 'EUR', units: '1' } });
    expect(other.error?.code).toBe(grpcJs.status.NOT_FOUND);
  });
});

describe('rules that cannot be added', () => {
  const refusal = async (added: Promise<void>) => {
    const error = await added.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MockstackError);
    expect((error as MockstackError).code).toBe(ErrorCode.RuleInvalid);
    return (error as MockstackError).message;
  };

  it('names the problem, serves none of the rules, and the stack keeps serving', async () => {
    expect(await refusal(stack.use('warehouse', rest.get('/x', 1)))).toMatch(/no service "warehouse".*orders, catalog, payments, shipping/);
    expect(await refusal(stack.use('catalog', graphql.field('Query.productz', null)))).toMatch(/no field "productz"/);
    expect(await refusal(stack.use('orders', rest.get('/health', { times: 0 }, 1), rest.get('/new', 2)))).toMatch(/times: 0/);
    expect(await refusal(stack.use('orders', rest.get('/orders/:orderId', 1)))).toMatch(/GET \/orders\/:id and GET \/orders\/:orderId are the same route/);
    expect(await refusal(stack.use('orders', { operation: 'GET /x' } as never))).toMatch(/is not a rule; make one with the DSL/);
    expect(await refusal(stack.use('orders', graphql.field('Query.product', null)))).toMatch(/service "orders" \(rest\):\n.*method "" is not one of/);
    expect(await refusal(stack.use('shipping', rest.operation('getRatez', {})))).toMatch(
      /operationId "getRatez" is not in schemas\/shipping-rates\.yaml; near names: getRate/,
    );
    expect(stack.engine.addedRules).toEqual([]);
    expect((await get('/new')).status).toBe(404);
    expect((await get('/orders/ord_1001')).status).toBe(200);
  });
});
