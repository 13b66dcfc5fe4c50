import { buildSchema } from 'graphql';
import { DocumentCache } from './documents.js';
import { DEFAULT_LIMITS } from './limits.js';

const schema = buildSchema('type Query { item(id: ID): Item } type Item { id: ID name: String }');

/** A distinct valid query of about `size` characters. */
const queryOf = (n: number, size: number): string => `query Q${n} { item(id: "${'x'.repeat(size)}") { id name } }`;

test('the parsed-document cache is bounded by bytes: many distinct large queries keep it under its budget', () => {
  const budget = 1_000_000;
  const cache = new DocumentCache(schema, DEFAULT_LIMITS, 1000, budget);
  for (let n = 0; n < 200; n++) expect(cache.get(queryOf(n, 20_000)).ok).toBe(true);
  expect(cache.bytes).toBeLessThanOrEqual(budget);
  expect(cache.bytes).toBeGreaterThan(budget / 2);
  // The newest entries are the ones kept; an old one is compiled again (and still answers).
  expect(cache.get(queryOf(0, 20_000)).ok).toBe(true);
});

test('a query too large for the whole budget is compiled but not kept', () => {
  const cache = new DocumentCache(schema, DEFAULT_LIMITS, 1000, 10_000);
  expect(cache.get(queryOf(1, 5_000)).ok).toBe(true);
  expect(cache.bytes).toBe(0);
});

test('a query nested deeper than the parser can take is refused before parsing, brackets in strings and comments aside', () => {
  const cache = new DocumentCache(schema, DEFAULT_LIMITS);
  const nested = cache.get(`{ item { ${'__typename ... on Item { '.repeat(3000)} id ${'}'.repeat(3000)} } }`);
  expect(nested.ok).toBe(false);
  expect(!nested.ok && nested.errors[0]?.extensions.code).toBe('QUERY_TOO_DEEP');
  expect(cache.get(`# ${'{'.repeat(2000)}\n{ item(id: "${'['.repeat(2000)}") { id } }`).ok).toBe(true);
});
