import { rest, scenario } from 'mockstack';

/** GitHub's REST description (@octokit/openapi, ~13 MB) served from its contract alone, request validation on (the default). */
export default scenario('bench-openapi-github').services({
  api: rest({
    port: Number(process.env.BENCH_PORT ?? 0),
    openapi: 'node_modules/@octokit/openapi/generated/api.github.com.json',
    validateRequests: true,
  }),
});
