import { type ExampleDispatch, exampleDispatchOf, loadOpenApi } from './index.js';
import type { RequestParts } from './request-validation.js';

/** One operation `POST /things/{id}` with these parts, loaded from text; its dispatch and the warnings said. */
async function dispatchOf(
  operation: Record<string, unknown>,
  names: readonly string[] = [],
): Promise<{ dispatch: ExampleDispatch | undefined; warnings: string[] }> {
  const examples = Object.fromEntries(names.map((name) => [name, { value: { name } }]));
  const document = {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/things/{id}': {
        post: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' }, examples } } } },
          ...operation,
        },
      },
    },
  };
  const api = await loadOpenApi('/virtual/things.json', { text: JSON.stringify(document) });
  const warnings: string[] = [];
  const dispatch = exampleDispatchOf(api, api.operations[0] as (typeof api.operations)[0], (message) => warnings.push(message));
  return { dispatch, warnings };
}

const request = (parts: Partial<RequestParts>): RequestParts => ({ params: { id: 'x' }, query: {}, headers: {}, body: undefined, ...parts });

const jsonBody = (exp: string, operator: string, cases: Record<string, string>) => ({
  'x-microcks-operation': { dispatcher: 'JSON_BODY', dispatcherRules: JSON.stringify({ exp, operator, cases }) },
});

describe('JSON_BODY operators', () => {
  test('range: brackets facing the numbers include them; text that is no number takes the default', async () => {
    const { dispatch } = await dispatchOf(jsonBody('/amount', 'range', { '[0;100[': 'small', '[100;1000]': 'large', default: 'other' }), [
      'small',
      'large',
      'other',
    ]);
    const pick = (amount: unknown) => dispatch?.pick(request({ body: { amount } }));
    expect([pick(0), pick(99.9), pick(100), pick(1000), pick(1001), pick('lots'), pick('250')]).toEqual([
      'small',
      'small',
      'large',
      'large',
      'other',
      'other',
      'large',
    ]);
  });

  test('regexp: the whole value must match a case', async () => {
    const { dispatch } = await dispatchOf(jsonBody('/sku', 'regexp', { 'BK-\\d+': 'book', default: 'other' }), ['book', 'other']);
    expect(dispatch?.pick(request({ body: { sku: 'BK-12' } }))).toBe('book');
    expect(dispatch?.pick(request({ body: { sku: 'xBK-12' } }))).toBe('other');
  });

  test('presence: found or missing, null counting as found', async () => {
    const { dispatch } = await dispatchOf(jsonBody('/coupon', 'presence', { found: 'discounted', missing: 'full' }), ['discounted', 'full']);
    expect(dispatch?.pick(request({ body: { coupon: 'X' } }))).toBe('discounted');
    expect(dispatch?.pick(request({ body: { coupon: null } }))).toBe('discounted');
    expect(dispatch?.pick(request({ body: {} }))).toBe('full');
  });

  test('equals reads numbers and booleans as text; a body that is no JSON picks nothing', async () => {
    const { dispatch } = await dispatchOf(jsonBody('/vip', 'equals', { true: 'vip' }), ['vip']);
    expect(dispatch?.pick(request({ body: { vip: true } }))).toBe('vip');
    expect(dispatch?.pick(request({ body: { vip: false } }))).toBeUndefined();
    expect(dispatch?.pick(request({ body: '{not json' }))).toBeUndefined();
  });

  test('cases naming no response example and bad regular expressions are said', async () => {
    const { warnings } = await dispatchOf(jsonBody('/sku', 'regexp', { '(': 'book', 'x+': 'nothing' }), ['book']);
    expect(warnings).toEqual([
      expect.stringMatching(/^POST \/things\/\{id\}: dispatcherRules of JSON_BODY: case "x\+" names "nothing", which is no response example/),
      expect.stringMatching(/^POST \/things\/\{id\}: dispatcherRules of JSON_BODY: case "\(" is no regular expression/),
    ]);
  });

  test('an operator Microcks does not have is said, and nothing is paired', async () => {
    const { dispatch, warnings } = await dispatchOf(jsonBody('/sku', 'contains', { a: 'book' }), ['book']);
    expect(dispatch).toBeUndefined();
    expect(warnings[0]).toMatch(/operator "contains"; write one of equals, range, regexp, size, presence/);
  });
});

