import { rest, scenario } from 'mockstack';
import payload from '../fixtures/payload.json' with { type: 'json' };

/** One static route answering the same JSON as bench/baselines/bare-fastify.mjs. */
export default scenario('bench-static').services({
  api: rest({ port: Number(process.env.BENCH_PORT ?? 0) }, [rest.get('/orders/:id', payload)]),
});
