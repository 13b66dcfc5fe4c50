import { rest, scenario } from 'mockstack';

/** The store bench: a route that reads the shared state (an order by id) and one that writes it. */
export default scenario('bench-store', {
  state: () => ({
    orders: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`ord_${i}`, { id: `ord_${i}`, status: 'PAID', totalCents: 1000 + i }])),
    hits: 0,
  }),
}).services({
  api: rest({ port: 0 }, [
    rest.get('/orders/:id', ({ params, state }) => state.orders[params.id] ?? { missing: params.id }),
    rest.post('/hits', ({ state }) => ({ hits: ++state.hits })),
  ]),
});
