/**
 * GraphQL proxy fallback: `graphql({ proxy })` sends the operations no rule answers (neither an
 * operation rule nor a rule of a field they select) to the real GraphQL service (graphql-js behind
 * fastify, started here), journaled as proxied; an unreachable service is a 502 and serving goes on.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '@mockstack/contracts';
import { startStack, type TestStack } from '@mockstack/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildSchema, graphql as execute } from 'graphql';
import { graphql, respond, scenario } from 'mockstack';
import { root } from '../reliability/cli-process.js';

const sdl = `
type Gadget { sku: String!, name: String!, price: Int! }
type Query { gadget(sku: String!): Gadget, gadgets: [Gadget!]!, spotlight: Gadget! }
type Mutation { relabel(sku: String!, name: String!): Gadget! }
`;
const temp = join(root, 'test', `.proxy-graphql-tmp-${process.pid}`);
const schemaFile = join(temp, 'catalog.graphql');
let upstream: FastifyInstance;
let upstreamUrl: string;
let stack: TestStack;
const seen: unknown[] = [];

beforeAll(async () => {
  mkdirSync(temp, { recursive: true });
  writeFileSync(schemaFile, sdl);
  const real = { sku: 'SKU-REAL', name: 'from the real service', price: 4200 };
  const rootValue = {
    gadget: ({ sku }: { sku: string }) => ({ ...real, sku }),
    gadgets: () => [real],
    spotlight: () => real,
    relabel: ({ sku, name }: { sku: string; name: string }) => ({ ...real, sku, name }),
  };
  const schema = buildSchema(sdl);
  upstream = Fastify();
  upstream.post('/api/graphql', async (request, reply) => {
    const { query, variables, operationName } = request.body as { query: string; variables?: Record<string, unknown>; operationName?: string };
    seen.push({ operationName, authorization: request.headers.authorization });
    return reply.header('x-served-by', 'real').send(await execute({ schema, source: query, rootValue, variableValues: variables, operationName }));
  });
  await upstream.listen({ port: 0, host: '127.0.0.1' });
  upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}/api/graphql`;
  stack = await startStack(
    scenario('graphql-proxy', { seed: 1 }).services({
      catalog: graphql({ schema: schemaFile, proxy: upstreamUrl }, { Query: { spotlight: () => ({ sku: 'SKU-MOCK', name: 'mocked', price: 1 }) } }, [
        graphql.query('GetGadget', respond({ data: { gadget: { name: 'mocked product' } } })),
      ]),
      down: graphql({ schema: schemaFile, proxy: 'http://127.0.0.1:1/graphql' }),
    }),
  );
});

afterAll(async () => {
  await stack.close();
  await upstream.close();
  rmSync(temp, { recursive: true, force: true });
});

const ask = (url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('operations no rule answers go to the real service; ruled operations and fields stay mocked', async () => {
  const base = stack.url('catalog');
  const mocked = await ask(base, { query: 'query GetGadget { gadget(sku: "SKU-1") { name } }', operationName: 'GetGadget' });
  expect(await mocked.json()).toEqual({ data: { gadget: { name: 'mocked product' } } });
  const field = await ask(base, { query: 'query Spotlight { spotlight { sku } }' });
  expect(await field.json()).toEqual({ data: { spotlight: { sku: 'SKU-MOCK' } } });

  const real = await ask(base, { query: 'query List { gadgets { sku name } }' }, { authorization: 'Bearer t' });
  expect([real.status, real.headers.get('x-served-by'), await real.json()]).toEqual([
    200,
    'real',
    { data: { gadgets: [{ sku: 'SKU-REAL', name: 'from the real service' }] } },
  ]);
  const renamed = await ask(base, { query: 'mutation R($sku: String!) { relabel(sku: $sku, name: "new") { sku name } }', variables: { sku: 'SKU-9' } });
  expect(await renamed.json()).toEqual({ data: { relabel: { sku: 'SKU-9', name: 'new' } } });
  expect(seen).toEqual([{ authorization: 'Bearer t' }, {}].map((s) => ({ operationName: undefined, authorization: undefined, ...s })));

  expect(stack.requests({ service: 'catalog' }).map((e) => [e.operation, e.rule, e.status])).toEqual([
    ['query GetGadget', 'catalog#2', 200],
    ['query Spotlight', 'catalog#1', 200],
    ['query List', 'proxy:catalog', 200],
    ['mutation R', 'proxy:catalog', 200],
  ]);
});

test('an unreachable real service is a 502 naming it; the service keeps serving', async () => {
  const base = stack.url('down');
  const failed = await ask(base, { query: '{ gadgets { sku } }' });
  const body = (await failed.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect([failed.status, body.errors[0]?.extensions.code]).toEqual([502, 'BAD_GATEWAY']);
  expect(body.errors[0]?.message).toMatch(/^proxy to http:\/\/127\.0\.0\.1:1\/graphql failed: .*; is the real service up\?$/);
  expect(stack.requests({ service: 'down' }).map((e) => [e.rule, e.status])).toEqual([['proxy:down', 502]]);
  // A query the schema refuses is answered by the mock, before any proxying.
  expect((await ask(base, { query: '{ nope }' })).status).toBe(400);
});

test('a proxy that is no http(s) URL is a clear error at check', async () => {
  const file = join(temp, 'bad-proxy.ts');
  writeFileSync(
    file,
    `import { graphql, respond, scenario } from 'mockstack';\nexport default scenario('bad', {}).services({ catalog: graphql({ schema: 'catalog.graphql', proxy: 'localhost:4000' }) });\n`,
  );
  const { problems } = await check([file], { root });
  expect(problems.map((p) => p.message)).toEqual([
    expect.stringMatching(/GraphQL service "catalog" has proxy "localhost:4000", which is not an http\(s\) URL/),
  ]);
});
