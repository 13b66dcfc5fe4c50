// Where liveStub puts a mapping's rules (which route, which condition) and what it refuses; the
// requests they answer are in test/admin/wiremock-*.test.ts.
import { type CoreRequest, compileMatchers, type RuleDefinition } from '@mockstack/core';
import { WiremockMappingInvalid } from './errors.js';
import { type LiveStubContext, liveStub, type RestRoute } from './live-stub.js';

const routes: RestRoute[] = [
  { operation: 'GET /orders/:id', method: 'GET', path: '/orders/:id' },
  { operation: 'GET /users/:userId', method: 'GET', path: '/users/:userId' },
  { operation: 'POST /orders', method: 'POST', path: '/orders' },
];
const context = (overrides: Partial<LiveStubContext> = {}): LiveStubContext => ({
  services: new Map([['shop', routes]]),
  // As the REST router would: /orders/<one segment> is GET /orders/:id.
  routeOf: (_service, method, path) => {
    const id = /^\/orders\/([^/]+)$/.exec(path)?.[1];
    return method === 'GET' && id ? { operation: 'GET /orders/:id', params: { id: decodeURIComponent(id) } } : undefined;
  },
  declaredMachines: new Map([['payment', ['pending', 'paid']]]),
  addedMachines: new Map(),
  ...overrides,
});
const request = (target: string, fields: Partial<CoreRequest> = {}): CoreRequest => ({
  protocol: 'rest',
  service: 'shop',
  operation: '',
  params: {},
  query: {},
  headers: {},
  body: undefined,
  target,
  ...fields,
});
const matches = (rule: RuleDefinition | undefined, on: CoreRequest) => compileMatchers(rule?.match).every((m) => m.test(on));

test("a literal URL a scenario route takes goes to that route's operation, its parameters a condition", () => {
  const { rules } = liveStub({ request: { method: 'GET', urlPath: '/orders/ord_1' }, response: { status: 200 } }, context());
  expect(rules.map((r) => [r.operation, r.meta?.path])).toEqual([['GET /orders/:id', '/orders/:id']]);
  expect(matches(rules[0], request('GET /orders/ord_1', { params: { id: 'ord_1' } }))).toBe(true);
  expect(matches(rules[0], request('GET /orders/ord_2', { params: { id: 'ord_2' } }))).toBe(false);
});

test('a URL no route takes is a route of its own; `url` also tests the query', () => {
  const { rules } = liveStub({ request: { method: 'GET', url: '/refunds?page=2' }, response: {} }, context());
  expect(rules.map((r) => r.operation)).toEqual(['GET /refunds']);
  expect(matches(rules[0], request('GET /refunds?page=2'))).toBe(true);
  expect(matches(rules[0], request('GET /refunds?page=3'))).toBe(false);
});

test("urlPathTemplate takes the scenario's route of that shape, renaming its parameters", () => {
  const { rules } = liveStub(
    { request: { method: 'GET', urlPathTemplate: '/users/{id}', pathParameters: { id: { equalTo: 'u1' } } }, response: {} },
    context(),
  );
  expect(rules.map((r) => r.operation)).toEqual(['GET /users/:userId']);
  expect(matches(rules[0], request('GET /users/u1', { params: { userId: 'u1' } }))).toBe(true);
  expect(() =>
    liveStub(
      { request: { method: 'GET', urlPathTemplate: '/users/{id}' }, response: { body: '{{request.path.id}}', transformers: ['response-template'] } },
      context(),
    ),
  ).toThrow(/names userId: use those names in the template/);
});

test('a path pattern goes to each route that may take its paths and to a wildcard, tested on the path', () => {
  const { rules } = liveStub({ request: { method: 'GET', urlPathPattern: '/orders/ord_[0-9]+' }, response: {} }, context());
  expect(rules.map((r) => r.operation)).toEqual(['GET /orders/:id', 'GET /orders/*']);
  expect(matches(rules[0], request('GET /orders/ord_12?x=1'))).toBe(true);
  expect(matches(rules[0], request('GET /orders/abc'))).toBe(false);
  // A pattern with no literal head: every route of the method, and the root wildcard.
  expect(liveStub({ request: { method: 'GET', urlPattern: '.*/items\\?page=[0-9]' }, response: {} }, context()).rules.map((r) => r.operation)).toEqual([
    'GET /orders/:id',
    'GET /users/:userId',
    'GET /*',
  ]);
});

test('ANY is every method REST serves; a stub without a URL goes to every route of each', () => {
  const { rules } = liveStub({ request: { method: 'ANY' }, response: {} }, context());
  expect(rules.map((r) => r.operation)).toEqual([
    'GET /orders/:id',
    'GET /users/:userId',
    'GET /*',
    'POST /orders',
    'POST /*',
    'PUT /*',
    'PATCH /*',
    'DELETE /*',
  ]);
});

test('scenario states: an added machine starts at Started and grows; the scenario’s own must have the states', () => {
  const step = { scenarioName: 'Cart', requiredScenarioState: 'Started', newScenarioState: 'Full', request: { url: '/cart' }, response: {} };
  expect(liveStub(step, context()).machine).toEqual({ name: 'Cart', states: ['Started', 'Full'] });
  expect(
    liveStub({ ...step, requiredScenarioState: 'Full', newScenarioState: 'Paid' }, context({ addedMachines: new Map([['Cart', ['Started', 'Full']]]) }))
      .machine,
  ).toEqual({
    name: 'Cart',
    states: ['Started', 'Full', 'Paid'],
  });
  expect(liveStub({ ...step, scenarioName: 'payment', requiredScenarioState: 'pending', newScenarioState: 'paid' }, context()).rules[0]).toEqual(
    expect.objectContaining({ whenState: { payment: 'pending' }, setState: { payment: 'paid' } }),
  );
  expect(() => liveStub({ ...step, scenarioName: 'payment' }, context())).toThrow(
    /state machine payment has no state Started or Full; its states are pending, paid/,
  );
});

test('every problem is listed at once', () => {
  let refused: unknown;
  try {
    liveStub(
      { request: { method: 'TRACE', url: '/x', multipartPatterns: {} }, response: { bodyFileName: 'a.json' }, postServeActions: [{ name: 'audit' }] },
      context(),
    );
  } catch (error) {
    refused = error;
  }
  expect(refused).toBeInstanceOf(WiremockMappingInvalid);
  expect((refused as WiremockMappingInvalid).problems).toEqual([
    'request.multipartPatterns must be a list of multipart patterns',
    'bodyFileName a.json: there is no __files folder here; send the body as body or jsonBody',
    'postServeActions "audit" is not translated (a webhook with a url is)',
    'method TRACE is not served by REST services (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS and ANY are)',
  ]);
});
