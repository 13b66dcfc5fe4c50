import { graphql, scenario } from 'mockstack';

/**
 * bench/scenarios/graphql.ts with a resolver on a field: the path a field rule takes (a field request
 * per product name, matched and answered by the engine), against the same cached graphql-js baseline.
 */
export default scenario('bench-graphql-rule', { seed: 1 }).services({
  api: graphql(
    { port: Number(process.env.BENCH_PORT ?? 0), schema: 'schemas/catalog.graphql', listLength: 2 },
    {
      Product: { name: () => 'Bench product' },
    },
  ),
});
