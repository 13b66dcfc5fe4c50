/**
 * The bundled example: a checkout system's dependencies, mocked as one stack.
 * `npx mockstack up scenarios/checkout.ts`
 */
import { fault, scenario } from 'mockstack';
import { catalog, catalogVariants } from './checkout/catalog.js';
import { orders } from './checkout/orders.js';
import { payments } from './checkout/payments.js';
import { shipping } from './checkout/shipping.js';
import { type CheckoutState, seedState } from './checkout/state.js';

export default scenario<CheckoutState>('checkout', { seed: 42, state: seedState })
  .services({ orders, catalog, payments, shipping })
  .variants({
    ...catalogVariants,
    'orders-down': { orders: fault.unavailable('orders is down for maintenance', { retryAfter: 30 }) },
    'orders-slow': { orders: { delay: { min: '600ms', max: '900ms' } } },
    'payments-down': { payments: fault.grpc('UNAVAILABLE', 'payments is down: the card processor does not answer', { retryAfter: 30 }) },
    // Past the 1–2 s deadlines clients usually set on payment calls.
    'payments-slow': { payments: { delay: '5s' } },
    // The third-party shipping provider (served from schemas/shipping-rates.yaml) is unreachable.
    'shipping-down': { shipping: fault.unavailable('Parcelly is down: no shipping rates', { retryAfter: 60 }) },
  });
