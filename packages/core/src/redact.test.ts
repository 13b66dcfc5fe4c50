import { REDACTED, Redactor } from './redact.js';

const request = { protocol: 'rest', service: 's', operation: 'GET /x', params: {}, body: undefined };

test('blanks listed headers, repeated values and encoded query names; leaves a clean request as it is', () => {
  const redactor = new Redactor({ query: ['session'] });
  expect(redactor.headers({ 'set-cookie': ['a=1', 'b=2'], Authorization: 'x', accept: 'y' })).toEqual({
    'set-cookie': [REDACTED, REDACTED],
    Authorization: REDACTED,
    accept: 'y',
  });
  expect(redactor.target('GET /x?Access%5Ftoken=1&a=&session=2&token')).toBe(`GET /x?Access%5Ftoken=${REDACTED}&a=&session=${REDACTED}&token`);
  // What an adapter writes after the URL stays: the query ends at the space.
  expect(redactor.target('GET /chat?token=1&a=2 (WebSocket)')).toBe(`GET /chat?token=${REDACTED}&a=2 (WebSocket)`);
  const clean = { ...request, query: { a: '1' }, headers: { accept: 'y' }, target: 'GET /x?a=1' };
  expect(redactor.request(clean)).toBe(clean);
});

test('any false setting turns redaction off', () => {
  const redactor = new Redactor({ headers: ['x-a'] }, false);
  expect(redactor.headers({ authorization: 'x' })).toEqual({ authorization: 'x' });
  expect(redactor.target('GET /x?token=1')).toBe('GET /x?token=1');
});
