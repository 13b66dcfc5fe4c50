import { Code } from './code.js';
import { Journal, JournalRecord, RESPONSE_BODY_LIMIT } from './journal.js';
import { JsonText } from './json-text.js';

const request = { protocol: 'rest', service: 's', operation: 'GET /x', target: 'GET /x', params: {}, query: {}, headers: {}, body: undefined };

const entry = (n: number, body: unknown = {}): JournalRecord =>
  new JournalRecord(
    { protocol: 'rest', service: n % 2 ? 'odd' : 'even', operation: `GET /${n}`, target: `GET /${n}`, params: {}, query: {}, headers: {}, body },
    0,
    1,
    n % 3 ? `r${n}` : null,
    200,
    undefined,
    undefined,
    undefined,
    [],
  );

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

test('lists plain entries with the arrival time in ISO form and the request nested', () => {
  const journal = new Journal();
  journal.record(entry(1, { n: 1 }));
  const [listed] = journal.list();
  expect(listed).toEqual({
    id: 1,
    time: '1970-01-01T00:00:00.000Z',
    protocol: 'rest',
    service: 'odd',
    operation: 'GET /1',
    target: 'GET /1',
    request: { params: {}, query: {}, headers: {}, body: { n: 1 } },
    rule: 'r1',
    status: 200,
    durationMs: 1,
    variants: [],
    response: { status: 200 },
  });
  expect(Object.getPrototypeOf(listed)).toBe(Object.prototype);
  expect(JSON.parse(JSON.stringify(journal.record(entry(2))))).toMatchObject({ id: 2, time: '1970-01-01T00:00:00.000Z', request: { body: {} } });
});

test('keeps what was answered, a large body as a preview with its size', () => {
  const journal = new Journal();
  const answered = (body: unknown) =>
    new JournalRecord(
      { protocol: 'rest', service: 's', operation: 'GET /', target: 'GET /', params: {}, query: {}, headers: {}, body: undefined },
      0,
      1,
      'r',
      201,
      undefined,
      undefined,
      undefined,
      [],
      { headers: { 'x-id': '1' }, body },
    );
  journal.record(answered({ id: 'o1' }));
  journal.record(answered({ blob: 'x'.repeat(RESPONSE_BODY_LIMIT) }));
  const [small, large] = journal.list();
  expect(small?.response).toEqual({ status: 201, headers: { 'x-id': '1' }, body: { id: 'o1' } });
  expect(large?.response?.truncatedBytes).toBe(RESPONSE_BODY_LIMIT + 11);
  expect(String(large?.response?.body)).toHaveLength(1025);
  expect(journal.remove((e) => e.id === 1)).toBe(1);
  expect(journal.list().map((e) => e.id)).toEqual([2]);
});

test('an answer journaled as the JSON text sent reads as the body it encodes, a large one as a preview', () => {
  const journal = new Journal();
  const answered = (json: string | Uint8Array) =>
    new JournalRecord(
      { protocol: 'graphql', service: 's', operation: 'query Q', target: 'POST /graphql', params: {}, query: {}, headers: {}, body: undefined },
      0,
      1,
      null,
      200,
      undefined,
      undefined,
      undefined,
      [],
      { body: new JsonText(json) },
    );
  const small = journal.record(answered('{"data":{"product":{"name":"Mug"}}}'));
  // As bytes (what the GraphQL server writes), UTF-8.
  journal.record(answered(new TextEncoder().encode(JSON.stringify({ data: { blob: 'é'.repeat(RESPONSE_BODY_LIMIT / 2) } }))));
  expect(small.response).toEqual({ status: 200, body: { data: { product: { name: 'Mug' } } } });
  // Each read is a copy: a reader that changes it changes no other reader's.
  expect(small.response.body).not.toBe(small.response.body);
  const [first, large] = journal.list();
  expect(JSON.parse(JSON.stringify(first))).toMatchObject({ response: { body: { data: { product: { name: 'Mug' } } } } });
  // Bytes of UTF-8, as for any body: 'é' is two.
  expect(large?.response?.truncatedBytes).toBe(RESPONSE_BODY_LIMIT + 20);
  expect(String(large?.response?.body)).toMatch(/^\{"data":\{"blob":"é+…$/);
});

test('tells its listeners of each entry kept, entries removed and a clear; a throwing listener is dropped', () => {
  const journal = new Journal(10);
  const heard: string[] = [];
  const unsubscribe = journal.subscribe((event) => {
    heard.push(event.type === 'entry' ? `entry ${event.record.id}` : event.type === 'removed' ? `removed ${event.ids.join(',')}` : 'cleared');
  });
  journal.subscribe(() => {
    throw new Error('a broken listener');
  });
  journal.record(entry(1));
  journal.record(entry(2));
  journal.remove((e) => e.id === 1);
  journal.remove(() => false);
  journal.clear();
  unsubscribe();
  journal.record(entry(3));
  expect(heard).toEqual(['entry 1', 'entry 2', 'removed 1', 'cleared']);
  // nothing is heard from a journal that keeps nothing
  const none = new Journal(0);
  none.subscribe(() => heard.push('kept nothing'));
  none.record(entry(4));
  expect(heard).toHaveLength(4);
});

test('JsonText tells whether its JSON has some text in it, as text and as bytes, without parsing it', () => {
  const answer = '{"data":null,"errors":[{"message":"é"}]}';
  for (const json of [answer, new TextEncoder().encode(answer)]) {
    expect(new JsonText(json).mentions('"errors"')).toBe(true);
    expect(new JsonText(json).mentions('"data"')).toBe(true);
    expect(new JsonText(json).mentions('"error"]')).toBe(false);
    expect(new JsonText(json).mentions('}]}')).toBe(true);
    expect(new JsonText(json).mentions('}]}}')).toBe(false);
  }
  expect(new JsonText(new TextEncoder().encode('{"data":{"a":1}}')).mentions('"errors"')).toBe(false);
});

test('keeps a code, a miss and an error only where a request has one', () => {
  const miss = { message: 'no rule', candidates: [], hint: 'add one' };
  const failed = new JournalRecord({ ...request, query: { q: '1' } }, 0, 1, null, 404, Code.NotFound, miss, 'gone', []);
  expect({ code: failed.code, miss: failed.miss, error: failed.error, query: failed.query }).toEqual({
    code: Code.NotFound,
    miss,
    error: 'gone',
    query: { q: '1' },
  });
  const plain = entry(2);
  expect({ code: plain.code, miss: plain.miss, error: plain.error, query: plain.query }).toEqual({
    code: undefined,
    miss: undefined,
    error: undefined,
    query: {},
  });
});
