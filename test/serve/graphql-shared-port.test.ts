import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { startStack, type TestStack } from '@mockstack/testing';
import { ClientError, GraphQLClient } from 'graphql-request';
import { createClient } from 'graphql-ws';
import { fault, graphql, grpc, rest, type ServiceOf, scenario } from 'mockstack';
import WebSocket from 'ws';

const root = resolve(import.meta.dirname, '../..');
const SCHEMA = resolve(root, 'schemas/catalog.graphql');

interface State {
  stock: Map<string, number>;
}

// orders (REST) and catalog (GraphQL at /graphql on the orders port) share one origin and one state.
const shop = scenario<State>('shared-port', { seed: 7, state: () => ({ stock: new Map([['SKU-1', 3]]) }) }).services({
  orders: rest<State>({ port: 0 }, [
    rest.get('/stock/:sku', ({ params, state }) => ({ sku: params.sku, stock: state.stock.get(params.sku) ?? 0 })),
    rest.post('/stock/:sku/take', ({ params, state }) => {
      const left = (state.stock.get(params.sku) ?? 0) - 1;
      state.stock.set(params.sku, left);
      return { sku: params.sku, stock: left };
    }),
    rest.get('/graphql-docs', { text: 'not GraphQL: /graphql-docs is a REST route beside the mount' }),
  ]),
  catalog: graphql<State>(
    { schema: SCHEMA, on: 'orders', subscriptions: { events: 2, interval: 5 } },
    { Query: { product: (_parent, args, { state }) => ({ sku: String(args.sku), stock: state.stock.get(String(args.sku)) ?? 0 }) } },
  ),
});

const STOCK = 'query Stock($sku: ID!) { product(sku: $sku) { sku stock } }';

