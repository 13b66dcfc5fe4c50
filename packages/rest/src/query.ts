import querystring from 'fast-querystring';

/**
 * find-my-way's (so fastify's) query parser: a query string (without its `?`) as the query of a request,
 * repeated keys kept as arrays. Apart from the router so that code on the browser path (mockstack/msw) can use it.
 */
export function queryOf(query: string): Record<string, string | string[]> {
  return query.length === 0 ? {} : (querystring.parse(query) as Record<string, string | string[]>);
}
