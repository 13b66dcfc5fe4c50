/**
 * GraphQL over HTTP as real clients send it beyond one plain POST: automatic persisted queries (Apollo
 * Client's PersistedQueryLink, over POST and over GET) and their bad inputs, on the example's catalog.
 */
import { createHash } from 'node:crypto';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { startStack, type TestStack } from '@mockstack/testing';
import { scenario } from 'mockstack';
import { catalog } from '../../scenarios/checkout/catalog.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';

const checkout = scenario<CheckoutState>('graphql-clients', { seed: 42, state: seedState }).services({ catalog: { ...catalog, port: 0 } });

let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startStack(checkout);
  url = stack.url('catalog');
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