describe('GraphQL on a path of a REST service port', () => {
  let stack: TestStack;
  let origin: string;
  let client: GraphQLClient;

  beforeAll(async () => {
    stack = await startStack(shop);
    origin = stack.url('orders');
    client = new GraphQLClient(stack.url('catalog'));
  });
  afterAll(() => stack.close());

  it('serves the GraphQL endpoint at /graphql on the REST port', () => {
    expect(stack.services.catalog).toMatchObject({ protocol: 'graphql', port: stack.services.orders?.port, url: `${origin}/graphql` });
  });

  it('answers GraphQL (POST and GET) and REST on one origin, over one state', async () => {
    expect(await client.request(STOCK, { sku: 'SKU-1' })).toEqual({ product: { sku: 'SKU-1', stock: 3 } });
    const taken = await fetch(`${origin}/stock/SKU-1/take`, { method: 'POST' });
    expect(await taken.json()).toEqual({ sku: 'SKU-1', stock: 2 });
    const viaGet = await fetch(`${origin}/graphql?query=${encodeURIComponent('{ product(sku: "SKU-1") { stock } }')}`);
    expect(await viaGet.json()).toEqual({ data: { product: { stock: 2 } } });
    expect(await (await fetch(`${origin}/stock/SKU-1`)).json()).toEqual({ sku: 'SKU-1', stock: 2 });
  });

  it('keeps REST routes next to the mount path, and REST 404s for the rest', async () => {
    expect(await (await fetch(`${origin}/graphql-docs`)).json()).toEqual({ text: 'not GraphQL: /graphql-docs is a REST route beside the mount' });
    const unmatched = await fetch(`${origin}/nope`);
    expect(unmatched.status).toBe(404);
    expect(unmatched.headers.get('x-mockstack-unmatched')).toBe('1');
  });

  it('answers paths below the mount from GraphQL, with its own errors', async () => {
    const below = await fetch(`${origin}/graphql/v2`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(below.status).toBe(404);
    expect(((await below.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(/no GraphQL endpoint at \/graphql\/v2/);
  });

  it('refuses malformed GraphQL with 400 and keeps serving both protocols', async () => {
    const bad = await fetch(`${origin}/graphql`, { method: 'POST', body: '{"query": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(/not valid JSON/);
    await expect(client.request('{ product(sku: "SKU-1") { nope } }')).rejects.toThrow(ClientError);
    expect(await client.request(STOCK, { sku: 'SKU-1' })).toMatchObject({ product: { sku: 'SKU-1' } });
    expect((await fetch(`${origin}/stock/SKU-1`)).status).toBe(200);
  });

  it('serves subscriptions over WebSocket (graphql-ws) through the REST port; other upgrades are refused', async () => {
    const ws = createClient({ url: `${origin.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    try {
      const events: unknown[] = [];
      for await (const result of ws.iterate({ query: 'subscription { stockChanged(sku: "SKU-1") { sku } }' })) events.push(result.data);
      expect(events).toEqual([{ stockChanged: { sku: expect.any(String) } }, { stockChanged: { sku: expect.any(String) } }]);
      expect(stack.requests({ operation: 'Subscription.stockChanged' }).map((e) => `${e.service} ${e.status}`)).toEqual(['catalog subscribed']);
    } finally {
      await ws.dispose();
    }
    // A handshake at a REST path: the socket is closed, and both protocols keep serving.
    const refused = new WebSocket(`${origin.replace(/^http/, 'ws')}/stock/SKU-1`, 'graphql-transport-ws');
    await expect(new Promise((done, fail) => refused.once('open', done).once('error', fail))).rejects.toThrow(/socket hang up/);
    expect(await client.request(STOCK, { sku: 'SKU-1' })).toMatchObject({ product: { sku: 'SKU-1' } });
    expect((await fetch(`${origin}/stock/SKU-1`)).status).toBe(200);
  });

  it('journals each request under the service that answered it', async () => {
    stack.reset();
    await client.request(STOCK, { sku: 'SKU-1' });
    await fetch(`${origin}/stock/SKU-1`);
    expect(stack.requests().map((e) => e.service)).toEqual(['catalog', 'orders']);
  });
});

describe('a shared port across reloads', () => {
  let dir: string;
  let running: RunningStack;
  const write = (route: string) =>
    writeFileSync(
      join(dir, 'scenario.ts'),
      `import { graphql, rest, scenario } from 'mockstack';
export default scenario('reloading', { seed: 1 }).services({
  api: rest({ port: 0 }, [rest.get('${route}', { ok: '${route}' })]),
  catalog: graphql({ schema: ${JSON.stringify(SCHEMA)}, on: 'api', path: '/gql' }, { Query: { product: { sku: 'S', name: 'fixed' } } }),
});
`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(root, 'test/.shared-port-'));
    write('/one');
    running = await runScenario(join(dir, 'scenario.ts'), { adminPort: false });
  });
  afterAll(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps GraphQL mounted when the host restarts for a new route', async () => {
    // A restart closes idle keep-alive sockets; no request here leaves one for the next to trip on.
    const gql = new GraphQLClient(running.stack.address('catalog').url, { headers: { connection: 'close' } });
    expect(await gql.request('{ product(sku: "S") { name } }')).toEqual({ product: { name: 'fixed' } });
    write('/two');
    await running.reload();
    const api = running.stack.address('api').url;
    expect(await (await fetch(`${api}/two`)).json()).toEqual({ ok: '/two' });
    expect(running.stack.address('catalog').url).toBe(`${api}/gql`);
    expect(await new GraphQLClient(`${api}/gql`).request('{ product(sku: "S") { name } }')).toEqual({ product: { name: 'fixed' } });
  });
});

describe('compile errors for a shared port', () => {
  const compileError = async (services: Record<string, ServiceOf<never>>): Promise<string> => {
    const error = await startStack(scenario<never>('bad-mount').services(services)).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'MOCKSTACK_ERR_SCENARIO_COMPILE' });
    return String((error as Error).message);
  };
  const api = rest({ port: 0 }, [rest.get('/ping', { ok: true })]);

  it('names an unknown host service and the nearest one', async () => {
    expect(await compileError({ api, catalog: graphql({ schema: SCHEMA, on: 'apu' }) })).toMatch(
      /service "catalog" \(on: "apu"\): the scenario has no service "apu" \(did you mean "api"\?\); services: api/,
    );
  });

  it('refuses a gRPC host, a port as well as a mount, and a mount on a mounted service', async () => {
    const payments = grpc({ port: 0, proto: resolve(root, 'protos/payments.proto') }, {});
    expect(await compileError({ payments, catalog: graphql({ schema: SCHEMA, on: 'payments' }) })).toMatch(
      /"payments" is a grpc service, which cannot share its port; name a REST or GraphQL service/,
    );
    expect(await compileError({ api, catalog: graphql({ schema: SCHEMA, on: 'api', port: 9999 }) })).toMatch(
      /service "catalog" \(on: "api"\) also has port 9999; a service served on another's port has none of its own/,
    );
    expect(await compileError({ api, one: graphql({ schema: SCHEMA, on: 'api' }), two: graphql({ schema: SCHEMA, on: 'one', path: '/two' }) })).toMatch(
      /"one" is itself served on "api"'s port; name "api"/,
    );
  });

  it('refuses a REST route the mount would hide, two mounts at one path, and a path with parameters', async () => {
    const hidden = rest({ port: 0 }, [rest.post('/graphql', fault.internal('never reached'))]);
    expect(await compileError({ api: hidden, catalog: graphql({ schema: SCHEMA, on: 'api' }) })).toMatch(
      /route POST \/graphql is hidden by service "catalog", served at \/graphql on this port; move one of them/,
    );
    expect(await compileError({ api, one: graphql({ schema: SCHEMA, on: 'api' }), two: graphql({ schema: SCHEMA, on: 'api' }) })).toMatch(
      /services "one" and "two" are both served at \/graphql on "api"'s port; give one another path/,
    );
    expect(await compileError({ api, catalog: graphql({ schema: SCHEMA, on: 'api', path: '/gql/:id' }) })).toMatch(
      /has path "\/gql\/:id"; use a plain path below the root/,
    );
  });
});
