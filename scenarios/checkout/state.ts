import type { Publish } from 'mockstack';
import products from '../fixtures/catalog.json' with { type: 'json' };

export interface Product {
  sku: string;
  name: string;
  category: string;
  priceCents: number;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export type OrderStatus = 'PENDING_PAYMENT' | 'PAID' | 'CANCELLED' | 'REFUNDED';
export type PaymentStatus = 'NONE' | 'AUTHORIZED' | 'CAPTURED' | 'DECLINED' | 'REFUNDED';

export interface Order {
  id: string;
  customerId: string;
  lines: OrderLine[];
  totalCents: number;
  currency: 'EUR';
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  createdAt: string;
}

/** A card payment made over the payments gRPC service (amounts in cents, like orders). */
export interface PaymentRecord {
  id: string;
  orderId: string;
  amountCents: number;
  currency: 'EUR';
  status: Exclude<PaymentStatus, 'NONE'>;
  authorizationId: string;
  /** Every status the payment went through, oldest first (WatchPayment streams these). */
  history: { status: Exclude<PaymentStatus, 'NONE'>; at: string }[];
}

/** A shopping cart of the catalog GraphQL service. */
export interface Cart {
  id: string;
  lines: { sku: string; quantity: number }[];
  updatedAt: string;
}

/** The state every service of the checkout stack shares: stock reserved by REST orders is what GraphQL shows. */
export interface CheckoutState {
  products: Map<string, Product>;
  /** Units available per SKU. */
  stock: Map<string, number>;
  orders: Map<string, Order>;
  nextOrderNumber: number;
  /** Carts of the catalog GraphQL service, by id. */
  carts: Map<string, Cart>;
  /** Payments by id; an order's `paymentStatus` follows its payment. */
  payments: Map<string, PaymentRecord>;
  nextPaymentNumber: number;
}

/**
 * Places an order for these lines at current prices and reserves their stock. POST /orders (REST)
 * and the placeOrder mutation (GraphQL) both call it, so each sees the other's orders; the new stock
 * levels go to the catalog's `stockChanged` subscribers.
 */
export function placeOrder(state: CheckoutState, customerId: string, items: readonly { sku: string; quantity: number }[], publish: Publish): Order {
  const lines: OrderLine[] = items.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceCents: state.products.get(l.sku)?.priceCents ?? 0 }));
  for (const line of lines) {
    const stock = (state.stock.get(line.sku) ?? 0) - line.quantity;
    state.stock.set(line.sku, stock);
    publish('stockChanged', { sku: line.sku, stock, inStock: stock > 0 });
  }
  const order: Order = {
    id: `ord_${state.nextOrderNumber++}`,
    customerId,
    lines,
    totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
    currency: 'EUR',
    status: 'PENDING_PAYMENT',
    paymentStatus: 'NONE',
    createdAt: new Date().toISOString(),
  };
  state.orders.set(order.id, order);
  return order;
}

export function seedState(): CheckoutState {
  const orders = new Map<string, Order>([
    [
      'ord_1001',
      {
        id: 'ord_1001',
        customerId: 'cus_ada',
        lines: [{ sku: 'SKU-MUG-WHT', quantity: 2, unitPriceCents: 1600 }],
        totalCents: 3200,
        currency: 'EUR',
        status: 'PAID',
        paymentStatus: 'CAPTURED',
        createdAt: '2026-11-02T09:14:00.000Z',
      },
    ],
    [
      'ord_1002',
      {
        id: 'ord_1002',
        customerId: 'cus_grace',
        lines: [
          { sku: 'SKU-HOODIE-GRY-L', quantity: 1, unitPriceCents: 8900 },
          { sku: 'SKU-TSHIRT-BLK-M', quantity: 3, unitPriceCents: 2400 },
        ],
        totalCents: 16100,
        currency: 'EUR',
        status: 'PENDING_PAYMENT',
        paymentStatus: 'NONE',
        createdAt: '2026-11-20T17:42:00.000Z',
      },
    ],
  ]);
  return {
    products: new Map(products.map(({ stock: _stock, ...p }) => [p.sku, p])),
    stock: new Map(products.map((p) => [p.sku, p.stock])),
    orders,
    nextOrderNumber: 1003,
    carts: new Map<string, Cart>(),
    payments: new Map<string, PaymentRecord>([
      [
        'pay_1001',
        {
          id: 'pay_1001',
          orderId: 'ord_1001',
          amountCents: 3200,
          currency: 'EUR',
          status: 'CAPTURED',
          authorizationId: 'auth_1001',
          history: [
            { status: 'AUTHORIZED', at: '2026-11-02T09:14:30.000Z' },
            { status: 'CAPTURED', at: '2026-11-02T09:15:00.000Z' },
          ],
        },
      ],
    ]),
    nextPaymentNumber: 1002,
  };
}
