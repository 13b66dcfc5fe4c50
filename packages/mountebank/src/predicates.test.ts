import { checkImposter, refusing, stubProblems } from './imposter.js';
import { type MountebankRequest, meets, meetsAll } from './predicates.js';

const request = (over: Partial<MountebankRequest> = {}): MountebankRequest => ({
  method: 'POST',
  path: '/orders/42',
  query: { tag: ['b', 'a'], page: '2' },
  headers: { 'content-type': 'application/json', 'x-tenant': 'Acme' },
  body: JSON.stringify({ order: { sku: 'MUG', qty: 2 }, items: [{ id: 'x' }, { id: 'y' }] }),
  ...over,
});

test('equals compares names and values lower-cased unless caseSensitive, fields of an object as a subset', () => {
  expect(meets({ equals: { method: 'post', path: '/ORDERS/42', headers: { 'X-Tenant': 'acme' } } }, request())).toBe(true);
  expect(meets({ equals: { headers: { 'X-Tenant': 'acme' } }, caseSensitive: true }, request())).toBe(false);
  expect(meets({ equals: { headers: { 'X-Tenant': 'Acme' } }, caseSensitive: true }, request())).toBe(true); // header names: any case
  expect(meets({ equals: { query: { page: '2' } } }, request())).toBe(true);
  expect(meets({ equals: { query: { tag: 'a' } } }, request())).toBe(true); // any of a repeated parameter
  expect(meets({ equals: { query: { tag: ['a', 'b'] } } }, request())).toBe(true);
  expect(meets({ equals: { body: { order: { qty: 2 } } } }, request())).toBe(true); // JSON reached into
  expect(meets({ equals: { body: { items: { id: 'y' } } } }, request())).toBe(true); // any element of a list
});

test('deepEquals is exact: every field, every value, any order of a repeated parameter', () => {
  expect(meets({ deepEquals: { query: { tag: ['a', 'b'], page: '2' } } }, request())).toBe(true);
  expect(meets({ deepEquals: { query: { page: '2' } } }, request())).toBe(false);
  expect(meets({ deepEquals: { body: { order: { sku: 'mug', qty: '2' }, items: [{ id: 'x' }, { id: 'y' }] } } }, request())).toBe(true);
  expect(meets({ deepEquals: { body: { order: { sku: 'MUG', qty: 2 } } } }, request())).toBe(false);
});

test('contains, startsWith, endsWith, matches (the regex ignores case, values are not lower-cased), exists', () => {
  expect(meets({ contains: { body: '"sku":"mug"' } }, request())).toBe(true);
  expect(meets({ startsWith: { path: '/orders/' } }, request())).toBe(true);
  expect(meets({ endsWith: { path: '/42' } }, request())).toBe(true);
  expect(meets({ matches: { path: '^/ORDERS/\\d+$' } }, request())).toBe(true);
  expect(meets({ matches: { path: '^/ORDERS/\\d+$' }, caseSensitive: true }, request())).toBe(false);
  expect(meets({ exists: { query: { page: true, missing: false }, body: { order: { sku: true } } } }, request())).toBe(true);
  expect(meets({ exists: { headers: { authorization: true } } }, request())).toBe(false);
});

test('except removes a pattern first; jsonpath selects from the body; not, or and and combine', () => {
  expect(meets({ equals: { path: '/orders/' }, except: '\\d+$' }, request())).toBe(true);
  expect(meets({ equals: { body: 'mug' }, jsonpath: { selector: '$.order.sku' } }, request())).toBe(true);
  expect(meets({ equals: { body: ['y', 'x'] }, jsonpath: { selector: '$.items[*].id' } }, request())).toBe(true);
  expect(meets({ equals: { body: 'x' }, jsonpath: { selector: '$.nothing' } }, request())).toBe(false);
  expect(meets({ not: { equals: { method: 'GET' } } }, request())).toBe(true);
  expect(meets({ or: [{ equals: { method: 'GET' } }, { equals: { path: '/orders/42' } }] }, request())).toBe(true);
  expect(meets({ and: [{ equals: { method: 'POST' } }, { equals: { path: '/nope' } }] }, request())).toBe(false);
  expect(meetsAll([], request({ body: '' }))).toBe(true);
});

test('checks name where a problem is; keys no one reads are ignored, not refused', () => {
  const check = checkImposter({
    protocol: 'http',
    port: 4545,
    stubs: [{ predicates: [{ equals: { path: '/' }, comment: 'docs' }] }, { predicates: [{ inject: 'x' }] }],
  });
  expect(check.errors).toEqual([]);
  expect(check.ignored).toEqual(["the imposter, stub 0, predicate 0: 'comment' is ignored (neither Mountebank nor mockstack reads it)"]);
  expect([...check.stubs.keys()]).toEqual([1]);
  expect(check.stubs.get(1)?.[0]?.message).toMatch(/^the imposter, stub 1, predicate 0: JavaScript injection \(inject\) is not run by mockstack/);
  expect(
    refusing(
      stubProblems(
        {
          responses: [{ is: { statusCode: '$CODE' }, behaviors: [{ copy: { from: 'path', into: '$CODE', using: { method: 'regex', selector: '\\d+' } } }] }],
        },
        'stub',
      ),
    ),
  ).toEqual([]);
  expect(checkImposter({ protocol: 'tcp', port: 1 }).errors[0]?.message).toMatch(/the "tcp" protocol is not supported by mockstack/);
});
