/**
 * Mutation payloads as real APIs shape them answer the happy path zero-config, so that client code
 * written for success runs: Shopify's `userErrors` (a list of errors beside the result) is empty, and
 * Vendure's result unions (`Order | OrderModificationError | …`, errors implementing `ErrorResult`)
 * answer the object, not one of the errors. The error types stay in the schema for rules to answer.
 * Shopify's global ids (`gid://shopify/Product/42`) name their type, as node(id:) lookups expect.
 */
import { GraphQLClient } from 'graphql-request';
import { servedSdl } from '../helpers/served-sdl.js';

/** Shopify's payload shape (Storefront and Admin API): the result, and its userErrors. */
const SHOPIFY = `interface Node {
  id: ID!
}

type Product implements Node {
  id: ID!
  title: String!
}

type Collection implements Node {
  id: ID!
  handle: String!
}

type Cart implements Node {
  id: ID!
  checkoutUrl: String!
  totalQuantity: Int!
}

enum CartErrorCode {
  INVALID
  LESS_THAN
}

type CartUserError {
  code: CartErrorCode
  field: [String!]
  message: String!
}

type CartWarning {
  code: String!
  message: String!
}

type CartCreatePayload {
  cart: Cart
  userErrors: [CartUserError!]!
  warnings: [CartWarning!]!
}

input CartLineInput {
  merchandiseId: ID!
  quantity: Int
}

type QueryRoot {
  cart(id: ID!): Cart
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
}

type Mutation {
  cartCreate(lines: [CartLineInput!]): CartCreatePayload
}

schema {
  query: QueryRoot
  mutation: Mutation
}
`;

/** Vendure's shop API shape: results as unions of the object and the errors that can happen instead. */
const VENDURE = `enum ErrorCode {
  ORDER_MODIFICATION_ERROR
  INSUFFICIENT_STOCK_ERROR
}

interface ErrorResult {
  errorCode: ErrorCode!
  message: String!
}

type Order {
  id: ID!
  code: String!
  totalQuantity: Int!
}

type OrderModificationError implements ErrorResult {
  errorCode: ErrorCode!
  message: String!
}

type InsufficientStockError implements ErrorResult {
  errorCode: ErrorCode!
  message: String!
  quantityAvailable: Int!
  order: Order!
}

union UpdateOrderItemsResult = Order | OrderModificationError | InsufficientStockError

type Query {
  activeOrder: Order
}

type Mutation {
  addItemToOrder(productVariantId: ID!, quantity: Int!): UpdateOrderItemsResult!
}
`;

const served = servedSdl({ 'storefront.graphql': SHOPIFY, 'shop-api.graphql': VENDURE });

test("Shopify's payloads: userErrors is empty, the result is there (a client that checks userErrors first goes on)", async () => {
  const client = new GraphQLClient(served.stack.url('storefront'));
  for (const quantity of [1, 2, 3, 4, 5]) {
    const { cartCreate } = await client.request<{ cartCreate: { cart: { id: string } | null; userErrors: unknown[] } | null }>(
      'mutation ($lines: [CartLineInput!]) { cartCreate(lines: $lines) { cart { id checkoutUrl } userErrors { code field message } } }',
      { lines: [{ merchandiseId: `gid://shopify/ProductVariant/${quantity}`, quantity }] },
    );
    expect(cartCreate?.userErrors).toEqual([]);
  }
  // Other lists of the payload are lists as usual.
  const { cartCreate } = await client.request<{ cartCreate: { warnings: unknown[] } }>('mutation { cartCreate { warnings { code } } }');
  expect(cartCreate.warnings.length).toBeGreaterThan(0);
});

test("Vendure's result unions answer the object, never an ErrorResult; the error types are still in the schema", async () => {
  const client = new GraphQLClient(served.stack.url('shop-api'));
  for (const quantity of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const { addItemToOrder } = await client.request<{ addItemToOrder: { __typename: string } }>(
      `mutation ($quantity: Int!) {
        addItemToOrder(productVariantId: "42", quantity: $quantity) {
          __typename
          ... on Order { id code }
          ... on ErrorResult { errorCode message }
          ... on InsufficientStockError { quantityAvailable }
        }
      }`,
      { quantity },
    );
    expect(addItemToOrder.__typename).toBe('Order');
  }
  const { __type } = await client.request<{ __type: { possibleTypes: { name: string }[] } }>(
    '{ __type(name: "UpdateOrderItemsResult") { possibleTypes { name } } }',
  );
  expect(__type.possibleTypes.map((t) => t.name)).toEqual(['Order', 'OrderModificationError', 'InsufficientStockError']);
});

test("Shopify's global ids name their type: node(id:) and nodes(ids:) of gid://shopify/<Type>/<n> answer that type (base64-encoded too)", async () => {
  const client = new GraphQLClient(served.stack.url('storefront'));
  for (const n of [1, 2, 3, 4, 5]) {
    const product = `gid://shopify/Product/${n}`;
    const collection = `gid://shopify/Collection/${n}`;
    const { node, nodes } = await client.request<{ node: { __typename: string; id: string }; nodes: { __typename: string; id: string }[] }>(
      'query ($id: ID!, $ids: [ID!]!) { node(id: $id) { __typename id } nodes(ids: $ids) { __typename id } }',
      { id: product, ids: [collection, product, btoa(`gid://shopify/Cart/${n}`)] },
    );
    expect(node).toEqual({ __typename: 'Product', id: product });
    expect(nodes.map((x) => x.__typename)).toEqual(['Collection', 'Product', 'Cart']);
  }
});
