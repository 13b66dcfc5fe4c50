import { graphql, scenario } from 'mockstack';

/** The catalog schema, every field auto-mocked, lists of 2 like addMocksToSchema: the same answer shape as bench/baselines/graphql-baseline.mjs. */
export default scenario('bench-graphql', { seed: 1 }).services({
  api: graphql({ port: Number(process.env.BENCH_PORT ?? 0), schema: 'schemas/catalog.graphql', listLength: 2 }),
});
