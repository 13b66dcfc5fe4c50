import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-wrong-method').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [rest.post('/v2/rates', { rates: [] })]),
});
