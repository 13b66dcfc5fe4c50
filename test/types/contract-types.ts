/**
 * Type-level checks of handlers typed by the generated contracts (`mockstack gen`, run by
 * `npm run typecheck` before tsc): every `@ts-expect-error` below must be an error, or tsc fails.
 * No casts and no imports of generated names: everything is inferred from the contract names.
 */
import { fallThrough, fault, graphql, grpc, respond, rest, type ServiceOf, scenario } from 'mockstack';

interface State {
  paid: Set<string>;
}

export const typed = scenario('contract-types', { state: (): State => ({ paid: new Set() }) }).services({
  payments: grpc(
    { proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Authorize: ({ request, state }) => {
          const orderId: string = request.orderId;
          // int64 fields are read as strings; message fields may be null
          const units: string | undefined = request.amount?.units;
          // @ts-expect-error AuthorizeRequest has no field total
          request.total;
          if (state.paid.has(orderId)) return fault.grpc('ALREADY_EXISTS', `${orderId} is paid (${units})`);
          return respond({ paymentId: `pay_${orderId}`, status: 'AUTHORIZED' }, { trailers: { 'x-order': orderId } });
        },
        // Timestamps may be answered as ISO strings or Dates; enums by number too.
        Refund: { paymentId: 'pay_1', status: 4, updatedAt: new Date() },
        WatchPayment: ({ request }) => grpc.stream([{ paymentId: request.paymentId, status: 'CAPTURED', occurredAt: '2026-11-24T10:00:00Z' }]),
      },
    },
  ),
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    {
      Query: {
        product: (_, { sku }) => ({ id: sku, name: `Product ${sku}` }),
        // @ts-expect-error productCount is an Int
        categories: [{ id: 'c', productCount: '3' }],
        // Arguments with defaults are always there; nullable ones may be null.
        products: (_, { first, category }) => ({ totalCount: (first ?? 10) + (category?.length ?? 0) }),
      },
      Product: {
        stock: (product) => product.variants?.length ?? 0,
      },
    },
  ),
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
    rest.operation('getRate', ({ params }) => {
      const id: string = params.rateId;
      // @ts-expect-error the operation's path has no :id
      params.id;
      if (id === 'gone') return respond({ title: 'Rate not found', status: 404 }, { status: 404 });
      return { id, carrier: 'DHL', service: 'standard', price: { amount: 4.99, currency: 'EUR' }, estimatedDays: 2 };
    }),
    // @ts-expect-error carrier is one of DHL, UPS, FedEx, DPD
    rest.operation('getRate', { id: 'r', carrier: 'Hermes', service: 'standard', price: { amount: 1, currency: 'EUR' }, estimatedDays: 1 }),
    // A route the document has is typed like its operation.
    rest.get('/v2/rates/:rateId', { match: { params: { rateId: 'r1' } } }, ({ params }) => ({
      id: params.rateId,
      carrier: 'UPS',
      service: 'express',
      price: { amount: 12.5, currency: 'EUR' },
      estimatedDays: 1,
    })),
  ]),
});

// The routes of a service naming an OpenAPI document are typed by that document (its name is
// inferred from `openapi`; with a state annotation rather than `rest<State>(…)` in a module of its own).
export const shipping: ServiceOf<State> = rest({ port: 0, openapi: 'schemas/shipping-rates.yaml' }, [
  rest.get('/v2/rates', ({ params, query, state }) => {
    const country: string | string[] = query.country;
    // @ts-expect-error getRates documents no path params
    params.rateId;
    return state.paid.has(String(country)) ? { rates: [] } : fallThrough();
  }),
  // The document's own path form names the same operation, with its params.
  rest.get('/rates/{rateId}', ({ params }) => (params.rateId === 'gone' ? respond({ title: 'gone', status: 404 }, { status: 404 }) : fault.notFound())),
  // @ts-expect-error 418 is not a documented status of GET /rates/{rateId}
  rest.get('/rates/:rateId', ({ params }) => respond({ title: params.rateId, status: 418 }, { status: 418 })),
  rest.post('/v2/shipments', ({ body }) => {
    const rateId: string = body.rateId;
    // @ts-expect-error the ShipmentRequest has rateId, not rateID
    body.rateID;
    return respond({ id: `shp_${rateId}`, status: 'booked', trackingUrl: 'https://track.example/1' }, { status: 201 });
  }),
  // @ts-expect-error a Shipment's status is booked, in_transit or delivered
  rest.post('/shipments', respond({ id: 's', status: 'lost', trackingUrl: 'https://track.example/1' }, { status: 201 })),
  // A path the document lacks is typed from its template here; in scenarios/ (strict) it is a type error.
  rest.get('/v2/other/:id', ({ params }) => params.id),
]);

