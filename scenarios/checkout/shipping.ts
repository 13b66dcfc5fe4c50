import { rest } from 'mockstack';
import type { CheckoutState } from './state.js';

/**
 * Parcelly, the third-party shipping provider, mocked from its OpenAPI document: every operation
 * answers its documented example or a value generated from its schema, requests that break the
 * contract get 400/422 problem+json. The one thing checkout tests care about is overridden: an
 * order of €50 or more ships free within Germany (`GET /v2/rates?country=DE&weightGrams=…&orderId=…`).
 */
export const shipping = rest<CheckoutState>({ port: 8083, openapi: 'schemas/shipping-rates.yaml' }, [
  rest.operation('getRates', { match: { query: { country: 'DE', orderId: /./ } } }, ({ query, state }) => {
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
