import { compileMatchers, firstDifference } from './match.js';
import type { CoreRequest } from './model.js';

const request = (fields: Partial<CoreRequest>): CoreRequest => ({
  protocol: 'rest',
  service: 's',
  operation: 'POST /x',
  params: {},
  query: {},
  headers: {},
  body: undefined,
  target: 'POST /x',
  ...fields,
});

test('partial body matching allows extra keys; exact does not; arrays compare item by item', () => {
  const body = { order: { id: 'o1', lines: [{ sku: 'A', qty: 2 }] }, extra: true };
  expect(firstDifference({ order: { lines: [{ sku: 'A' }] } }, body, true, '$')).toBeUndefined();
  expect(firstDifference({ order: { lines: [{ sku: 'B' }] } }, body, true, '$')).toBe('$.order.lines[0].sku is "A", wanted "B"');
  expect(firstDifference({ order: { id: 'o1' } }, body, false, '$')).toBe('$.order.lines is not expected');
  expect(firstDifference({ order: { lines: [] } }, body, true, '$')).toBe('$.order.lines has 1 items, wanted 0');
  expect(firstDifference({ order: { id: /^o\d+$/ } }, body, true, '$')).toBeUndefined();
});

test('each matcher explains what it wants and why a request misses it', () => {
  const [query, headers, when] = compileMatchers({
    query: { page: '2' },
    headers: { 'X-Tenant': /^acme/ },
    when: function largeOrder() {
      return false;
    },
  });
  const req = request({ query: { page: '1' }, headers: {} });
  expect(query?.explain()).toBe('query page="2"');
  expect(query?.miss(req)).toBe('query "page" is "1", wanted "2"');
  expect(headers?.miss(req)).toBe('headers "x-tenant" is missing (wanted matching /^acme/)');
  expect(when?.miss(req)).toBe('condition largeOrder returned false');
  expect(headers?.test(request({ headers: { 'x-tenant': 'acme-eu' } }))).toBe(true);
});

test('a predicate that throws does not match instead of failing the request', () => {
  const [when] = compileMatchers({
    when: () => {
      throw new Error('bad predicate');
    },
  });
  expect(when?.test(request({}))).toBe(false);
});
