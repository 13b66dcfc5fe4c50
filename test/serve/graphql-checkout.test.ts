import { resolve } from 'node:path';
import { compile, createStack, type Stack, scenarioDefinitionOf } from '@mockstack/core';
import { graphqlAdapter } from '@mockstack/graphql';
import { restAdapter } from '@mockstack/rest';
import { startStack } from '@mockstack/testing';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { ClientError, GraphQLClient } from 'graphql-request';
import { createClient } from 'graphql-ws';
import { scenario } from 'mockstack';
import WebSocket from 'ws';
import { catalog, catalogVariants } from '../../scenarios/checkout/catalog.js';
import { orders } from '../../scenarios/checkout/orders.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';

/** A GraphQL response body as the tests read it. */
interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors: { message: string; path?: unknown[]; locations?: unknown[]; extensions: Record<string, unknown> }[];
}
const bodyOf = (response: Response): Promise<GraphqlBody> => response.json() as Promise<GraphqlBody>;

// The example's orders (REST) and catalog (GraphQL) services on free ports, sharing one state.
const checkout = scenario<CheckoutState>('checkout-graphql', { seed: 42, state: seedState })
  .services({ orders: { ...orders, port: 0 }, catalog: { ...catalog, port: 0 } })
  .variants(catalogVariants);

const root = resolve(import.meta.dirname, '../..');
const tcpServers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
async function tcpServersSettle(expected: number): Promise<number> {
  for (let i = 0; i < 50 && tcpServers() > expected; i++) await new Promise((r) => setTimeout(r, 10));
  return tcpServers();
}

async function startCheckout(): Promise<{ stack: Stack; catalogUrl: string; ordersUrl: string }> {
  const definition = scenarioDefinitionOf(checkout);
  if (!definition) throw new Error('not a scenario');
  const model = await compile(definition, { adapters: [restAdapter, graphqlAdapter], file: resolve(root, 'scenarios/checkout.ts') });
  const stack = createStack(model, { adapters: [restAdapter, graphqlAdapter] });
  await stack.listen();
  return { stack, catalogUrl: stack.address('catalog').url, ordersUrl: stack.address('orders').url };
}

const PRODUCT = `query Product($sku: ID!) {
  product(sku: $sku) { sku name stock inStock price { amountCents formatted } category { slug } variants { sku color size } description rating url createdAt }
}`;