describe('parameter dispatchers', () => {
  const withExamples = (extension: Record<string, unknown>) => ({
    'x-microcks-operation': extension,
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string' }, examples: { first: { value: 'a' }, second: { value: 'b' } } },
      { name: 'X-Tenant', in: 'header', schema: { type: 'string' }, examples: { first: { value: 'acme' }, second: { value: 'globex' } } },
      { name: 'tag', in: 'query', schema: { type: 'array', items: { type: 'string' } }, examples: { first: { value: ['x', 'y'] } } },
    ],
  });

  test('URI_ELEMENTS compares the path parts before ?? and the query parameters after it; arrays as repeated parameters, in any order', async () => {
    const { dispatch } = await dispatchOf(withExamples({ dispatcher: 'URI_ELEMENTS', dispatcherRules: 'id ?? tag' }), ['first', 'second']);
    expect(dispatch?.pick(request({ params: { id: 'a' }, query: { tag: ['y', 'x'] } }))).toBe('first');
    expect(dispatch?.pick(request({ params: { id: 'a' }, query: { tag: 'x' } }))).toBeUndefined();
    expect(dispatch?.pick(request({ params: { id: 'b' } }))).toBe('second');
    // The header is not compared by this dispatcher.
    expect(dispatch?.pick(request({ params: { id: 'b' }, headers: { 'x-tenant': 'acme' } }))).toBe('second');
  });

  test('QUERY_HEADER compares the headers named, whatever their case', async () => {
    const { dispatch } = await dispatchOf(withExamples({ dispatcher: 'QUERY_HEADER', dispatcherRules: 'X-Tenant' }), ['first', 'second']);
    expect(dispatch?.pick(request({ params: { id: 'zzz' }, headers: { 'x-tenant': 'globex' } }))).toBe('second');
    expect(dispatch?.pick(request({ headers: { 'x-tenant': 'initech' } }))).toBeUndefined();
  });

  test('without a dispatcher every value an example gives is compared', async () => {
    const { dispatch } = await dispatchOf(withExamples({}), ['first', 'second']);
    expect(dispatch?.pick(request({ params: { id: 'b' }, headers: { 'x-tenant': 'globex' } }))).toBe('second');
    expect(dispatch?.pick(request({ params: { id: 'b' }, headers: { 'x-tenant': 'acme' } }))).toBeUndefined();
    expect(dispatch?.pick(request({ params: { id: 'a' }, headers: { 'x-tenant': 'acme' }, query: { tag: ['x', 'y'] } }))).toBe('first');
  });
});

describe('delay', () => {
  test('fixed, random and random-N become delays drawn from the seed; a delay that is no number is said', async () => {
    expect((await dispatchOf({ 'x-microcks-operation': { delay: 250 } })).dispatch?.delay).toBe(250);
    expect((await dispatchOf({ 'x-microcks-operation': { delay: 250, delayStrategy: 'random' } })).dispatch?.delay).toEqual({ min: 0, max: 250 });
    expect((await dispatchOf({ 'x-microcks-operation': { delay: 200, delayStrategy: 'random-20' } })).dispatch?.delay).toEqual({ min: 160, max: 240 });
    const { dispatch, warnings } = await dispatchOf({ 'x-microcks-operation': { delay: '1s' } });
    expect(dispatch).toBeUndefined();
    expect(warnings).toEqual(['POST /things/{id}: x-microcks-operation.delay is "1s"; write a number of milliseconds; no delay is applied']);
  });
});

test('an operation without examples or x-microcks-operation has no dispatch', async () => {
  expect((await dispatchOf({}, ['a', 'b'])).dispatch).toBeUndefined();
});
