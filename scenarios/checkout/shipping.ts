import { rest, type ServiceOf } from 'mockstack';
import type { CheckoutState } from './state.js';

/**
 * Parcelly, the third-party shipping provider, mocked from its OpenAPI document: every operation
 * answers its documented example or a value generated from its schema, requests that break the
 * contract get 400/422 problem+json. The one thing checkout tests care about is overridden: an
 * order of €50 or more ships free within Germany (`GET /v2/rates?country=DE&weightGrams=…&orderId=…`).
 *
 * The state type is an annotation rather than `rest<CheckoutState>(…)`, so that TypeScript still
 * infers the document's name and types the routes by it: `rest.get` completes the document's GET
 * paths, `query` has its parameters, and the answer must be a documented response.
 */
export const shipping: ServiceOf<CheckoutState> = rest({ port: 8083, openapi: 'schemas/shipping-rates.yaml' }, [
  rest.get('/v2/rates', { match: { query: { country: 'DE', orderId: /./ } } }, ({ query, state }) => {
    const order = state.orders.get(String(query.orderId));
    const free = order !== undefined && order.totalCents >= 5000;
    return {
      rates: [
        { id: 'rate_dhl_std', carrier: 'DHL', service: 'standard', price: { amount: free ? 0 : 4.99, currency: 'EUR' }, estimatedDays: 2 },
        { id: 'rate_ups_exp', carrier: 'UPS', service: 'express', price: { amount: 12.5, currency: 'EUR' }, estimatedDays: 1 },
      ],
    };
  }),
]);
