import { ErrorCode } from './errors.js';
import { Journal, JournalRecord } from './journal.js';
import type { CoreRequest } from './model.js';
import { parseVerification, verifyInOrder, verifyRequests } from './verify.js';

function journalOf(...requests: [Partial<CoreRequest> & { operation: string; target: string }, string | null][]): Journal {
  const journal = new Journal();
  for (const [request, rule] of requests) {
    const full: CoreRequest = { protocol: 'rest', service: 'orders', params: {}, query: {}, headers: {}, body: undefined, ...request };
    journal.record(new JournalRecord(full, 0, 1, rule, 200, undefined, undefined, undefined, []));
  }
  return journal;
}

const journal = journalOf(
  [{ operation: 'POST /orders', target: 'POST /orders?dry=1', query: { dry: '1' }, headers: { 'x-tenant': 'acme' }, body: { sku: 'a', qty: 1 } }, 'orders#1'],
  [{ operation: 'GET /orders/:id', target: 'GET /orders/42', params: { id: '42' } }, 'orders#2'],
  [{ operation: 'POST /orders', target: 'POST /orders', body: { sku: 'b', qty: 2 } }, null],
  [{ protocol: 'grpc', service: 'payments', operation: 'pay.v1.Payments/Charge', target: '/pay.v1.Payments/Charge', headers: { 'x-key': 'k' } }, 'payments#1'],
);

test('counts by every criterion: operation, method, path, query, headers, metadata, body (partial and exact), matched', () => {
  expect(verifyRequests(journal, { operation: 'POST /orders' }).count).toBe(2);
  expect(verifyRequests(journal, { method: 'post', path: '/orders' }).count).toBe(2);
  expect(verifyRequests(journal, { path: /^\/orders\/\d+$/ }).count).toBe(1);
  expect(verifyRequests(journal, { query: { dry: '1' } }).count).toBe(1);
  expect(verifyRequests(journal, { headers: { 'X-Tenant': 'acme' } }).count).toBe(1);
  expect(verifyRequests(journal, { metadata: { 'x-key': 'k' }, protocol: 'grpc', method: 'POST' }).count).toBe(1);
  expect(verifyRequests(journal, { body: { sku: 'b' } }).count).toBe(1);
  expect(verifyRequests(journal, { bodyEquals: { sku: 'b' } }).count).toBe(0);
  expect(verifyRequests(journal, { bodyEquals: { sku: 'b', qty: 2 } }).count).toBe(1);
  expect(verifyRequests(journal, { operation: 'POST /orders', matched: false }).matching).toEqual([3]);
});

test('times, atLeast and atMost; a failure lists the nearest requests and what each missed', () => {
  expect(verifyRequests(journal, { operation: 'POST /orders', times: 2 }).pass).toBe(true);
  expect(verifyRequests(journal, { operation: 'POST /orders', atMost: 1 }).pass).toBe(false);
  expect(verifyRequests(journal, { operation: 'POST /orders', atLeast: 2, atMost: 3 }).pass).toBe(true);
  expect(verifyRequests(journal, { operation: 'GET /orders/:id', times: 0 }).pass).toBe(false);
  const miss = verifyRequests(journal, { operation: 'POST /orders', body: { sku: 'c' } });
  expect(miss.pass).toBe(false);
  expect(miss.message).toMatch(/expected POST \/orders with body containing \{"sku":"c"\} at least once; it was received 0 time\(s\)/);
  expect(miss.message).toMatch(/#3 orders POST \/orders → 200: body: \$\.sku/);
  expect(
    miss.nearest
      .map((n) => n.id)
      .slice(0, 2)
      .sort(),
  ).toEqual([1, 3]);
});

test('in order: each step after the previous one; a failure names the step that did not come', () => {
  expect(verifyInOrder(journal, [{ operation: 'POST /orders' }, { operation: 'GET /orders/:id' }, { service: 'payments' }]).pass).toBe(true);
  const wrong = verifyInOrder(journal, [{ service: 'payments' }, { operation: 'GET /orders/:id' }]);
  expect(wrong.pass).toBe(false);
  expect(wrong.message).toMatch(/then step 2 \(GET \/orders\/:id\) was received only before step 1 \(#2\)/);
});

test('an unknown criterion or a wrong value is an error naming the nearest criterion', () => {
  expect(() => parseVerification({ operation: 'POST /orders', header: { a: 'b' } })).toThrow(
    expect.objectContaining({ code: ErrorCode.VerifyUnknownCriterion, message: expect.stringMatching(/"header"; did you mean "headers"\?/) }),
  );
  expect(() => parseVerification({ times: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.VerifyInvalid }));
  expect(() => parseVerification({ times: 1, atLeast: 1 })).toThrow(/either times or atLeast/);
  expect(() => parseVerification({ headers: ['a'] })).toThrow(/headers must be an object/);
  expect(parseVerification({ operation: 'POST /orders', atMost: 2 })).toEqual({ operation: 'POST /orders', atMost: 2 });
});
