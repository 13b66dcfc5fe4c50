/**
 * GraphQL over HTTP as real clients send it beyond one plain POST: automatic persisted queries (Apollo
 * Client's PersistedQueryLink, over POST and over GET), batches (Apollo Client's BatchHttpLink) and
 * @defer/@stream (Apollo Client's incremental handler), with their bad inputs, on the example's catalog.
 */
import { createHash } from 'node:crypto';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { BatchHttpLink } from '@apollo/client/link/batch-http';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { startStack, type TestStack } from '@mockstack/testing';
import { fault, scenario } from 'mockstack';
import { catalog } from '../../scenarios/checkout/catalog.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';

const checkout = scenario<CheckoutState>('graphql-clients', { seed: 42, state: seedState })
  .services({ catalog: { ...catalog, port: 0 } })
  .variants({ 'catalog-down': { catalog: fault.unavailable('the catalog is down', { retryAfter: 30 }) } });

let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startStack(checkout);
  url = stack.url('catalog');
});

afterEach(() => {
  stack.variant();
});

afterAll(async () => {
  await stack.close();
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(body: unknown): Promise<{ status: number; body: GraphqlBody }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as GraphqlBody };
}

/** The requests the catalog service journaled since `from`, with what each carried. */
function journaled(from: number) {
  return stack.requests({ service: 'catalog' }).slice(from);
}

describe('automatic persisted queries', () => {
  test.each([
    ['POST', false],
    ['GET', true],
  ])("Apollo's PersistedQueryLink over %s: the hash alone, the query once after PersistedQueryNotFound, then the hash alone", async (_method, useGet) => {
    const query = gql`
      query Categories${useGet ? 'Get' : 'Post'} {
        categories {
          slug
        }
      }
    `;
    const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: useGet }).concat(new HttpLink({ uri: url }));
    const apollo = new ApolloClient({ link, cache: new InMemoryCache() });
    try {
      const from = stack.requests({ service: 'catalog' }).length;
      for (let i = 0; i < 2; i++) {
        const { data, error } = await apollo.query<{ categories: { slug: string }[] }>({ query, fetchPolicy: 'network-only' });
        expect(error).toBeUndefined();
        expect(data?.categories.map((c) => c.slug)).toEqual(['apparel', 'kitchen', 'outdoor']);
      }
      // hash alone (not found: no operation), hash + query (registered, answered), hash alone (answered from the registered text)
      const requests = journaled(from);
      expect(requests.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(requests.map((r) => r.operation)).toEqual([
        '(invalid)',
        `query Categories${useGet ? 'Get' : 'Post'}`,
        `query Categories${useGet ? 'Get' : 'Post'}`,
      ]);
    } finally {
      apollo.stop();
    }
  });

  test('bad persisted-query requests get clear errors, and serving continues', async () => {
    const query = '{ categories { name } }';
    const unknown = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ never sent }') } } });
    expect(unknown).toEqual({
      status: 200,
      body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
    });
    const mismatch = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ something else }') } } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0]?.message).toMatch(/^provided sha does not match query: the query's SHA-256 is [0-9a-f]{64}/);
    // The mismatched query was not registered under that hash
    expect((await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ something else }') } } })).body.errors?.[0]?.message).toBe(
      'PersistedQueryNotFound',
    );
    const version = await post({ query, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } });
    expect(version.status).toBe(400);
    expect(version.body.errors?.[0]?.message).toMatch(/unsupported persisted query version 2; this mock serves version 1/);
    const notHex = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } });
    expect(notHex.status).toBe(400);
    expect(notHex.body.errors?.[0]?.message).toMatch(/sha256Hash must be the SHA-256 of the query as 64 hex digits/);
    // Other extensions are no persisted query: the request is served as usual
    expect(await post({ query, extensions: { tracing: true } })).toEqual({
      status: 200,
      body: { data: { categories: [{ name: 'Apparel' }, { name: 'Kitchen' }, { name: 'Outdoor' }] } },
    });
  });
});

