import type { MountebankStub } from './imposter.js';
import type { MountebankRequest } from './predicates.js';
import { generatedPredicates, recordedResponse, withRecorded } from './proxy-recording.js';

const request: MountebankRequest = {
  method: 'POST',
  path: '/orders',
  query: { page: '2', ts: '99' },
  headers: { 'x-tenant': 'acme' },
  body: '{"order":{"id":7}}',
};

test('predicate generators: true fields become deepEquals, objects of fields equals, with the parameters copied', () => {
  expect(generatedPredicates(request, [{ matches: { method: true, path: true } }])).toEqual([
    { deepEquals: { method: 'POST' } },
    { deepEquals: { path: '/orders' } },
  ]);
  expect(generatedPredicates(request, [{ matches: { query: { page: true } }, caseSensitive: true }])).toEqual([
    { caseSensitive: true, equals: { query: { page: '2' } } },
  ]);
  expect(generatedPredicates(request, [{ matches: { query: true }, ignore: { query: 'ts' } }])).toEqual([{ deepEquals: { query: { page: '2' } } }]);
  expect(generatedPredicates(request, [{ matches: { body: true }, jsonpath: { selector: '$.order.id' } }])).toEqual([
    { jsonpath: { selector: '$.order.id' }, deepEquals: { body: 7 } },
  ]);
  // A name the request does not have (header names are lower-case) is left out, as Mountebank leaves it.
  expect(generatedPredicates(request, [{ matches: { headers: { 'X-Tenant': true } } }])).toEqual([{ equals: { headers: {} } }]);
  expect(generatedPredicates(request, [])).toEqual([]);
});

test('a recorded answer: status, headers without framing, JSON or text or base64 body, the time it took', () => {
  const proxy = { to: 'http://real', addWaitBehavior: true };
  const headers = { 'content-type': 'application/json', 'content-length': '9', 'x-real': '1' };
  expect(recordedResponse({ status: 201, headers, body: '{"a":1}', ms: 12 }, proxy)).toEqual({
    is: { statusCode: 201, headers: { 'content-type': 'application/json', 'x-real': '1' }, body: { a: 1 }, _mode: 'text', _proxyResponseTime: 12 },
    behaviors: [{ wait: 12 }],
  });
  expect(recordedResponse({ status: 200, headers: {}, body: new Uint8Array([0xff, 0x00]), ms: 1 }, { to: 'http://real' }).is).toMatchObject({
    body: '/wA=',
    _mode: 'binary',
  });
});

test('proxyOnce puts the new stub in front of the proxy; proxyAlways adds to the same predicates after it, or a new last stub', () => {
  const proxyStub: MountebankStub = { responses: [{ proxy: { to: 'http://real' } }] };
  const own: MountebankStub = { predicates: [{ equals: { path: '/own' } }], responses: [{ is: { body: 'own' } }] };
  const answer = (body: string) => ({ is: { body } });
  const predicates = [{ deepEquals: { path: '/a' } }];
  expect(withRecorded([own, proxyStub], 1, predicates, answer('a1'), 'proxyOnce')).toEqual([own, { predicates, responses: [answer('a1')] }, proxyStub]);
  const once = withRecorded([proxyStub], 0, predicates, answer('a1'), 'proxyAlways');
  expect(once).toEqual([proxyStub, { predicates, responses: [answer('a1')] }]);
  expect(withRecorded(once, 0, predicates, answer('a2'), 'proxyAlways')).toEqual([proxyStub, { predicates, responses: [answer('a1'), answer('a2')] }]);
});
