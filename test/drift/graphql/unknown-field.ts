import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-unknown-field').services({
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    {
      Query: { productz: null },
    },
  ),
});
