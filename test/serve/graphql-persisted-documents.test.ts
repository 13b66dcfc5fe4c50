/**
 * Persisted documents (trusted documents): a client built with Relay's persisted queries, GraphQL Codegen's
 * persisted documents or Apollo's persisted query lists sends a document's id, and the service runs the
 * document its `persistedDocuments` manifest has under that id. Real sockets; Apollo Client's own link.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, scenario } from 'mockstack';
import { catalog } from '../../scenarios/checkout/catalog.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const CATEGORIES = 'query Categories { categories { slug } }';
const PRODUCT = 'query Product($sku: ID!) { product(sku: $sku) { sku name } }';
const SLUGS = { categories: [{ slug: 'apparel' }, { slug: 'kitchen' }, { slug: 'outdoor' }] };
// The document Apollo Client sends for the query below (printed, with __typename added), as Apollo's manifest generator writes it.
const CATEGORIES_APOLLO = 'query CategoriesApollo {\n  categories {\n    slug\n    __typename\n  }\n}';

const dir = mkdtempSync(join(tmpdir(), 'mockstack-persisted-'));
// Relay's persisted_queries.json and GraphQL Codegen's persisted-documents.json: id → document.
const relayManifest = join(dir, 'persisted_queries.json');
writeFileSync(relayManifest, JSON.stringify({ a1b2c3: CATEGORIES, [sha256(PRODUCT)]: PRODUCT }));
// Apollo's persisted query manifest (generate-persisted-query-manifest): ids are the documents' SHA-256.
const apolloManifest = join(dir, 'persisted-query-manifest.json');
writeFileSync(
  apolloManifest,
  JSON.stringify({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: [{ id: sha256(CATEGORIES_APOLLO), name: 'CategoriesApollo', type: 'query', body: CATEGORIES_APOLLO }],
  }),
);

const persisted = scenario<CheckoutState>('persisted-documents', { seed: 42, state: seedState }).services({
  relay: { ...catalog, port: 0, config: { ...catalog.config, persistedDocuments: relayManifest } },
  apollo: { ...catalog, port: 0, config: { ...catalog.config, persistedDocuments: apolloManifest } },
  plain: { ...catalog, port: 0 },
});

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack(persisted);
});
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

interface GraphqlBody {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(service: string, body: unknown): Promise<{ status: number; body: GraphqlBody }> {
  const response = await fetch(stack.url(service), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as GraphqlBody };
}

test('Relay’s { doc_id, variables }, GraphQL over HTTP’s documentId (a sha256: prefix too) and GET ?doc_id= run the manifest’s document', async () => {
  const from = stack.requests({ service: 'relay' }).length;
  expect(await post('relay', { doc_id: 'a1b2c3', variables: {} })).toEqual({ status: 200, body: { data: SLUGS } });
  expect(await post('relay', { documentId: `sha256:${sha256(PRODUCT)}`, variables: { sku: 'SKU-MUG-WHT' } })).toMatchObject({
    status: 200,
    body: { data: { product: { sku: expect.any(String) } } },
  });
  const viaGet = await fetch(`${stack.url('relay')}?doc_id=a1b2c3`);
  expect(await viaGet.json()).toEqual({ data: SLUGS });
  // The journal shows each document the id stood for, as if it had been sent.
  const journal = stack.requests({ service: 'relay' }).slice(from);
  expect(journal.map((e) => `${e.operation} ${e.status}`)).toEqual(['query Categories 200', 'query Product 200', 'query Categories 200']);
  expect(journal[0]?.request.body).toMatchObject({ doc_id: 'a1b2c3', query: CATEGORIES });
});

test('Apollo Client’s PersistedQueryLink with a persisted query list: the hash alone is answered from the manifest, in one request', async () => {
  const apollo = new ApolloClient({
    link: new PersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: stack.url('apollo') })),
    cache: new InMemoryCache(),
  });
  try {
    const from = stack.requests({ service: 'apollo' }).length;
    const { data, error } = await apollo.query({
      query: gql`
        query CategoriesApollo {
          categories {
            slug
          }
        }
      `,
      fetchPolicy: 'network-only',
    });
    expect(error).toBeUndefined();
    expect(data).toEqual({ categories: SLUGS.categories.map((c) => ({ ...c, __typename: 'Category' })) });
    expect(
      stack
        .requests({ service: 'apollo' })
        .slice(from)
        .map((e) => `${e.operation} ${e.status}`),
    ).toEqual(['query CategoriesApollo 200']);
  } finally {
    apollo.stop();
  }
});

test('an id the manifest does not have, and an id sent to a service without one: 400 saying why; serving goes on', async () => {
  const unknown = await post('relay', { doc_id: 'nope', variables: {} });
  expect(unknown.status).toBe(400);
  expect(unknown.body.errors?.[0]).toEqual({
    message: expect.stringMatching(/^PersistedQueryNotFound: no document "nope" in .*persisted_queries\.json \(2 documents\)/),
    extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
  });
  const none = await post('plain', { doc_id: 'a1b2c3' });
  expect(none.status).toBe(400);
  expect(none.body.errors?.[0]?.message).toMatch(/names persisted document "a1b2c3" .* has no persisted documents; .*persistedDocuments: /);
  // APQ without a manifest entry goes on as APQ: the client sends the query next.
  expect((await post('apollo', { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ never }') } } })).body.errors?.[0]?.message).toBe(
    'PersistedQueryNotFound',
  );
  expect(await post('relay', { doc_id: 'a1b2c3' })).toEqual({ status: 200, body: { data: SLUGS } });
  expect(await post('plain', { query: CATEGORIES })).toEqual({ status: 200, body: { data: SLUGS } });
});

test('a manifest that cannot be read or is not one stops the start, naming the file and the formats', async () => {
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ "a": 1 }');
  const cases: [string, RegExp][] = [
    [broken, /cannot read the persisted documents manifest .*broken\.json: the document of "a" is not a string/],
    [join(dir, 'missing.json'), /cannot read the persisted documents manifest .*missing\.json: ENOENT/],
  ];
  for (const [file, message] of cases) {
    const bad = scenario('bad-manifest').services({ api: graphql({ port: 0, schema: catalog.config?.schema as string[], persistedDocuments: file }) });
    await expect(startStack(bad)).rejects.toThrow(message);
  }
});
