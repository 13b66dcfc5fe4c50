import { rest, scenario } from 'mockstack';
import payload from '../fixtures/payload.json' with { type: 'json' };

/**
 * The routes of the REST throughput bench, answering the same JSON as bench/baselines/bare-fastify.mjs: a
 * static route, and a handler function (the order with the id asked for).
 */
export default scenario('bench-rest').services({
  api: rest({ port: Number(process.env.BENCH_PORT ?? 0) }, [
    rest.get('/orders/:id', payload),
    rest.get('/computed/orders/:id', ({ params }) => ({ ...payload, id: params.id })),
  ]),
});