describe('variables that do not fit the operation', () => {
  test("a missing or mistyped variable is a 400 request error coded BAD_USER_INPUT (as Apollo Server codes it, for clients' error links); serving continues", async () => {
    const query = 'query Page($first: Int, $text: String!) { products(first: $first) { edges { node { sku } } } search(text: $text) { __typename } }';
    const mistyped = await post({ query, variables: { first: 'ten', text: 'mug' } });
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.data).toBeUndefined();
    expect(mistyped.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^Variable "\$first" got invalid value "ten"/), extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
    const missing = await post({ query, variables: { first: 2 } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ message: 'Variable "$text" of required type "String!" was not provided.', extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
    const served = await post({ query, variables: { first: 2, text: 'mug' } });
    expect(served.status).toBe(200);
    expect(served.body.errors).toBeUndefined();
  });
});

describe('batched operations (a JSON array)', () => {
  test("Apollo's BatchHttpLink: operations sent together are each answered, in one request, and journaled one by one", async () => {
    let posts = 0;
    const counted: typeof fetch = (input, init) => {
      posts++;
      return fetch(input, init);
    };
    const apollo = new ApolloClient({ link: new BatchHttpLink({ uri: url, batchMax: 10, batchInterval: 20, fetch: counted }), cache: new InMemoryCache() });
    try {
      const from = stack.requests({ service: 'catalog' }).length;
      const [categories, product, cart] = await Promise.all([
        apollo.query<{ categories: { slug: string }[] }>({ query: gql`query BatchCategories { categories { slug } }` }),
        apollo.query<{ product: { sku: string; name: string } | null }>({
          query: gql`query BatchProduct($sku: ID!) { product(sku: $sku) { sku name } }`,
          variables: { sku: 'SKU-MUG-WHT' },
        }),
        apollo.mutate<{ addToCart: { id: string } }>({ mutation: gql`mutation BatchAdd { addToCart(sku: "SKU-MUG-WHT", quantity: 1) { id } }` }),
      ]);
      expect(categories.data?.categories.map((c) => c.slug)).toEqual(['apparel', 'kitchen', 'outdoor']);
      expect(product.data?.product).toMatchObject({ sku: 'SKU-MUG-WHT' });
      expect(cart.data?.addToCart.id).toMatch(/^cart_/);
      expect(posts).toBe(1);
      const requests = journaled(from);
      expect(requests.map((r) => r.operation).sort()).toEqual(['mutation BatchAdd', 'query BatchCategories', 'query BatchProduct']);
      expect(requests.every((r) => r.status === 200)).toBe(true);
    } finally {
      apollo.stop();
    }
  });

  test('each operation gets its own result: data for one, errors for another, in the order sent', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { query: '{ categories { slug } }' },
        { query: '{ nope }' },
        { query: 'query A { categories { slug } } query B { categories { name } }' },
        42,
      ]),
    });
    expect(response.status).toBe(200);
    const results = (await response.json()) as GraphqlBody[];
    expect(results).toHaveLength(4);
    expect(results[0]).toEqual({ data: { categories: [{ slug: 'apparel' }, { slug: 'kitchen' }, { slug: 'outdoor' }] } });
    expect(results[1]?.errors?.[0]?.message).toBe('Cannot query field "nope" on type "Query".');
    expect(results[2]?.errors?.[0]?.message).toMatch(/the document has 2 operations \(A, B\); say which with operationName/);
    expect(results[3]?.errors?.[0]?.message).toMatch(/the request has no query/);
  });

  test('an empty batch, and one too large, are refused with why; a variant that takes the service down answers every operation', async () => {
    const send = (body: unknown) => post(body);
    const empty = await send([]);
    expect(empty.status).toBe(400);
    expect(empty.body.errors?.[0]?.message).toBe('the batch is empty; send one or more operations');
    const large = await send(Array.from({ length: 101 }, () => ({ query: '{ categories { slug } }' })));
    expect(large.status).toBe(400);
    expect(large.body.errors?.[0]?.message).toBe('a batch of 101 operations; this mock takes up to 100 per request');
    stack.variant('catalog-down');
    const down = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ categories { slug } }' }, { query: '{ cart(id: "x") { id } }' }]),
    });
    expect(down.status).toBe(503);
    expect(((await down.json()) as GraphqlBody[]).map((r) => r.errors?.[0]?.message)).toEqual(['the catalog is down', 'the catalog is down']);
    stack.variant();
    expect((await send([{ query: '{ categories { slug } }' }])).body).toEqual([
      { data: { categories: [{ slug: 'apparel' }, { slug: 'kitchen' }, { slug: 'outdoor' }] } },
    ]);
  });
});

describe('incremental delivery directives (@defer, @stream)', () => {
  test("Apollo Client's @defer, with its incremental handler, gets the deferred fields with the rest of the result", async () => {
    const apollo = new ApolloClient({ link: new HttpLink({ uri: url }), cache: new InMemoryCache(), incrementalHandler: new Defer20220824Handler() });
    try {
      const { data, error } = await apollo.query<{ product: { sku: string; name: string; stock: number } | null }>({
        query: gql`
          query DeferredStock {
            product(sku: "SKU-MUG-WHT") {
              sku
              ... @defer(label: "stock") {
                name
                stock
              }
            }
          }
        `,
      });
      expect(error).toBeUndefined();
      expect(data?.product).toEqual({ __typename: 'Product', sku: 'SKU-MUG-WHT', name: expect.any(String), stock: expect.any(Number) });
    } finally {
      apollo.stop();
    }
  });

  test('@stream and @defer on a fragment spread are answered whole; one in the wrong place is a validation error, and serving continues', async () => {
    const streamed = await post({
      query: 'query { categories @stream(initialCount: 1) { slug } ...Rest @defer(if: true) } fragment Rest on Query { cart(id: "x") { id } }',
    });
    expect(streamed.status).toBe(200);
    expect(streamed.body.data?.categories).toEqual([{ slug: 'apparel' }, { slug: 'kitchen' }, { slug: 'outdoor' }]);
    const misplaced = await post({ query: '{ categories @defer { slug } }' });
    expect(misplaced.status).toBe(400);
    expect(misplaced.body.errors?.[0]?.message).toBe('Directive "@defer" may not be used on FIELD.');
    expect((await post({ query: '{ categories { slug } }' })).body.data?.categories).toHaveLength(3);
  });
});