describe('checkout: catalog over GraphQL, orders over REST, one state', () => {
  let stack: Stack;
  let catalogUrl: string;
  let ordersUrl: string;
  let client: GraphQLClient;
  let tcpBefore: number;

  beforeAll(async () => {
    tcpBefore = tcpServers();
    ({ stack, catalogUrl, ordersUrl } = await startCheckout());
    client = new GraphQLClient(catalogUrl);
  });
  afterAll(async () => {
    await stack.close();
    // At most as many as before: a server of an earlier test file in this worker may close meanwhile.
    expect(await tcpServersSettle(tcpBefore)).toBeLessThanOrEqual(tcpBefore);
  });
  beforeEach(() => {
    stack.engine.reset();
    stack.engine.setVariants([]);
  });

  test('introspection gives the schema of schemas/catalog.graphql', async () => {
    const schema = buildClientSchema(await client.request<IntrospectionQuery>(getIntrospectionQuery()));
    expect(Object.keys(schema.getMutationType()?.getFields() ?? {})).toEqual(['addToCart', 'removeFromCart', 'placeOrder']);
  });

  test('products come from the shared state; what the scenario leaves out is auto-mocked', async () => {
    const { product } = await client.request<{ product: Record<string, unknown> }>(PRODUCT, { sku: 'SKU-TSHIRT-BLK-M' });
    expect(product).toMatchObject({
      sku: 'SKU-TSHIRT-BLK-M',
      stock: 12,
      inStock: true,
      price: { amountCents: 2400, formatted: '€24.00' },
      category: { slug: 'apparel' },
      variants: [{ sku: 'SKU-TSHIRT-BLK-M', color: 'Black', size: 'M' }],
    });
    expect(typeof product.description).toBe('string');
    expect(product.url).toMatch(/^https?:\/\//);
    expect(await client.request(PRODUCT, { sku: 'SKU-NOPE' })).toEqual({ product: null });
  });

  test('an order placed over REST reserves stock that GraphQL shows', async () => {
    const response = await fetch(`${ordersUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'cus_ada', lines: [{ sku: 'SKU-HOODIE-GRY-L', quantity: 4 }] }),
    });
    expect(response.status).toBe(201);
    const { product } = await client.request<{ product: { stock: number; inStock: boolean } }>(PRODUCT, { sku: 'SKU-HOODIE-GRY-L' });
    expect(product).toMatchObject({ stock: 0, inStock: false });
  });

  test('a stockChanged subscription (graphql-ws) gets the level, then the change an order placed over REST makes', async () => {
    const ws = createClient({ url: catalogUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const levels: unknown[] = [];
      const done = new Promise<void>((resolveDone, reject) => {
        const stop = ws.subscribe<{ stockChanged: unknown }>(
          { query: 'subscription { stockChanged(sku: "SKU-MUG-WHT") { sku stock inStock } }' },
          {
            next: (result) => {
              levels.push(result.data?.stockChanged);
              if (levels.length === 1) void placeMugOrder();
              if (levels.length === 2) stop();
            },
            error: reject,
            complete: resolveDone,
          },
        );
      });
      // Another SKU's change is not this subscription's.
      const placeMugOrder = async () => {
        for (const sku of ['SKU-HOODIE-GRY-L', 'SKU-MUG-WHT']) {
          const response = await fetch(`${ordersUrl}/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ customerId: 'cus_ada', lines: [{ sku, quantity: 2 }] }),
          });
          expect(response.status).toBe(201);
        }
      };
      await done;
      expect(levels).toEqual([
        { sku: 'SKU-MUG-WHT', stock: 30, inStock: true },
        { sku: 'SKU-MUG-WHT', stock: 28, inStock: true },
      ]);
    } finally {
      await ws.dispose();
    }
  });

  test('an order placed over GraphQL is visible over REST', async () => {
    const { addToCart } = await client.request<{ addToCart: { id: string; itemCount: number } }>(
      'mutation AddToCart($sku: ID!) { addToCart(sku: $sku, quantity: 2) { id itemCount total { formatted } } }',
      { sku: 'SKU-MUG-WHT' },
    );
    expect(addToCart.itemCount).toBe(2);
    const { placeOrder } = await client.request<{ placeOrder: { id: string } }>(
      'mutation Place($cart: ID!) { placeOrder(cartId: $cart, customerId: "cus_lin") { id status total { amountCents } } }',
      {
        cart: addToCart.id,
      },
    );
    const order = await (await fetch(`${ordersUrl}/orders/${placeOrder.id}`)).json();
    expect(order).toMatchObject({ id: placeOrder.id, customerId: 'cus_lin', totalCents: 3200, lines: [{ sku: 'SKU-MUG-WHT', quantity: 2 }] });
    expect((stack.engine.state as CheckoutState).stock.get('SKU-MUG-WHT')).toBe(28);
  });

  test('adding more than the stock is a field error with extensions.code and details', async () => {
    const error = await client.request('mutation { addToCart(sku: "SKU-BOTTLE-STL") { id } }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).response.errors?.[0]).toMatchObject({
      message: 'only 0 of SKU-BOTTLE-STL in stock',
      path: ['addToCart'],
      extensions: { code: 'FAILED_PRECONDITION', sku: 'SKU-BOTTLE-STL', available: 0 },
    });
  });

  test('search and pagination', async () => {
    const data = await client.request<{
      search: { __typename: string }[];
      products: { edges: unknown[]; pageInfo: { hasNextPage: boolean }; totalCount: number };
    }>(
      '{ search(text: "outdoor") { __typename ... on Category { slug } ... on Product { sku } } products(first: 2) { edges { node { sku } } pageInfo { hasNextPage endCursor } totalCount } }',
    );
    expect(data.search.map((s) => s.__typename)).toEqual(['Category']);
    expect(data.products.edges).toHaveLength(2);
    expect(data.products).toMatchObject({ pageInfo: { hasNextPage: true }, totalCount: 5 });
  });

  test('an operation rule answers a named query with given variables', async () => {
    const data = await client.request<{ cart: { itemCount: number } }>('query GetCart($id: ID!) { cart(id: $id) { id itemCount } }', { id: 'demo' });
    expect(data.cart).toEqual({ id: 'demo', itemCount: 2 });
    expect(stack.engine.journal.list({ service: 'catalog' }).map((e) => e.operation)).toEqual(['query GetCart']);
  });

  test('variants: the catalog down (503), or the AddToCart mutation unauthenticated (401)', async () => {
    stack.engine.setVariants(['catalog-down']);
    const down = await fetch(catalogUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ categories { slug } }' }),
    });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('30');
    expect((await bodyOf(down)).errors[0]?.extensions.code).toBe('UNAVAILABLE');

    stack.engine.setVariants(['catalog-logged-out']);
    const add = 'mutation AddToCart { addToCart(sku: "SKU-MUG-WHT") { id } }';
    const error = (await client.request(add).catch((e: unknown) => e)) as ClientError;
    expect(error.response.status).toBe(401);
    expect(await client.request('{ categories { slug } }')).toEqual({ categories: [{ slug: 'apparel' }, { slug: 'kitchen' }, { slug: 'outdoor' }] });
  });

  test('auto-mocked values are the same after a restart', async () => {
    const before = await client.request(PRODUCT, { sku: 'SKU-MUG-WHT' });
    const again = await startCheckout();
    try {
      expect(await new GraphQLClient(again.catalogUrl).request(PRODUCT, { sku: 'SKU-MUG-WHT' })).toEqual(before);
    } finally {
      await again.stack.close();
    }
  });
});

test('mockstack serves the example scenario with its catalog (through the runner)', async () => {
  const stack = await startStack(resolve(root, 'scenarios/checkout.ts'));
  try {
    const data = await new GraphQLClient(stack.url('catalog')).request<{ product: { name: string } }>('{ product(sku: "SKU-MUG-WHT") { name } }');
    expect(data.product.name).toBe('Stoneware Mug, White');
    expect(stack.requests({ service: 'catalog' })).toHaveLength(1);
  } finally {
    await stack.close();
  }
});
