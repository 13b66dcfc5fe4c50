import { fault, graphql, grpc, rest, scenario } from 'mockstack';

/**
 * The stack `npm run fuzz` and `npm run soak` drive: every protocol, rules with matchers, handlers
 * that read the request, state, and a fault rule. Its handlers are correct: any 5xx that is not the
 * fault rule's is mockstack's own doing.
 */
export default scenario('hostile', { seed: 7, state: () => ({ orders: [] as unknown[] }) }).services({
  api: rest({}, [
    rest.get('/orders/:id', { match: { params: { id: /^ord_\d+$/ } } }, ({ params }) => ({ id: params.id, status: 'placed' })),
    rest.post('/orders', { match: { body: { sku: 'A' } } }, ({ body, state }) => {
      state.orders.push(body);
      if (state.orders.length > 100) state.orders.splice(0, 50);
      return { id: `ord_${state.orders.length}` };
    }),
    rest.post('/echo', ({ body, headers, query }) => ({
      body: typeof body === 'object' ? 'object' : typeof body,
      headers: Object.keys(headers).length,
      query,
    })),
    rest.get('/down', fault.unavailable('down on purpose')),
    rest.get('/static', { ok: true }),
  ]),
  gql: graphql({ schema: 'test/fixtures/contracts/inventory.graphql' }, { Query: { item: (_parent, args) => ({ id: String(args.id), name: 'n' }) } }),
  rpc: grpc({ proto: 'test/fixtures/contracts/greeter.proto' }, [
    grpc.method('demo.greeter.v1.Greeter/SayHello', ({ request }: { request: { name?: string } }) => ({ message: `hello ${request.name ?? ''}`, count: 1 })),
  ]),
});
