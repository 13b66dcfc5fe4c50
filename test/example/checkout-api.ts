/**
 * The service under test in test/behaviour/service-under-test.test.ts: a small checkout API of the kind a team
 * isolates with mockstack. It calls three dependencies, one per protocol:
 * catalog (GraphQL) for price and stock, orders (REST) to place the order, payments (gRPC) to pay.
 */
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import Fastify, { type FastifyInstance } from 'fastify';
import { GraphQLClient, gql } from 'graphql-request';

export interface Dependencies {
  catalogUrl: string;
  ordersUrl: string;
  /** host:port of the payments gRPC server. */
  paymentsAddress: string;
}

interface PaymentClient extends grpc.Client {
  Authorize(
    request: object,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply: Record<string, string>) => void,
  ): void;
  Capture(
    request: object,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply: Record<string, string>) => void,
  ): void;
}

const ProductQuery = gql`
  query ProductForCheckout($sku: ID!) {
    product(sku: $sku) {
      sku
      stock
      price {
        amountCents
      }
    }
  }
`;

export function createCheckoutApi(deps: Dependencies): { app: FastifyInstance; close(): Promise<void> } {
  const definition = protoLoader.loadSync(resolve(import.meta.dirname, '../../protos/payments.proto'), {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
  });
  const proto = grpc.loadPackageDefinition(definition) as unknown as { checkout: { payments: { v1: { PaymentService: grpc.ServiceClientConstructor } } } };
  const payments = new proto.checkout.payments.v1.PaymentService(deps.paymentsAddress, grpc.credentials.createInsecure()) as unknown as PaymentClient;
  const catalog = new GraphQLClient(deps.catalogUrl);
  const call = (method: 'Authorize' | 'Capture', request: object) =>
    new Promise<Record<string, string>>((done, fail) =>
      // A deadline that a loaded 2-core CI machine cannot miss on the first call, which sets up the channel.
      payments[method](request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, reply) => (error ? fail(error) : done(reply))),
    );

  const app = Fastify({ logger: false });
  app.post<{ Body: { customerId: string; sku: string; quantity: number; cardToken: string } }>('/checkout', async (request, reply) => {
    const { customerId, sku, quantity, cardToken } = request.body;
    const { product } = await catalog.request<{ product: { stock: number; price: { amountCents: number } } | null }>(ProductQuery, { sku });
    if (!product) return reply.code(404).send({ error: `no product ${sku}` });
    if (product.stock < quantity) return reply.code(409).send({ error: `only ${product.stock} of ${sku} left` });

    const created = await fetch(`${deps.ordersUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId, lines: [{ sku, quantity }] }),
    });
    if (created.status !== 201) return reply.code(502).send({ error: `orders answered ${created.status}` });
    const order = (await created.json()) as { id: string; totalCents: number };

    try {
      const amount = { currencyCode: 'EUR', units: String(Math.floor(order.totalCents / 100)), nanos: (order.totalCents % 100) * 1e7 };
      const authorization = await call('Authorize', { orderId: order.id, amount, cardToken, idempotencyKey: `checkout-${order.id}` });
      if (authorization.status !== 'AUTHORIZED') return reply.code(402).send({ orderId: order.id, error: authorization.declineReason });
      await call('Capture', { paymentId: authorization.paymentId });
      return reply.code(201).send({ orderId: order.id, paymentId: authorization.paymentId, status: 'PAID' });
    } catch (error) {
      const code = (error as grpc.ServiceError).code;
      if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED) {
        return reply.code(503).send({ orderId: order.id, status: 'PENDING_PAYMENT', error: 'payments unavailable; the order waits for payment' });
      }
      throw error;
    }
  });

  return {
    app,
    close: async () => {
      payments.close();
      await app.close();
    },
  };
}
