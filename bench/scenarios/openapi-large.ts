import { rest, scenario } from 'mockstack';

/** A REST service from an OpenAPI document named by BENCH_OPENAPI (bench/suites/openapi.mjs generates a large one). */
export default scenario('bench-openapi').services({
  api: rest({ port: Number(process.env.BENCH_PORT ?? 0), openapi: process.env.BENCH_OPENAPI ?? 'schemas/petstore.json' }),
});
