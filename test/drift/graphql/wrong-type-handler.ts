import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-wrong-type-handler').services({
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    {
      Query: { product: (_, { sku }) => ({ id: sku, stock: 'plenty' }) },
    },
  ),
});
