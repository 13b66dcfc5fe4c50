import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-wrong-field-name').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
    rest.operation('getRate', { id: 'r1', carier: 'DHL', service: 'standard', price: { amount: 1, currency: 'EUR' }, estimatedDays: 2 }),
  ]),
});
