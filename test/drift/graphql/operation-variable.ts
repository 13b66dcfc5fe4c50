import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-operation-variable').services({
  catalog: graphql({ schema: 'schemas/catalog.graphql' }, {}, [graphql.query('GetCart', ({ variables }) => ({ cart: { id: variables.cartId } }))]),
});
