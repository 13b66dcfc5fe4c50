import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-operation-wrong-type').services({
  catalog: graphql({ schema: 'schemas/catalog.graphql' }, {}, [graphql.query('GetCart', { cart: { id: 'c1', itemCount: 'two' } })]),
});
