import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-missing-required').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
    rest.operation('getRate', { id: 'r1', carrier: 'DHL', service: 'standard', price: { amount: 1, currency: 'EUR' } }),
  ]),
});
