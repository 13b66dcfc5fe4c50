import { fault, respond, rest } from 'mockstack';
import { type CheckoutState, placeOrder } from './state.js';

interface NewOrder {
  customerId: string;
  lines: { sku: string; quantity: number }[];
}

/** Why a POST /orders body is invalid, field by field (empty when it is fine). */
function validateNewOrder(body: unknown, state: CheckoutState): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  const order = (body ?? {}) as Partial<NewOrder>;
  if (typeof order.customerId !== 'string' || order.customerId === '') errors.push({ field: 'customerId', message: 'is required' });
  if (!Array.isArray(order.lines) || order.lines.length === 0) {
    errors.push({ field: 'lines', message: 'must list at least one item' });
    return errors;
  }
  order.lines.forEach((line, i) => {
    if (!state.products.has(line?.sku)) errors.push({ field: `lines[${i}].sku`, message: `unknown SKU ${JSON.stringify(line?.sku)}` });
    else if (!Number.isInteger(line.quantity) || line.quantity < 1) errors.push({ field: `lines[${i}].quantity`, message: 'must be a whole number ≥ 1' });
    else if ((state.stock.get(line.sku) ?? 0) < line.quantity) {
      errors.push({ field: `lines[${i}].quantity`, message: `only ${state.stock.get(line.sku) ?? 0} of ${line.sku} in stock` });
    }
  });
  return errors;
}

/** The orders service: list, get, create (reserving stock), cancel (releasing it). */
export const orders = rest<CheckoutState>({ port: 8081 }, [
  rest.get('/health', { status: 'ok' }),

  rest.get('/orders', ({ query, state }) => {
    const all = [...state.orders.values()].filter((o) => !query.customerId || o.customerId === query.customerId);
    return { items: all, total: all.length };
  }),

  rest.get('/orders/:id', ({ params, state }) => state.orders.get(params.id) ?? fault.notFound(`order ${params.id} does not exist`)),

  rest.post('/orders', ({ body, state, publish }) => {
    const errors = validateNewOrder(body, state);
    if (errors.length) return fault.http(422, { error: 'VALIDATION_FAILED', errors });
    const input = body as NewOrder;
    const order = placeOrder(state, input.customerId, input.lines, publish);
    return respond(order, { status: 201, headers: { location: `/orders/${order.id}` } });
  }),

  rest.post('/orders/:id/cancel', ({ params, state }) => {
    const order = state.orders.get(params.id);
    if (!order) return fault.notFound(`order ${params.id} does not exist`);
    if (order.status !== 'PENDING_PAYMENT') return fault.http(409, { error: 'NOT_CANCELLABLE', message: `order ${order.id} is ${order.status}` });
    for (const line of order.lines) state.stock.set(line.sku, (state.stock.get(line.sku) ?? 0) + line.quantity);
    order.status = 'CANCELLED';
    return order;
  }),
]);
