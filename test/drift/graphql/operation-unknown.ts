import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-operation-unknown').services({
  catalog: graphql({ schema: 'schemas/catalog.graphql' }, {}, [graphql.mutation('AddToCard', { addToCart: { itemCount: 1 } })]),
});
