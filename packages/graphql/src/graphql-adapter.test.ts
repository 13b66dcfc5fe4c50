import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, createStack, type JournalEntry, type ScenarioDefinition, type Stack, scenarioDefinitionOf } from '@mockstack/core';
import { fault, graphql, respond, type Scenario, scenario } from '@mockstack/dsl';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { graphqlAdapter } from './index.js';

/** A GraphQL response body as the tests read it. */
interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors: { message: string; path?: unknown[]; locations?: unknown[]; extensions: Record<string, unknown> }[];
}
const bodyOf = (response: Response): Promise<GraphqlBody> => response.json() as Promise<GraphqlBody>;

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const scenarioFile = join(fixtures, 'shop.scenario.ts');
const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
/** Closed servers release their handle a few ticks after `close()` resolves. */
async function serversSettle(expected: number): Promise<number> {
  for (let i = 0; i < 50 && servers() > expected; i++) await new Promise((r) => setTimeout(r, 10));
  return servers();
}

interface ShopState {
  stock: Map<string, number>;
  carts: Map<string, { id: string; lines: { sku: string; quantity: number }[] }>;
}

const shopState = (): ShopState => ({ stock: new Map([['SKU-1', 5]]), carts: new Map() });

/** A shop where only a few fields are written; everything else is auto-mocked. */
function shop(seed = 7) {
  return scenario<ShopState>('shop', { seed, state: shopState })
    .services({
      shop: graphql(
        { schema: 'shop.graphql', maxDepth: 6, maxFields: 200 },
        {
          Query: {
            product: (_, { sku }, { state }) =>
              state.stock.has(String(sku)) ? { sku, id: `p-${sku}`, name: 'Stoneware Mug' } : fault.notFound(`no product ${sku}`),
            greeting: (_, { name }, { headers }) => {
              if (name === 'boom') throw new Error('the greeting machine broke');
              return `hello ${name ?? headers['x-user'] ?? 'stranger'}`;
            },
            cart: (_, { id }, { state }) => state.carts.get(String(id)) ?? null,
          },
          Product: { stock: (parent, _args, { state }) => state.stock.get(String((parent as { sku: string }).sku)) ?? 0 },
          Mutation: {
            addToCart: (_, args, { state }) => {
              const { cartId, sku, quantity } = args as { cartId: string; sku: string; quantity: number };
              const left = state.stock.get(sku) ?? 0;
              if (quantity > left) return fault.failedPrecondition(`only ${left} of ${sku} left`, { details: { available: left } });
              state.stock.set(sku, left - quantity);
              const cart = state.carts.get(cartId) ?? { id: cartId, lines: [] };
              cart.lines.push({ sku, quantity });
              state.carts.set(cartId, cart);
              return cart;
            },
          },
          CartLine: { product: (line) => ({ sku: (line as { sku: string }).sku, id: `p-${(line as { sku: string }).sku}` }) },
        },
        [
          graphql.query('GetCart', { match: { variables: { id: 'vip' } } }, { cart: { id: 'vip', lines: [], totalCents: 0 } }),
          graphql.query('Secret', fault.unauthenticated('log in first')),
          graphql.query('Busy', fault.rateLimited({ retryAfter: 30 })),
          graphql.query('Exact', respond({ errors: [{ message: 'custom' }] })),
          graphql.field('Query.me', fault.http(500)),
        ],
      ),
    })
    .variants({
      'shop-down': { shop: fault.unavailable('shop is down') },
      'no-stock': { shop: [graphql.field('Product.stock', () => 0)] },
      'shop-slow': { shop: { delay: '60s' } },
    });
}

