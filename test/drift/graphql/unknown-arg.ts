import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-unknown-arg').services({
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    {
      Query: { product: (_, { id }) => ({ id }) },
    },
  ),
});
