/**
 * Type-level checks of the gRPC DSL, verified by `npm run typecheck` (tsc), not by jest:
 * every `@ts-expect-error` below must be an error, or tsc fails.
 */
import { fault, type GrpcContext, grpc, respond, scenario } from 'mockstack';

interface State {
  payments: Map<string, { paymentId: string; status: 'AUTHORIZED' | 'CAPTURED' }>;
}
type CaptureRequest = { paymentId: string };

export const typed = scenario('grpc-types', { state: (): State => ({ payments: new Map() }) }).services({
  payments: grpc(
    { port: 0, proto: 'protos/payments.proto' },
    {
      'checkout.payments.v1.PaymentService': {
        Authorize: ({ request, state, metadata, call }) => {
          const tenant: string | string[] | undefined = metadata['x-tenant'];
          const n: number = call;
          // @ts-expect-error state is typed from the scenario's state()
          state.orders;
          return respond({ paymentId: String(request.orderId ?? ''), status: 'AUTHORIZED' }, { trailers: { tenant: String(tenant), n: String(n) } });
        },
        // A handler may annotate its request type.
        Capture: ({ request, state }: GrpcContext<State, CaptureRequest>) => state.payments.get(request.paymentId) ?? fault.notFound(request.paymentId),
        Refund: fault.grpc('FAILED_PRECONDITION', 'not captured'),
        WatchPayment: async function* ({ request }) {
          yield { paymentId: request.paymentId, status: 'AUTHORIZED' };
          yield grpc.pause('100ms');
          yield fault.grpc('ABORTED', 'gone');
        },
      },
    },
  ),
  rules: grpc({ proto: 'protos/payments.proto' }, [
    grpc.method(
      'checkout.payments.v1.PaymentService/Authorize',
      { match: { body: { orderId: 'ord_1' }, headers: { 'x-tenant': /^a/ } }, times: 1 },
      ({ state }) => ({
        paymentId: String(state.payments.size),
      }),
    ),
    ...grpc.service<State>('checkout.payments.v1.PaymentService', { Refund: ({ state }) => ({ paymentId: String(state.payments.size) }) }),
  ]),
});

// @ts-expect-error fault.grpc takes a gRPC status code name
fault.grpc('NOT_A_CODE');
// @ts-expect-error grpc() needs a proto
grpc({ port: 0 }, {});