async function start(def: Scenario<ShopState>, variants: string[] = []) {
  const definition = scenarioDefinitionOf(def) as ScenarioDefinition;
  const model = await compile(definition, { adapters: [graphqlAdapter], file: scenarioFile });
  const stack = createStack(model, { adapters: [graphqlAdapter], variants });
  const [address] = await stack.listen();
  const url = address?.url ?? '';
  return { stack, url, client: new GraphQLClient(url) };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const PRODUCTS = gql`
  query Products($first: Int) {
    products(first: $first) {
      id
      sku
      name
      description
      priceCents
      price
      stock
      rating
      reviewCount
      createdAt
      imageUrl
      tags
      attributes
      reviews(first: 3) {
        id
        stars
        author {
          name
          email
          avatarUrl
        }
      }
    }
  }
`;

describe('graphql adapter', () => {
  let stack: Stack;
  let url: string;
  let client: GraphQLClient;
  let before: number;

  beforeAll(async () => {
    before = servers();
    ({ stack, url, client } = await start(shop()));
  });
  afterAll(async () => {
    await stack.close();
    // At most as many as before: a server of an earlier test file in this worker may close meanwhile.
    expect(await serversSettle(before)).toBeLessThanOrEqual(before);
  });
  beforeEach(() => {
    stack.engine.reset();
    stack.engine.setVariants([]);
  });

  test('introspection works, so clients and codegen can load the schema', async () => {
    const data = await client.request<IntrospectionQuery>(getIntrospectionQuery());
    const schema = buildClientSchema(data);
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).toContain('product');
    expect(schema.getType('SearchResult')).toBeDefined();
  });

  test('auto-mocks look real: names, emails, urls, dates, prices and counts ≥ 0, lists sized by `first`', async () => {
    const { products } = await client.request<{ products: Record<string, unknown>[] }>(PRODUCTS, { first: 3 });
    expect(products).toHaveLength(3);
    for (const p of products) {
      expect(typeof p.name).toBe('string');
      expect(p.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      expect(p.imageUrl).toMatch(/^https?:\/\//);
      expect(p.priceCents).toBeGreaterThanOrEqual(0);
      expect(p.reviewCount).toBeGreaterThanOrEqual(0);
      expect(typeof p.price).toBe('string');
      expect(p.reviews).toHaveLength(3);
      for (const review of p.reviews as { author: { email: string; avatarUrl: string } }[]) {
        expect(review.author.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
        expect(review.author.avatarUrl).toMatch(/^https?:\/\//);
      }
    }
    expect(new Set(products.map((p) => p.id)).size).toBe(3);
  });

  test('connection lists follow `first` on the connection field', async () => {
    const data = await client.request<{ productPage: { edges: unknown[] } }>('{ productPage(first: 4) { totalCount edges { cursor node { sku } } } }');
    expect(data.productPage.edges).toHaveLength(4);
  });

  test('unions and interfaces resolve to concrete types with __typename', async () => {
    const data = await client.request<{ search: { __typename: string }[]; node: { __typename: string } }>(
      '{ search(text: "mug", limit: 6) { __typename ... on Product { sku } ... on User { email } } node(id: "x") { __typename id } }',
    );
    expect(data.search).toHaveLength(6);
    for (const hit of data.search) expect(['Product', 'User']).toContain(hit.__typename);
    expect(['Product', 'Review', 'User']).toContain(data.node.__typename);
  });

  test('the same query gives the same answer, across requests and across a restart', async () => {
    const first = await client.request(PRODUCTS, { first: 2 });
    expect(await client.request(PRODUCTS, { first: 2 })).toEqual(first);
    const restarted = await start(shop());
    try {
      expect(await restarted.client.request(PRODUCTS, { first: 2 })).toEqual(first);
      // Asked in another order after a restart: still the same values.
      await restarted.client.request('{ search(text: "x") { __typename } }');
      expect(await restarted.client.request(PRODUCTS, { first: 2 })).toEqual(first);
    } finally {
      await restarted.stack.close();
    }
    const reseeded = await start(shop(8));
    try {
      expect(await reseeded.client.request(PRODUCTS, { first: 2 })).not.toEqual(first);
    } finally {
      await reseeded.stack.close();
    }
  });

  test('scenario resolvers win: args, headers and state; fields they leave out are auto-mocked', async () => {
    const data = await client.request<{ product: Record<string, unknown>; greeting: string }>(
      '{ product(sku: "SKU-1") { sku name stock description createdAt } greeting }',
      {},
      { 'x-user': 'ada' },
    );
    expect(data.product).toMatchObject({ sku: 'SKU-1', name: 'Stoneware Mug', stock: 5 });
    expect(typeof data.product.description).toBe('string');
    expect(data.greeting).toBe('hello ada');
  });

  test('a mutation changes the shared state; the next query sees it', async () => {
    const ADD = 'mutation Add($sku: ID!) { addToCart(cartId: "c1", sku: $sku, quantity: 2) { id lines { sku quantity product { sku stock } } } }';
    const added = await client.request<{ addToCart: { lines: { product: { stock: number } }[] } }>(ADD, { sku: 'SKU-1' });
    expect(added.addToCart.lines[0]?.product.stock).toBe(3);
    const { cart } = await client.request<{ cart: { lines: unknown[] } }>('{ cart(id: "c1") { id lines { sku quantity } } }');
    expect(cart.lines).toEqual([{ sku: 'SKU-1', quantity: 2 }]);
    expect((stack.engine.state as ShopState).stock.get('SKU-1')).toBe(3);
  });

  test('operation rules match by name and variables, like MSW; others fall through to the schema', async () => {
    const GET_CART = 'query GetCart($id: ID!) { cart(id: $id) { id totalCents } }';
    expect(await client.request(GET_CART, { id: 'vip' })).toEqual({ cart: { id: 'vip', totalCents: 0 } });
    expect(await client.request(GET_CART, { id: 'nobody' })).toEqual({ cart: null });
    const journal = stack.engine.journal.list();
    expect(journal.map((e) => e.operation)).toEqual(['query GetCart', 'query GetCart']);
    expect(journal[0]?.rule).toBe('shop#7');
    await client.request('{ greeting }');
    expect(stack.engine.journal.list().at(-1)?.operation).toBe('query (anonymous)');
  });

  test('one journal entry per HTTP request, whatever the number of fields resolved', async () => {
    await client.request('query Two { product(sku: "SKU-1") { stock } greeting }');
    const entries = stack.engine.journal.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ protocol: 'graphql', service: 'shop', operation: 'query Two', status: 200 });
  });

  test('a field fault is a GraphQL error with path and extensions.code; the rest of the data stays', async () => {
    const response = await post(url, { query: '{ product(sku: "NOPE") { sku } greeting }' });
    expect(response.status).toBe(200);
    const body = await bodyOf(response);
    expect(body.data).toEqual({ product: null, greeting: 'hello stranger' });
    expect(body.errors).toEqual([expect.objectContaining({ message: 'no product NOPE', path: ['product'], extensions: { code: 'NOT_FOUND' } })]);
    const failed = await post(url, { query: 'mutation { addToCart(cartId: "c", sku: "SKU-1", quantity: 50) { id } }' });
    expect((await bodyOf(failed)).errors[0]).toMatchObject({ path: ['addToCart'], extensions: { code: 'FAILED_PRECONDITION', available: 5 } });
    expect(stack.engine.journal.list().at(-1)).toMatchObject({ status: 200, code: 'FAILED_PRECONDITION' });
  });

  test('HTTP-level failures: 401 and 429 from operation rules, 500 from a field, 503 from a variant', async () => {
    const secret = await post(url, { query: 'query Secret { greeting }' });
    expect(secret.status).toBe(401);
    expect((await bodyOf(secret)).errors[0]).toMatchObject({ message: 'log in first', extensions: { code: 'UNAUTHENTICATED' } });
    const busy = await post(url, { query: 'query Busy { greeting }' });
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('30');
    await busy.body?.cancel();
    const me = await post(url, { query: '{ me { name } }' });
    expect(me.status).toBe(500);
    await me.body?.cancel();
    await expect(client.request('{ me { name } }')).rejects.toBeInstanceOf(ClientError);

    stack.engine.setVariants(['shop-down']);
    const down = await post(url, { query: '{ greeting }' });
    expect(down.status).toBe(503);
    expect((await bodyOf(down)).errors[0]).toMatchObject({ message: 'shop is down', extensions: { code: 'UNAVAILABLE' } });
    stack.engine.setVariants([]);
    expect(await client.request('{ greeting }')).toEqual({ greeting: 'hello stranger' });
  });

  test("a variant's delay holds the whole request; a client that gives up is journaled as 499", async () => {
    stack.engine.setVariants(['shop-slow']);
    const controller = new AbortController();
    const aborted = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Slow { greeting }' }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    // Without the delay it would have answered long before this.
    setTimeout(() => controller.abort(), 200);
    expect(await aborted).toMatchObject({ name: 'AbortError' });
    let entry: JournalEntry | undefined;
    for (let i = 0; i < 100 && !entry; i++) {
      entry = stack.engine.journal.list({ operation: 'query Slow' })[0];
      if (!entry) await new Promise((r) => setTimeout(r, 20));
    }
    expect(entry).toMatchObject({ status: 499, operation: 'query Slow' });
    stack.engine.setVariants([]);
  });

  test("a variant's field rule wins over the scenario's resolver", async () => {
    stack.engine.setVariants(['no-stock']);
    expect(await client.request('{ product(sku: "SKU-1") { stock } }')).toEqual({ product: { stock: 0 } });
  });

  test('an operation rule may answer the exact HTTP body', async () => {
    const response = await post(url, { query: 'query Exact { greeting }' });
    expect(await bodyOf(response)).toEqual({ errors: [{ message: 'custom' }] });
  });

  test('GET works for queries; a mutation over GET is refused with 405', async () => {
    const response = await fetch(
      `${url}?query=${encodeURIComponent('query Hi($n: String) { greeting(name: $n) }')}&variables=${encodeURIComponent('{"n":"get"}')}`,
    );
    expect(await bodyOf(response)).toEqual({ data: { greeting: 'hello get' } });
    const mutation = await fetch(`${url}?query=${encodeURIComponent('mutation { addToCart(cartId: "c", sku: "SKU-1", quantity: 1) { id } }')}`);
    expect(mutation.status).toBe(405);
    await mutation.body?.cancel();
  });

  describe('bad input: a clear error, and the server keeps serving', () => {
    const stillServes = async () => expect(await client.request('{ greeting(name: "again") }')).toEqual({ greeting: 'hello again' });

    test('a query that does not parse: 400 with errors', async () => {
      const response = await post(url, { query: '{ greeting ' });
      expect(response.status).toBe(400);
      expect((await bodyOf(response)).errors[0]).toMatchObject({ message: expect.stringContaining('Syntax Error'), locations: [{ line: 1, column: 12 }] });
      await stillServes();
    });

    test('a query that does not validate: 400 naming the field', async () => {
      const response = await post(url, { query: '{ product(sku: "SKU-1") { colour } }' });
      expect(response.status).toBe(400);
      expect((await bodyOf(response)).errors[0]?.message).toMatch(/Cannot query field "colour" on type "Product"/);
      await stillServes();
    });

    test('variables of the wrong type, or not an object: 400', async () => {
      const wrong = await post(url, { query: 'query Q($sku: ID!) { product(sku: $sku) { sku } }', variables: { sku: { no: 1 } } });
      expect(wrong.status).toBe(400);
      expect((await bodyOf(wrong)).errors[0]?.message).toMatch(/Variable "\$sku"/);
      const notObject = await post(url, { query: '{ greeting }', variables: [1] });
      expect(notObject.status).toBe(400);
      expect((await bodyOf(notObject)).errors[0]?.message).toMatch(/variables must be a JSON object/);
      const notJson = await fetch(`${url}?query=${encodeURIComponent('{ greeting }')}&variables=%7Bnope`);
      expect(notJson.status).toBe(400);
      await notJson.body?.cancel();
      await stillServes();
    });

    test('a body that is not JSON, or has no query: 400', async () => {
      const response = await post(url, '{"query": ');
      expect(response.status).toBe(400);
      expect((await bodyOf(response)).errors[0]?.message).toMatch(/not valid JSON/);
      const empty = await post(url, {});
      expect(empty.status).toBe(400);
      expect((await bodyOf(empty)).errors[0]?.message).toMatch(/no query/);
      await stillServes();
      expect(stack.engine.journal.list().map((e) => e.status)).toEqual([400, 400, 200]);
    });

    test('a resolver that throws: a GraphQL error with its message', async () => {
      const response = await post(url, { query: '{ greeting(name: "boom") }' });
      const body = await bodyOf(response);
      expect(body.errors[0]).toMatchObject({ path: ['greeting'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(body.errors[0]?.message).toMatch(/the greeting machine broke/);
      await stillServes();
    });

    test('a query nested too deep or too large is refused, naming the limit', async () => {
      const deep = await post(url, { query: '{ deep { next { next { next { next { next { next { name } } } } } } } }' });
      expect(deep.status).toBe(400);
      expect((await bodyOf(deep)).errors[0]).toMatchObject({
        message: expect.stringMatching(/deeper than 6 levels.*maxDepth/),
        extensions: { code: 'QUERY_TOO_DEEP' },
      });
      const aliases = Array.from({ length: 201 }, (_, i) => `a${i}: greeting`).join(' ');
      const large = await post(url, { query: `{ ${aliases} }` });
      expect(large.status).toBe(400);
      expect((await bodyOf(large)).errors[0]?.extensions.code).toBe('QUERY_TOO_LARGE');
      // Introspection is not counted, however deep it nests.
      await client.request(getIntrospectionQuery());
      await stillServes();
    });
  });
});

test('mocks override the auto-mocks per scalar, object type and field; list length is configurable', async () => {
  const mocked = scenario<ShopState>('mocked', { state: shopState }).services({
    shop: graphql<ShopState>({
      schema: 'shop.graphql',
      listLength: 1,
      mocks: {
        DateTime: () => '2030-01-01T00:00:00.000Z',
        Money: ({ random }) => `€${(random() * 100).toFixed(2)}`,
        Product: { name: 'Always the same mug', reviewCount: () => 42 },
        User: () => ({ name: 'Ada Lovelace', email: 'ada@example.com' }),
      },
    }),
  });
  const { stack, client } = await start(mocked);
  try {
    const data = await client.request<{ products: Record<string, unknown>[]; me: Record<string, unknown> }>(
      '{ products { name reviewCount createdAt price tags } me { name email createdAt } }',
    );
    expect(data.products).toHaveLength(1);
    expect(data.products[0]).toMatchObject({ name: 'Always the same mug', reviewCount: 42, createdAt: '2030-01-01T00:00:00.000Z' });
    expect(data.products[0]?.price).toMatch(/^€\d+\.\d\d$/);
    expect(data.products[0]?.tags).toHaveLength(1);
    expect(data.me).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', createdAt: '2030-01-01T00:00:00.000Z' });
  } finally {
    await stack.close();
  }
});

test('a POST with Content-Type application/graphql carries the query text', async () => {
  const { stack, url } = await start(shop());
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/graphql' }, body: '{ greeting(name: "sdl") }' });
    expect(await bodyOf(response)).toEqual({ data: { greeting: 'hello sdl' } });
  } finally {
    await stack.close();
  }
});

test('a body above bodyLimit gets 413 with GraphQL errors, and the service keeps serving', async () => {
  const small = scenario<ShopState>('small', { state: shopState }).services({
    shop: graphql<ShopState>({ schema: 'shop.graphql', bodyLimit: 200 }, { Query: { greeting: () => 'hi' } }),
  });
  const { stack, url, client } = await start(small);
  try {
    const response = await post(url, { query: `{ greeting }${' '.repeat(300)}` });
    expect(response.status).toBe(413);
    expect((await bodyOf(response)).errors[0]).toMatchObject({
      message: expect.stringMatching(/limit of 200 bytes.*bodyLimit/),
      extensions: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(await client.request('{ greeting }')).toEqual({ greeting: 'hi' });
    expect(stack.engine.journal.list().map((e) => e.status)).toEqual([413, 200]);
  } finally {
    await stack.close();
  }
});

test('a reloaded scenario keeps serving on the same port with the same auto-mocked values', async () => {
  const first = await start(shop());
  try {
    const query = '{ products(first: 2) { id name createdAt reviews(first: 1) { author { email } } } }';
    const before = await first.client.request(query);
    const port = first.stack.address('shop').port;
    const reload = async (def: Scenario<ShopState>) =>
      first.stack.reload(await compile(scenarioDefinitionOf(def) as ScenarioDefinition, { adapters: [graphqlAdapter], file: scenarioFile }));

    await reload(shop());
    expect(await first.client.request(query)).toEqual(before);

    // Other resolvers: the new ones answer, the port and the auto-mocks stay.
    await reload(
      scenario<ShopState>('shop', { seed: 7, state: shopState }).services({
        shop: graphql<ShopState>({ schema: 'shop.graphql' }, { Query: { greeting: () => 'reloaded' } }),
      }),
    );
    expect(first.stack.address('shop').port).toBe(port);
    // The server was replaced: a pooled keep-alive socket to the old one may be gone; clients retry.
    const greeting = await first.client.request('{ greeting }').catch(() => first.client.request('{ greeting }'));
    expect(greeting).toEqual({ greeting: 'reloaded' });
    expect(await first.client.request(query)).toEqual(before);
  } finally {
    await first.stack.close();
  }
});

test("a service's rate limit counts HTTP requests, not the fields resolved in them", async () => {
  const limited = scenario<ShopState>('limited', { state: shopState }).services({
    shop: graphql<ShopState>(
      { schema: 'shop.graphql', rateLimit: { limit: 2, window: '60s' } },
      { Query: { greeting: () => 'hi', product: (_, { sku }) => ({ sku, id: String(sku) }) }, Product: { stock: () => 1 } },
    ),
  });
  const { stack, url, client } = await start(limited);
  try {
    // Four rule-backed fields in one request: one call against the limit.
    const many = '{ a: greeting b: greeting p: product(sku: "1") { stock } q: product(sku: "2") { stock } }';
    expect(await client.request(many)).toEqual({ a: 'hi', b: 'hi', p: { stock: 1 }, q: { stock: 1 } });
    expect(await client.request(many)).toMatchObject({ a: 'hi' });
    const third = await post(url, { query: many });
    expect(third.status).toBe(429);
    expect((await bodyOf(third)).errors[0]?.extensions.code).toBe('RESOURCE_EXHAUSTED');
  } finally {
    await stack.close();
  }
});

describe('graphql adapter: compile-time checks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mockstack-graphql-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const compileWith = (service: ReturnType<typeof graphql>) =>
    compile(scenarioDefinitionOf(scenario('bad').services({ api: service })) as ScenarioDefinition, { adapters: [graphqlAdapter], file: join(dir, 'x.ts') });

  test('an SDL syntax error names the file and line', async () => {
    writeFileSync(join(dir, 'broken.graphql'), 'type Query {\n  a: String\n  b: \n}\n');
    await expect(compileWith(graphql({ schema: 'broken.graphql' }))).rejects.toThrow(/broken\.graphql:4:1: GraphQL schema of service "api": Syntax Error/);
  });

  test('an unknown type in the SDL names the file and line', async () => {
    writeFileSync(join(dir, 'unknown.graphql'), 'type Query {\n  a: Missing\n}\n');
    await expect(compileWith(graphql({ schema: 'unknown.graphql' }))).rejects.toThrow(/unknown\.graphql:2:6: .*Unknown type "Missing"/);
  });

  test('a resolver for an unknown type or field names it and lists what exists', async () => {
    writeFileSync(join(dir, 'ok.graphql'), 'type Query { product: Product }\ntype Product { sku: ID! name: String }\n');
    await expect(compileWith(graphql({ schema: 'ok.graphql' }, { Produkt: { name: () => 'x' } }))).rejects.toThrow(
      /no object type "Produkt"; object types: Query, Product/,
    );
    await expect(compileWith(graphql({ schema: 'ok.graphql' }, { Product: { title: () => 'x' } }))).rejects.toThrow(
      /type Product has no field "title"; its fields: sku, name/,
    );
  });

  test('a missing schema file says where it looked', async () => {
    await expect(compileWith(graphql({ schema: 'nope.graphql' }))).rejects.toThrow(/cannot read schema .*nope\.graphql \(ENOENT\)/);
  });

  test('SDL written in the scenario (as graphql-tools typeDefs) is served, alone or beside a file', async () => {
    writeFileSync(join(dir, 'base.graphql'), 'type Query { a: String }\n');
    const typeDefs = /* GraphQL */ `
      extend type Query { product(id: ID!): Product }
      type Product { id: ID! name: String! }
    `;
    const model = await compileWith(
      graphql({ schema: ['base.graphql', typeDefs] }, { Query: { product: (_parent, args) => ({ id: args.id, name: `product ${String(args.id)}` }) } }),
    );
    const stack = createStack(model, { adapters: [graphqlAdapter] });
    const [address] = await stack.listen();
    try {
      const data = await new GraphQLClient(address?.url ?? '').request<{ a: string; product: { id: string; name: string } }>(
        '{ a product(id: "p1") { id name } }',
      );
      expect(typeof data.a).toBe('string');
      expect(data.product).toEqual({ id: 'p1', name: 'product p1' });
    } finally {
      await stack.close();
    }
    const alone = await compileWith(graphql({ schema: 'type Query { hello: String! }' }, { Query: { hello: () => 'hi' } }));
    const only = createStack(alone, { adapters: [graphqlAdapter] });
    const [at] = await only.listen();
    try {
      await expect(new GraphQLClient(at?.url ?? '').request('{ hello }')).resolves.toEqual({ hello: 'hi' });
    } finally {
      await only.close();
    }
  });

  test('a problem in inline SDL names the service, the scenario and the line in the SDL', async () => {
    await expect(compileWith(graphql({ schema: 'type Query {\n  a: Missing\n}' }))).rejects.toThrow(
      /inline schema of service "api" in .*x\.ts, line 2:6: .*Unknown type "Missing"/,
    );
  });

  test('several files are merged', async () => {
    writeFileSync(join(dir, 'a.graphql'), 'type Query { a: String }\n');
    writeFileSync(join(dir, 'b.graphql'), 'extend type Query { b: Int }\n');
    // The same type in two files (no `extend`) is merged too.
    writeFileSync(join(dir, 'c.graphql'), 'type Query { c: Boolean }\n');
    const model = await compileWith(graphql({ schema: ['a.graphql', 'b.graphql', 'c.graphql'] }));
    const stack = createStack(model, { adapters: [graphqlAdapter] });
    const [address] = await stack.listen();
    try {
      const data = await new GraphQLClient(address?.url ?? '').request<{ a: string; b: number; c: boolean }>('{ a b c }');
      expect(typeof data.a).toBe('string');
      expect(typeof data.b).toBe('number');
      expect(typeof data.c).toBe('boolean');
    } finally {
      await stack.close();
    }
  });
});
