import { fault, grpc, respond, type ServiceOf } from 'mockstack';
import type { CheckoutState, PaymentRecord } from './state.js';

const SERVICE = 'checkout.payments.v1.PaymentService';

/** checkout.common.v1.Money as handlers read it (int64 as a string). */
const centsOf = (money: { units: string; nanos: number }): number => Number(money.units) * 100 + Math.round(money.nanos / 1e7);
const moneyOf = (cents: number) => ({ currencyCode: 'EUR', units: String(Math.floor(cents / 100)), nanos: (cents % 100) * 1e7 });

/** A payment as the proto's Payment message. */
function paymentMessage(payment: PaymentRecord) {
  return {
    paymentId: payment.id,
    orderId: payment.orderId,
    amount: moneyOf(payment.amountCents),
    status: payment.status,
    updatedAt: payment.history.at(-1)?.at ?? new Date().toISOString(),
  };
}

function change(state: CheckoutState, payment: PaymentRecord, status: PaymentRecord['status']): void {
  payment.status = status;
  payment.history.push({ status, at: new Date().toISOString() });
  const order = state.orders.get(payment.orderId);
  if (!order) return;
  order.paymentStatus = status;
  if (status === 'CAPTURED') order.status = 'PAID';
  if (status === 'REFUNDED') order.status = 'REFUNDED';
}

function findPayment(state: CheckoutState, id: string): PaymentRecord | ReturnType<typeof fault.notFound> {
  return (
    state.payments.get(id) ??
    fault.notFound(`payment ${id} does not exist`, {
      details: [{ '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceType: 'payment', resourceName: id }],
    })
  );
}

/**
 * The payments service over gRPC: authorize, capture and refund change the order that the REST
 * orders service shows; WatchPayment streams a payment's status changes.
 */
export const payments: ServiceOf<CheckoutState> = grpc(
  { port: 50051, proto: 'protos/payments.proto' },
  {
    [SERVICE]: {
      Authorize: ({ request, state, metadata }) => {
        const order = state.orders.get(request.orderId);
        if (!order) return fault.notFound(`order ${request.orderId} does not exist`);
        if (order.status !== 'PENDING_PAYMENT' || order.paymentStatus === 'AUTHORIZED') {
          return fault.grpc('FAILED_PRECONDITION', `order ${order.id} is ${order.status} with payment ${order.paymentStatus}`);
        }
        if (!request.amount || request.amount.currencyCode !== order.currency || centsOf(request.amount) !== order.totalCents) {
          return fault.grpc('INVALID_ARGUMENT', `amount must be ${order.totalCents / 100} ${order.currency}, the order's total`, {
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.BadRequest',
                fieldViolations: [{ field: 'amount', description: `must equal the total of ${order.id}` }],
              },
            ],
          });
        }
        if (request.cardToken === 'tok_declined') {
          order.paymentStatus = 'DECLINED';
          return { paymentId: '', authorizationId: '', status: 'DECLINED', declineReason: 'insufficient funds' };
        }
        const payment: PaymentRecord = {
          id: `pay_${state.nextPaymentNumber++}`,
          orderId: order.id,
          amountCents: order.totalCents,
          currency: 'EUR',
          status: 'AUTHORIZED',
          authorizationId: `auth_${state.nextPaymentNumber - 1}`,
          history: [],
        };
        state.payments.set(payment.id, payment);
        change(state, payment, 'AUTHORIZED');
        return respond(
          { paymentId: payment.id, authorizationId: payment.authorizationId, status: 'AUTHORIZED' },
          { trailers: { 'x-idempotency-key': String(metadata['idempotency-key'] ?? request.idempotencyKey) } },
        );
      },

      Capture: ({ request, state }) => {
        const payment = findPayment(state, request.paymentId);
        if (!('history' in payment)) return payment;
        if (payment.status !== 'AUTHORIZED') return fault.grpc('FAILED_PRECONDITION', `payment ${payment.id} is ${payment.status}, not AUTHORIZED`);
        change(state, payment, 'CAPTURED');
        return paymentMessage(payment);
      },

      Refund: ({ request, state }) => {
        const payment = findPayment(state, request.paymentId);
        if (!('history' in payment)) return payment;
        if (payment.status !== 'CAPTURED')
          return fault.grpc('FAILED_PRECONDITION', `payment ${payment.id} is ${payment.status}; only CAPTURED payments can be refunded`);
        change(state, payment, 'REFUNDED');
        return paymentMessage(payment);
      },

      // Replays the payment's history, 100 ms apart.
      WatchPayment: ({ request, state }) => {
        const payment = findPayment(state, request.paymentId);
        if (!('history' in payment)) return payment;
        const events = payment.history.map((h) => ({ paymentId: payment.id, status: h.status, occurredAt: h.at }));
        return grpc.stream(events, { interval: '100ms' });
      },
    },
  },
);
