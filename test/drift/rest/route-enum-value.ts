import { rest, scenario } from 'mockstack';

export default scenario('drift-rest-route-enum-value').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
    rest.get('/rates/{rateId}', { id: 'r1', carrier: 'Hermes', service: 'standard', price: { amount: 1, currency: 'EUR' }, estimatedDays: 2 }),
  ]),
});
