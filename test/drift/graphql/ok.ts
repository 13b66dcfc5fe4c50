// Matches schemas/catalog.graphql (and its operations): typed args and results, static values, operation rules.
import { fault, graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-ok').services({
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    {
      Query: {
        product: (_, { sku }) => (sku === 'gone' ? null : { id: sku, sku, name: 'Mug', price: { amountCents: 1600, currency: 'EUR', formatted: '€16.00' } }),
        categories: [{ id: 'cat_mugs', name: 'Mugs', slug: 'mugs', productCount: 3 }],
        cart: fault.notFound('no carts today'),
      },
      Product: { stock: 7 },
    },
    [
      graphql.query('GetCart', ({ variables }) => ({ cart: { id: variables.id, itemCount: 0, lines: [] } })),
      graphql.query('Search', { search: [{ __typename: 'Category', slug: 'mugs', productCount: 3 }] }),
      graphql.mutation('AddToCart', { match: { variables: { sku: 'SKU-GONE' } } }, fault.notFound('no such product')),
    ],
  ),
});
