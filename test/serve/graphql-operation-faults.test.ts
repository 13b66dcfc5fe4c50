/**
 * A fault answering a whole GraphQL operation (`graphql.query('Product', fault.notFound(…))`), as real GraphQL
 * clients take it: a GraphQL error with its `extensions.code` in a 200 answer with `data: null`, as Apollo Server
 * and graphql-yoga answer an error of a root resolver (GraphQL over HTTP: a response with `data` is 2xx), whatever
 * media type the client accepts. The failures GraphQL services answer at the HTTP level (401, 429, 503) stay HTTP
 * failures, as clients meet them from real APIs.
 */
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { startStack, type TestStack } from '@mockstack/testing';
import { fetchExchange, Client as UrqlClient } from '@urql/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { fault, graphql, scenario } from 'mockstack';
import { catalog } from '../../scenarios/checkout/catalog.js';
import { type CheckoutState, seedState } from '../../scenarios/checkout/state.js';

const faults = scenario<CheckoutState>('graphql-operation-faults', { seed: 42, state: seedState }).services({
  catalog: {
    ...catalog,
    port: 0,
    rules: [
      graphql.query('Gone', fault.notFound('no product SKU-GONE')),
      graphql.query('Hidden', fault.permissionDenied('staff only', { details: { role: 'staff' } })),
      graphql.mutation('Locked', fault.failedPrecondition('the cart is checked out')),
      graphql.query('Broken', () => {
        throw new Error('the handler broke');
      }),
      graphql.query('Secret', fault.unauthenticated('log in first')),
      graphql.query('Busy', fault.rateLimited({ retryAfter: 30 })),
      ...(catalog.rules ?? []),
    ],
  },
});

let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startStack(faults);
  url = stack.url('catalog');
});

afterAll(async () => {
  await stack.close();
});

const GONE = 'query Gone { product(sku: "SKU-GONE") { sku } }';

async function post(query: string, accept: string): Promise<{ status: number; type: string | null; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query }) });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

test.each([
  ['application/json', 'application/json'],
  ['application/graphql-response+json', 'application/graphql-response+json'],
  ['*/*', 'application/json'],
])('over HTTP (accept %s): 200, data null, the error coded NOT_FOUND', async (accept, type) => {
  const answer = await post(GONE, accept);
  expect(answer).toEqual({
    status: 200,
    type: expect.stringContaining(type),
    body: { data: null, errors: [{ message: 'no product SKU-GONE', extensions: { code: 'NOT_FOUND' } }] },
  });
});

test.each([
  ['Apollo Client (its own accept header)', {}],
  ['Apollo Client sending accept: application/json (as Apollo Client 3 and most fetchers)', { accept: 'application/json' }],
])('%s: a GraphQL error with extensions.code, not a network error', async (_name, headers) => {
  const client = new ApolloClient({ link: new HttpLink({ uri: url, headers }), cache: new InMemoryCache() });
  const result = await client.query({ query: gql(GONE), errorPolicy: 'all' });
  expect(ServerError.is(result.error)).toBe(false);
  expect(CombinedGraphQLErrors.is(result.error)).toBe(true);
  expect((result.error as CombinedGraphQLErrors).errors).toEqual([
    expect.objectContaining({ message: 'no product SKU-GONE', extensions: { code: 'NOT_FOUND' } }),
  ]);
  const locked = await client.mutate({ mutation: gql('mutation Locked { addToCart(sku: "SKU-MUG-WHT") { id } }'), errorPolicy: 'all' });
  expect(CombinedGraphQLErrors.is(locked.error) && locked.error.errors[0]?.extensions).toEqual({ code: 'FAILED_PRECONDITION' });
  client.stop();
});

test('urql and graphql-request: graphQLErrors / response.errors with the code and details, status 200', async () => {
  const urql = new UrqlClient({ url, exchanges: [fetchExchange], preferGetMethod: false });
  const hidden = await urql.query('query Hidden { categories { slug } }', {}).toPromise();
  expect(hidden.error?.networkError).toBeUndefined();
  expect(hidden.error?.graphQLErrors[0]).toMatchObject({ message: 'staff only', extensions: { code: 'FORBIDDEN', role: 'staff' } });

  const error = (await new GraphQLClient(url).request(GONE).catch((e: unknown) => e)) as ClientError;
  expect(error).toBeInstanceOf(ClientError);
  expect(error.response.status).toBe(200);
  expect(error.response.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND' });
});

test('an operation handler that throws is a GraphQL error coded INTERNAL_SERVER_ERROR naming the rule, journaled as the fault', async () => {
  const answer = await post('query Broken { categories { slug } }', 'application/json');
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({
    data: null,
    errors: [{ message: expect.stringMatching(/handler of rule catalog#4 .* threw: the handler broke/), extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
  });
  expect(stack.requests({ service: 'catalog' }).at(-1)).toMatchObject({ operation: 'query Broken', status: 200, code: 'INTERNAL' });
});

test('failures real GraphQL APIs answer at the HTTP level stay there: 401 unauthenticated, 429 rate limited with Retry-After; serving continues', async () => {
  const secret = await post('query Secret { categories { slug } }', 'application/json');
  expect(secret).toMatchObject({ status: 401, body: { errors: [{ message: 'log in first', extensions: { code: 'UNAUTHENTICATED' } }] } });
  const busy = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query Busy { categories { slug } }' }),
  });
  expect(busy.status).toBe(429);
  expect(busy.headers.get('retry-after')).toBe('30');
  await busy.body?.cancel();
  // Apollo Client meets them as it meets them from a real API: a ServerError with the status.
  const client = new ApolloClient({ link: new HttpLink({ uri: url, headers: { accept: 'application/json' } }), cache: new InMemoryCache() });
  const result = await client.query({ query: gql('query Secret { categories { slug } }'), errorPolicy: 'all' });
  expect(ServerError.is(result.error) && result.error.statusCode).toBe(401);
  client.stop();
  expect(await new GraphQLClient(url).request<{ categories: unknown[] }>('{ categories { slug } }')).toEqual({
    categories: [{ slug: 'apparel' }, { slug: 'kitchen' }, { slug: 'outdoor' }],
  });
});
