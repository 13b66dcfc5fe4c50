import { fault, graphql, respond, rest, scenario } from 'mockstack';

// The two services checkout calls: the catalog (GraphQL, typed by schemas/catalog.graphql once
// `mockstack gen` has run) and the payment provider (REST). Ports are for `mockstack up`;
// startStack() in the tests puts every service on a free port.
export default scenario('checkout-dependencies', { seed: 7, state: () => ({ payments: 0 }) })
  .services({
    catalog: graphql(
      { port: 4001, schema: 'schemas/catalog.graphql' },
      {
        Query: { product: (_parent, { sku }) => (sku === 'MUG' ? { sku, name: 'Mug', price: 12 } : null) },
      },
    ),
    payments: rest({ port: 4002 }, [
      rest.post('/payments', ({ state }) => {
        state.payments += 1;
        return respond({ id: `pay_${state.payments}` }, { status: 201 });
      }),
    ]),
  })
  .variants({
    'payments-down': { payments: fault.unavailable('maintenance', { retryAfter: 30 }) },
  });