// A service without a document keeps params from the path template, even for a documented path.
export const plain = scenario('plain').services({
  orders: rest({ port: 0 }, [
    rest.get('/rates/:rateId', ({ params }) => ({ anything: params.rateId })),
    // @ts-expect-error the template declares no :id
    rest.get('/rates/:rateId', ({ params }) => params.id),
  ]),
});

// Names the contracts have are typed (and completed in the editor).
grpc.method('checkout.payments.v1.PaymentService/Capture', ({ request }) => ({ paymentId: request.paymentId, status: 'CAPTURED' }));
// @ts-expect-error Capture answers a Payment, whose status is a PaymentStatus
grpc.method('checkout.payments.v1.PaymentService/Capture', { paymentId: 'p', status: 'DONE' });
graphql.field('Query.cart', (_, { id }) => ({ id, itemCount: 0 }));
// @ts-expect-error Cart.itemCount is an Int
graphql.field('Query.cart', { itemCount: 'none' });

// A handler's answer is checked against the contract (reported at the handler).
// @ts-expect-error status is a PaymentStatus name or number
grpc.method('checkout.payments.v1.PaymentService/Authorize', ({ request }) => ({ paymentId: request.orderId, status: 'PAID' }));
// @ts-expect-error 418 is not a documented status of getRate
rest.operation('getRate', ({ params }) => respond({ title: `no ${params.rateId}`, status: 418 }, { status: 418 }));
// @ts-expect-error a stream of PaymentEvents, whose status is a PaymentStatus
grpc.method('checkout.payments.v1.PaymentService/WatchPayment', grpc.stream([{ paymentId: 'p', status: 'SETTLED' }]));
// @ts-expect-error paymentId is a string
grpc.method('checkout.payments.v1.PaymentService/Capture', { paymentId: 7 });

// Operation rules of a service whose schema has operation documents (schemas/catalog.operations.graphql):
// variables as declared, the answer shaped by the selection set.
export const storefront: ServiceOf<State> = graphql({ port: 0, schema: 'schemas/catalog.graphql' }, {}, [
  graphql.query('GetCart', { match: { variables: { id: 'demo' } } }, ({ variables, state }) => {
    const id: string = variables.id;
    // @ts-expect-error GetCart declares $id, not $cartId
    variables.cartId;
    return state.paid.has(id) ? { cart: { id, itemCount: 0, lines: [] } } : undefined;
  }),
  // @ts-expect-error GetCart has no variable $cartId
  graphql.query('GetCart', { match: { variables: { cartId: 'demo' } } }, { cart: null }),
  // @ts-expect-error itemCount is an Int
  graphql.query('GetCart', { cart: { itemCount: 'two' } }),
  graphql.mutation('AddToCart', ({ variables }) => ((variables.quantity ?? 1) > 5 ? fault.failedPrecondition('at most 5') : undefined)),
  // Values of a union name their type.
  graphql.query('Search', { search: [{ __typename: 'Product', name: 'Mug' }] }),
  // @ts-expect-error a SearchResult needs its __typename (Product or Category)
  graphql.query('Search', { search: [{ name: 'Mug' }] }),
  // A name the documents lack is typed by the schema's root fields here (a type error in scenarios/).
  graphql.query('ListCategories', { categories: [{ name: 'Mugs' }] }),
  // @ts-expect-error Query.categories is a list of Category, whose productCount is an Int
  graphql.query('ListCategories', { categories: [{ productCount: 'many' }] }),
]);

// Subscriptions of schemas/catalog.graphql: rules typed by the Subscription field, publish by its event type.
export const live: ServiceOf<State> = graphql({ port: 0, schema: 'schemas/catalog.graphql' }, {}, [
  graphql.subscription('stockChanged', ({ args }) => graphql.stream([{ sku: args.sku ?? 'SKU-1', stock: 3 }], { open: true })),
  // @ts-expect-error a StockLevel's stock is an Int
  graphql.subscription('stockChanged', graphql.stream([{ sku: 'SKU-1', stock: 'three' }])),
]);
rest.post('/restock', ({ publish }) => {
  const subscribers: number = publish('stockChanged', { sku: 'SKU-1', stock: 9, inStock: true });
  // @ts-expect-error stockChanged events are StockLevels, whose sku is an ID (a string)
  publish('stockChanged', { sku: 1 });
  return { subscribers };
});
