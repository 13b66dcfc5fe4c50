import { fault, graphql, scenario } from 'mockstack';

interface Line {
  sku: string;
  quantity: number;
}

// The GraphQL API a frontend is built against before it exists. `products` is left out: it is
// auto-mocked from the schema, the same values on every run. The cart lives in the scenario's state,
// so adding a line and reading the cart agree. CORS is on, so an app on another origin can call it.
export default scenario('storefront', { seed: 42, state: () => ({ carts: new Map<string, Line[]>() }) })
  .services({
    api: graphql(
      { port: 4000, schema: 'schemas/storefront.graphql' },
      {
        Query: { cart: (_parent, { id }, { state }) => ({ id, lines: state.carts.get(id) ?? [] }) },
        Mutation: {
          addToCart: (_parent, { cartId, sku, quantity }, { state }) => {
            if (sku === 'SOLD-OUT') return fault.failedPrecondition(`${sku} is sold out`);
            const lines = [...(state.carts.get(cartId) ?? []), { sku, quantity }];
            state.carts.set(cartId, lines);
            return { id: cartId, lines };
          },
        },
      },
    ),
  })
  .variants({
    'api-down': { api: fault.unavailable('maintenance') },
    'api-slow': { api: { delay: { min: '800ms', max: '1500ms' } } },
  });
