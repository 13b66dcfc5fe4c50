import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-null-for-non-null').services({
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    {
      Query: { categories: null },
    },
  ),
});
