/**
 * The bundled example: a checkout system's dependencies, mocked as one stack.
 * `npx mockstack up scenarios/checkout.ts`
 */
import { fault, scenario } from 'mockstack';
import { orders } from './checkout/orders.js';
import { type CheckoutState, seedState } from './checkout/state.js';

export default scenario<CheckoutState>('checkout', { seed: 42, state: seedState })
  .services({ orders })
  .variants({
    'orders-down': { orders: fault.unavailable('orders is down for maintenance', { retryAfter: 30 }) },
    'orders-slow': { orders: { delay: { min: '600ms', max: '900ms' } } },
  });
