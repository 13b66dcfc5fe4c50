/**
 * A schema with the features real schemas use and few test schemas have, served zero-config and
 * asked as clients ask: interfaces implementing interfaces, an interface no type implements, @oneOf
 * inputs, repeatable directives, @specifiedBy, deprecated arguments, input fields and enum values,
 * lists of lists, descriptions with quotes and backslashes. Apollo Client (InMemoryCache with
 * possibleTypes) sends fragments, aliases, variables and @include/@skip; GraphiQL's introspection
 * query (every option graphql-js has) gives back the schema as written.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { startStack, type TestStack } from '@mockstack/testing';
import { buildClientSchema, buildSchema, GraphQLSchema, getIntrospectionQuery, type IntrospectionQuery, printSchema } from 'graphql';
import { GraphQLClient } from 'graphql-request';

const file = resolve(import.meta.dirname, '../fixtures/graphql/odd-features.graphql');
let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startStack([file]);
  url = stack.url('odd-features');
});

afterAll(async () => {
  await stack.close();
});

test("GraphiQL's introspection query, with every option, gives back the schema as written", async () => {
  const query = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  });
  const { data, errors } = await new GraphQLClient(url).rawRequest<IntrospectionQuery>(query);
  expect(errors).toBeUndefined();
  if (!data) throw new Error('no data');
  const introspected = buildClientSchema(data);
  // Besides the schema's own, the service declares @defer and @stream (it takes them; see incremental.ts).
  const incremental = ['defer', 'stream'];
  expect(introspected.getDirectives().map((d) => d.name)).toEqual(expect.arrayContaining(incremental));
  const served = new GraphQLSchema({ ...introspected.toConfig(), directives: introspected.getDirectives().filter((d) => !incremental.includes(d.name)) });
  const written = buildSchema(readFileSync(file, 'utf8'));
  expect(printSchema(served)).toBe(printSchema(written));
  expect(served.description).toBe('The odd schema: features real schemas use.');
});

test('an interface no type implements answers null, a list of it []; other fields beside it still answer', async () => {
  const { data, errors } = await new GraphQLClient(url).rawRequest<{ orphan: unknown; now: string }>('{ orphan { __typename name } now }');
  expect(errors).toBeUndefined();
  expect(data.orphan).toBeNull();
  expect(Number.isNaN(Date.parse(data.now))).toBe(false);
});

test('Apollo Client with possibleTypes: fragments on interfaces that implement interfaces, aliases, @include/@skip, a @oneOf input', async () => {
  const apollo = new ApolloClient({
    link: new HttpLink({ uri: url }),
    cache: new InMemoryCache({ possibleTypes: { Node: ['User'], Entity: ['User'], Pet: ['Dog', 'Cat'] } }),
  });
  try {
    const { data } = await apollo.query<{
      byHandle: { id: string; handle: string; status: string; matrix: number[][]; pets: { __typename: string }[] | null; createdAt?: string };
      entity: { __typename: string; id: string; createdAt: string } | null;
      users: { id: string; score?: unknown }[];
    }>({
      query: gql`
        fragment Stamp on Entity {
          id
          createdAt
        }
        query Odd($by: UserBy!, $withScore: Boolean!, $skipStamp: Boolean!) {
          byHandle: user(by: $by) {
            id
            handle
            status
            matrix
            ...Stamp @skip(if: $skipStamp)
            pets {
              __typename
              ... on Dog { name barks }
              ... on Cat { name lives }
            }
          }
          entity(id: "VXNlcjox") {
            __typename
            ...Stamp
          }
          users(filter: { or: [{ handle: "ada" }, { status: [ACTIVE] }] }, first: 2) {
            id
            score @include(if: $withScore)
          }
        }
      `,
      variables: { by: { handle: 'ada' }, withScore: false, skipStamp: true },
    });
    // The @oneOf lookup gives the user it names.
    expect(data?.byHandle.handle).toBe('ada');
    expect(['ACTIVE', 'INACTIVE', '_UNKNOWN']).toContain(data?.byHandle.status);
    expect(data?.byHandle.createdAt).toBeUndefined();
    for (const row of data?.byHandle.matrix ?? []) for (const cell of row) expect(Number.isInteger(cell)).toBe(true);
    for (const pet of data?.byHandle.pets ?? []) expect(['Dog', 'Cat']).toContain(pet.__typename);
    expect(data?.entity?.__typename).toBe('User');
    expect(data?.users).toHaveLength(2);
    expect(data?.users[0]).not.toHaveProperty('score');
  } finally {
    apollo.stop();
  }
});

test('a @oneOf input given two fields, or none, is a validation error; the service keeps serving', async () => {
  const client = new GraphQLClient(url);
  for (const by of ['{ id: "1", handle: "ada" }', '{}']) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ user(by: ${by}) { id } }` }),
    });
    const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.message).toMatch(/OneOf Input Object "UserBy" must specify exactly one key/);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  }
  const { user } = await client.request<{ user: { id: string } | null }>('{ user(by: { id: "1" }) { id } }');
  expect(user === null || typeof user.id === 'string').toBe(true);
});

test('an operation type the schema lacks is named as such, before anything else; a JSON body sent as text/plain is told its content-type', async () => {
  const post = async (body: string, headers: Record<string, string>) => {
    const response = await fetch(url, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] } };
  };
  // This schema has a query and a mutation root, no subscription root.
  expect(await post(JSON.stringify({ query: 'subscription { userAdded { id } }' }), { 'content-type': 'application/json' })).toEqual({
    status: 400,
    body: {
      errors: [
        { message: 'this schema has no subscription type (Subscription); it serves queries and mutations', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      ],
    },
  });
  // What fetch() sends when no content-type is given: text/plain.
  const plain = await post(JSON.stringify({ query: '{ now }' }), {});
  expect(plain.status).toBe(400);
  expect(plain.body.errors?.[0]?.message).toMatch(/this request's content-type is text\/plain; JSON needs content-type: application\/json/);
  expect((await post(JSON.stringify({ query: '{ now }' }), { 'content-type': 'application/json' })).status).toBe(200);
});
