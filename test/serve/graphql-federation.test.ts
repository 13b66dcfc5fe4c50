/**
 * Apollo Federation subgraph SDL served zero-config (`mockstack up products.graphql`), as a router
 * talks to a subgraph: the schema builds as @apollo/subgraph builds it (federation directives the SDL
 * uses without defining them, `extend type` of types defined in other subgraphs), `_service { sdl }`
 * gives the SDL as written, and `_entities` answers each representation with an entity of its type.
 */
import { GraphQLClient } from 'graphql-request';
import { servedSdl } from '../helpers/served-sdl.js';

/** A federation 2 subgraph: `extend schema @link(…)`, imported directives, entities with simple and compound keys. */
const PRODUCTS_V2 = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@tag", "@inaccessible"])

type Query {
  product(upc: ID!): Product
  topProducts(first: Int = 3): [Product!]!
}

"A product of the catalog"
type Product @key(fields: "upc") @key(fields: "sku variant { id }") {
  upc: ID!
  sku: String! @tag(name: "public")
  variant: Variant
  name: String @shareable
  weight: Float @external
  shippingEstimate: Int @requires(fields: "weight")
  internalNote: String @inaccessible
  createdBy: User
}

type Variant @shareable {
  id: ID!
  colour: String
}

type User @key(fields: "email", resolvable: false) {
  email: ID!
}
`;

/** A federation 1 subgraph: no @link, `extend type` of types other subgraphs define, `@key` and `@external` undefined. */
const REVIEWS_V1 = `extend type Query {
  latestReviews(limit: Int): [Review!]!
}

type Review @key(fields: "id") {
  id: ID!
  body: String!
  rating: Int!
  product: Product
  author: User @provides(fields: "username")
}

extend type Product @key(fields: "upc") {
  upc: ID! @external
  reviews: [Review!]!
}

extend type User @key(fields: "id") {
  id: ID! @external
  username: String @external
  reviews: [Review!]!
}
`;

const served = servedSdl({ 'products.graphql': PRODUCTS_V2, 'reviews.graphql': REVIEWS_V1 });
const client = (service: string) => new GraphQLClient(served.stack.url(service));

test('a federation 2 subgraph is served: its own fields answer, and _service gives its SDL as written', async () => {
  const data = await client('products').request<{ product: { __typename: string; upc: string; sku: string; variant: { id: string } | null } | null }>(
    'query ($upc: ID!) { product(upc: $upc) { __typename upc sku variant { id } } }',
    { upc: 'p1' },
  );
  expect(data.product === null || data.product.__typename === 'Product').toBe(true);
  const service = await client('products').request<{ _service: { sdl: string } }>('{ _service { sdl } }');
  expect(service._service.sdl).toBe(PRODUCTS_V2);
});

test('_entities gives one entity per representation, of its __typename, with the key fields the router sent, the same each time', async () => {
  const query = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Product { upc name shippingEstimate }
    }
  }`;
  const representations = [
    { __typename: 'Product', upc: 'p1' },
    { __typename: 'Product', upc: 'p2', weight: 1.5 },
    { __typename: 'Product', sku: 'SKU-1', variant: { id: 'v1' } },
  ];
  type Entities = { _entities: ({ __typename: string; upc?: string; name: string | null; shippingEstimate: number | null } | null)[] };
  const first = await client('products').request<Entities>(query, { representations });
  expect(first._entities.map((e) => [e?.__typename, e?.upc])).toEqual([
    ['Product', 'p1'],
    ['Product', 'p2'],
    ['Product', expect.any(String)],
  ]);
  expect(await client('products').request<Entities>(query, { representations })).toEqual(first);
});

test('a federation 1 subgraph (extend type of types defined elsewhere, undefined @key) is served, entities included', async () => {
  const data = await client('reviews').request<{
    latestReviews: { id: string; rating: number; author: { __typename: string } | null }[];
    _entities: { __typename: string; upc?: string; id?: string; reviews: { id: string }[] }[];
  }>(
    `query ($representations: [_Any!]!) {
      latestReviews(limit: 2) { id rating author { __typename } }
      _entities(representations: $representations) {
        ... on Product { __typename upc reviews { id } }
        ... on User { __typename id reviews { id } }
      }
    }`,
    {
      representations: [
        { __typename: 'Product', upc: 'p1' },
        { __typename: 'User', id: 'u1' },
      ],
    },
  );
  expect(data.latestReviews).toHaveLength(2);
  expect(data._entities.map((e) => [e.__typename, e.upc ?? e.id])).toEqual([
    ['Product', 'p1'],
    ['User', 'u1'],
  ]);
  expect(data._entities[0]?.reviews.every((r) => typeof r.id === 'string')).toBe(true);
});

test('a representation without __typename, or of a type that is no entity, gets a clear error, and the subgraph keeps serving', async () => {
  const query = 'query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }';
  const missing = await client('products')
    .rawRequest(query, { representations: [{ upc: 'p1' }] })
    .catch((e: { response: { errors: { message: string }[] } }) => e.response);
  expect(missing.errors?.[0]?.message).toBe(
    'representation 0 ({"upc":"p1"}) has no __typename; a router sends { "__typename": "<entity type>", <key fields> } for each entity',
  );
  const unknown = await client('products')
    .rawRequest(query, { representations: [{ __typename: 'Variant', id: 'v1' }] })
    .catch((e: { response: { errors: { message: string }[] } }) => e.response);
  expect(unknown.errors?.[0]?.message).toMatch(
    /"Variant" is not a possible type for "_Entity"|Runtime Object type "Variant" is not a possible type for "_Entity"/,
  );
  const data = await client('products').request<{ topProducts: { upc: string }[] }>('{ topProducts(first: 2) { upc } }');
  expect(data.topProducts).toHaveLength(2);
});
