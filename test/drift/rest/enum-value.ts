import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-enum-value').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
    rest.operation('getRate', { id: 'r1', carrier: 'Hermes', service: 'standard', price: { amount: 1, currency: 'EUR' }, estimatedDays: 2 }),
  ]),
});
