// Matches schemas/shipping-rates.yaml: typed params and query, documented statuses.
import { respond, rest, scenario } from 'mockstack';

const rate = { id: 'rate_dhl_std', carrier: 'DHL', service: 'standard', price: { amount: 4.99, currency: 'EUR' }, estimatedDays: 2 } as const;

export default scenario('drift-rest-ok').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
    rest.get('/v2/rates/:rateId', { match: { params: { rateId: 'static' } } }, rate),
    rest.operation('getRates', ({ query }) => ({ rates: query.country === 'DE' ? [rate] : [] })),
    rest.operation('getRate', ({ params }) =>
      params.rateId === 'gone' ? respond({ title: 'Rate not found', status: 404 }, { status: 404 }) : { ...rate, id: params.rateId },
    ),
  ]),
});
