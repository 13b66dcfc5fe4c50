import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-unknown-route').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [rest.get('/v2/ratez', { rates: [] })]),
});
