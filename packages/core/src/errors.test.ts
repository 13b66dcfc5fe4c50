import { expect, test } from '@jest/globals';
import { messageClause } from './errors.js';

test("messageClause: a library's message inside ours, without the final period it may end with", () => {
  expect(messageClause(new Error('Connection is closed.'))).toBe('Connection is closed');
  expect(messageClause(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe('connect ECONNREFUSED 127.0.0.1:1');
  expect(messageClause(new Error('fetch failed. '))).toBe('fetch failed');
  // An ellipsis, a version and a string thrown keep their periods.
  expect(messageClause(new Error('waiting...'))).toBe('waiting...');
  expect(messageClause(new Error('needs node 20.1'))).toBe('needs node 20.1');
  expect(messageClause('not an Error.')).toBe('not an Error');
});
