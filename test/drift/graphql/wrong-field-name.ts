import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-wrong-field-name').services({
  catalog: graphql(
    { schema: 'schemas/catalog.graphql' },
    {
      Query: { categories: [{ id: 'cat_mugs', nmae: 'Mugs' }] },
    },
  ),
});
