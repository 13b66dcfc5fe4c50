import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-wrong-query').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [rest.operation('getRate', ({ params }) => ({ id: params.id }))]),
});
