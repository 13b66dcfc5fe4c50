import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-wrong-type').services({
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    {
      Query: { categories: [{ id: 'cat_mugs', productCount: 'many' }] },
    },
  ),
});
