import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-wrong-type').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [rest.operation('getRates', { rates: 'none' })]),
});
