import { rest, scenario } from 'mockstack';
import payload from '../fixtures/payload.json' with { type: 'json' };

/**
 * BENCH_RULES rules (default 1), each answering one order id: on one path template `/orders/:id`
 * matched by `params.id` (what the rule index is for), or with BENCH_PATHS=distinct on a literal path
 * each (`/orders/ord_<i>`, fastify's router). Rules are declared from `ord_<count - 1>` down to `ord_0`: the
 * bench asks for `ord_0`, the last rule, which a linear scan reaches last, whatever the count.
 */
const count = Number(process.env.BENCH_RULES ?? 1);
const distinct = process.env.BENCH_PATHS === 'distinct';
export default scenario('bench-many-rules').services({
  api: rest(
    { port: Number(process.env.BENCH_PORT ?? 0) },
    Array.from({ length: count }, (_, n) => count - 1 - n).map((i) =>
      distinct
        ? rest.get(`/orders/ord_${i}`, { ...payload, id: `ord_${i}` })
        : rest.get('/orders/:id', { match: { params: { id: `ord_${i}` } } }, { ...payload, id: `ord_${i}` }),
    ),
  ),
});
