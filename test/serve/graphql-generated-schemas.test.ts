/**
 * Schemas that database-generated GraphQL servers publish, in their shape: Hasura's (query_root,
 * Postgres-named scalars such as timestamptz, numeric and jsonb, bool_exp filters), PostGraphile's
 * (BigInt documented as output as strings, Datetime, BigFloat) and AWS AppSync's as it exports them
 * (Amplify's model types; AWSDateTime, AWSJSON… and @aws_* directives used but not declared). Served
 * zero-config, their scalars come back as those servers send them, so typed clients read them as
 * their generators map them.
 */
import { GraphQLClient } from 'graphql-request';
import { servedSdl } from '../helpers/served-sdl.js';

const HASURA = `schema {
  query: query_root
  mutation: mutation_root
  subscription: subscription_root
}

scalar bigint
scalar jsonb
scalar numeric
scalar timestamptz
scalar uuid

"""Boolean expression to compare columns of type "uuid". All fields are combined with logical 'AND'."""
input uuid_comparison_exp {
  _eq: uuid
  _in: [uuid!]
}

input orders_bool_exp {
  _and: [orders_bool_exp!]
  id: uuid_comparison_exp
}

input orders_set_input {
  metadata: jsonb
  total: numeric
}

"""
columns and relationships of "orders"
"""
type orders {
  id: uuid!
  created_at: timestamptz!
  metadata(path: String): jsonb
  total: numeric!
  views: bigint
}

type query_root {
  orders(limit: Int, where: orders_bool_exp): [orders!]!
  orders_by_pk(id: uuid!): orders
}

type mutation_root {
  update_orders_by_pk(pk_columns: orders_pk_columns_input!, _set: orders_set_input): orders
}

input orders_pk_columns_input {
  id: uuid!
}

type subscription_root {
  orders(limit: Int, where: orders_bool_exp): [orders!]!
}
`;

const POSTGRAPHILE = `"""
A signed eight-byte integer. The upper big integer values are greater than the
max value for a JavaScript number. Therefore all big integers will be output as
strings and not numbers.
"""
scalar BigInt

"""A floating point number that requires more precision than IEEE 754 binary 64"""
scalar BigFloat

"""
A point in time as described by the [ISO
8601](https://en.wikipedia.org/wiki/ISO_8601) standard. May or may not include a timezone.
"""
scalar Datetime

type Account {
  nodeId: ID!
  rowId: BigInt!
  balance: BigFloat!
  createdAt: Datetime!
}

type Query {
  accountByRowId(rowId: BigInt!): Account
}
`;

/** As `aws appsync get-introspection-schema --format SDL` gives it (and Amplify's build/schema.graphql): AppSync's scalars and directives undeclared. */
const APPSYNC = `schema {
  query: Query
  mutation: Mutation
  subscription: Subscription
}

type Todo @aws_api_key @aws_iam {
  id: ID!
  name: String!
  owner: AWSEmail
  site: AWSURL
  phone: AWSPhone
  ip: AWSIPAddress
  meta: AWSJSON
  due: AWSDate
  remindAt: AWSTime
  version: AWSTimestamp
  createdAt: AWSDateTime!
  updatedAt: AWSDateTime!
}

type ModelTodoConnection @aws_api_key @aws_iam {
  items: [Todo]!
  nextToken: String
}

input CreateTodoInput {
  id: ID
  name: String!
  meta: AWSJSON
  due: AWSDate
}

input ModelStringInput {
  eq: String
  beginsWith: String
}

input ModelTodoFilterInput {
  name: ModelStringInput
  createdAt: ModelStringInput
  and: [ModelTodoFilterInput]
}

type Query {
  getTodo(id: ID!): Todo @aws_api_key @aws_iam
  listTodos(filter: ModelTodoFilterInput, limit: Int, nextToken: String): ModelTodoConnection @aws_api_key @aws_iam
}

type Mutation {
  createTodo(input: CreateTodoInput!): Todo @aws_api_key @aws_cognito_user_pools(cognito_groups : ["Admin"])
}

type Subscription {
  onCreateTodo: Todo @aws_subscribe(mutations : ["createTodo"]) @aws_api_key @aws_iam
}
`;

const served = servedSdl({ 'hasura.graphql': HASURA, 'postgraphile.graphql': POSTGRAPHILE, 'appsync.graphql': APPSYNC });

