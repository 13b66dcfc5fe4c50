import { Journal, type JournalEntry } from './journal.js';

const entry = (n: number, body: unknown = {}): Omit<JournalEntry, 'id'> => ({
  time: new Date(0).toISOString(),
  protocol: 'rest',
  service: n % 2 ? 'odd' : 'even',
  operation: `GET /${n}`,
  target: `GET /${n}`,
  request: { params: {}, query: {}, headers: {}, body },
  rule: n % 3 ? `r${n}` : null,
  status: 200,
  durationMs: 1,
  variants: [],
});

test('keeps the newest entries up to its capacity, oldest first', () => {
  const journal = new Journal(3);
  for (let n = 1; n <= 5; n++) journal.record(entry(n));
  expect(journal.list().map((e) => e.id)).toEqual([3, 4, 5]);
});

test('filters by service, match, body, id and limit', () => {
  const journal = new Journal(100);
  for (let n = 1; n <= 6; n++) journal.record(entry(n, { n }));
  expect(journal.list({ service: 'odd' }).map((e) => e.id)).toEqual([1, 3, 5]);
  expect(journal.list({ matched: false }).map((e) => e.id)).toEqual([3, 6]);
  expect(journal.list({ body: { n: 4 } }).map((e) => e.id)).toEqual([4]);
  expect(journal.list({ after: 4 }).map((e) => e.id)).toEqual([5, 6]);
  expect(journal.list({ limit: 2 }).map((e) => e.id)).toEqual([5, 6]);
  journal.clear();
  expect(journal.record(entry(1)).id).toBe(1);
});
