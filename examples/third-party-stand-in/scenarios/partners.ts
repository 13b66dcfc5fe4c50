import { fault, grpc, rest, scenario } from 'mockstack';

// Two third-party APIs this project calls, served from their own contracts: every operation answers
// from the contract (its examples, or values generated from its schemas), and the scenario overrides
// what the tests care about. `mockstack check` keeps these answers true to the contracts.
export default scenario('partners', { seed: 1 })
  .services({
    weather: rest({ port: 4010, openapi: 'schemas/weather.yaml' }, [
      rest.get('/v1/forecast/:city', ({ params }) =>
        params.city === 'Atlantis' ? fault.notFound(`no forecast for ${params.city}`) : { city: params.city, days: [{ date: '2026-12-03', summary: 'snow', highC: -2 }] },
      ),
    ]),
    fraud: grpc(
      { port: 50061, proto: 'protos/fraud.proto' },
      {
        'partner.fraud.v1.FraudCheck': {
          Score: ({ request }) => (Number(request.amountCents) > 100_000 ? { risk: 0.97, block: true } : { risk: 0.02, block: false }),
        },
      },
    ),
  })
  .variants({
    'weather-down': { weather: fault.unavailable('partner maintenance', { retryAfter: 60 }) },
    'fraud-slow': { fraud: { delay: '2s' } },
  });