test('Hasura: timestamptz is an ISO date-time, numeric and bigint are numbers, jsonb is JSON, uuid a UUID; filters and _set inputs are taken', async () => {
  const client = new GraphQLClient(served.stack.url('hasura'));
  type Order = { id: string; created_at: string; total: unknown; views: unknown; metadata: unknown };
  const { orders } = await client.request<{ orders: Order[] }>(
    'query ($where: orders_bool_exp) { orders(limit: 2, where: $where) { id created_at total views metadata } }',
    { where: { _and: [{ id: { _in: ['5f0e1a8e-3c9b-4e5a-9d2f-7b6c5a4e3d2c'] } }] } },
  );
  expect(orders).toHaveLength(2);
  for (const order of orders) {
    expect(order.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(order.created_at))).toBe(false);
    expect(typeof order.total).toBe('number');
    expect(['number', 'undefined'].includes(typeof (order.views ?? undefined))).toBe(true);
    expect(order.metadata === null || typeof order.metadata === 'object').toBe(true);
  }
  const updated = await client.request<{ update_orders_by_pk: { id: string } | null }>(
    'mutation ($id: uuid!, $set: orders_set_input) { update_orders_by_pk(pk_columns: { id: $id }, _set: $set) { id } }',
    { id: '5f0e1a8e-3c9b-4e5a-9d2f-7b6c5a4e3d2c', set: { metadata: { note: 'gift' }, total: 12.5 } },
  );
  expect(updated.update_orders_by_pk === null || typeof updated.update_orders_by_pk.id === 'string').toBe(true);
});

test('PostGraphile: BigInt (documented as output as strings) and BigFloat are strings of digits, Datetime an ISO date-time', async () => {
  const { accountByRowId } = await new GraphQLClient(served.stack.url('postgraphile')).request<{
    accountByRowId: { rowId: unknown; balance: unknown; createdAt: string } | null;
  }>('{ accountByRowId(rowId: "9007199254740993") { rowId balance createdAt } }');
  expect(accountByRowId?.rowId).toBe('9007199254740993');
  expect(accountByRowId?.balance).toMatch(/^\d+(\.\d+)?$/);
  expect(Number.isNaN(Date.parse(accountByRowId?.createdAt ?? ''))).toBe(false);
});

test("AWS AppSync's exported SDL is served with AppSync's scalars and directives; each scalar comes back in AppSync's format", async () => {
  const client = new GraphQLClient(served.stack.url('appsync'));
  type Todo = Record<'id' | 'owner' | 'site' | 'phone' | 'ip' | 'meta' | 'due' | 'remindAt' | 'createdAt', string> & { version: unknown };
  const { listTodos } = await client.request<{ listTodos: { items: Todo[]; nextToken: string | null } }>(
    'query ($filter: ModelTodoFilterInput) { listTodos(filter: $filter, limit: 2) { items { id owner site phone ip meta due remindAt version createdAt } nextToken } }',
    { filter: { name: { beginsWith: 'Buy' } } },
  );
  expect(listTodos.items).toHaveLength(2);
  for (const todo of listTodos.items) {
    expect(todo.owner).toMatch(/^[^@\s]+@[^@\s]+$/);
    expect(new URL(todo.site).protocol).toMatch(/^https?:$/);
    expect(todo.phone).toMatch(/^\+?[\d\s().-]+$/);
    expect(todo.ip).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
    // AWSJSON travels as a string holding JSON; AWSTimestamp is whole seconds since the epoch.
    expect(typeof JSON.parse(todo.meta)).toBe('object');
    expect(todo.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(todo.remindAt).toMatch(/^\d{2}:\d{2}:\d{2}/);
    expect(Number.isInteger(todo.version)).toBe(true);
    expect(Math.abs((todo.version as number) - Date.now() / 1000)).toBeLessThan(20 * 365 * 86_400);
    expect(Number.isNaN(Date.parse(todo.createdAt))).toBe(false);
  }
  const { createTodo } = await client.request<{ createTodo: { id: string; name: string; due: string } }>(
    'mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id name due } }',
    { input: { name: 'Buy milk', meta: '{"aisle":4}', due: '2026-01-31' } },
  );
  // The created todo is the one the input describes.
  expect(createTodo).toEqual({ id: expect.any(String), name: 'Buy milk', due: '2026-01-31' });
  // AppSync's directives are in the schema clients introspect, as AppSync has them.
  const { __schema } = await client.request<{ __schema: { directives: { name: string }[] } }>('{ __schema { directives { name } } }');
  expect(__schema.directives.map((d) => d.name)).toEqual(expect.arrayContaining(['aws_subscribe', 'aws_api_key', 'aws_iam', 'aws_cognito_user_pools']));
});
