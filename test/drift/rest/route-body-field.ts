import { respond, rest, scenario } from 'mockstack';

export default scenario('drift-rest-route-body-field').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [
    rest.post('/v2/shipments', ({ body }) => respond({ id: body.rateID, status: 'booked', trackingUrl: 'https://t.example/1' }, { status: 201 })),
  ]),
});
