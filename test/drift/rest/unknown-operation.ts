import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-unknown-operation').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [rest.operation('getRatez', { rates: [] })]),
});
