import type { Adapter } from './adapter.js';
import { compile, scenarioDefinitionOf } from './compile.js';
import { ErrorCode, ScenarioCompileError } from './errors.js';
import { type Fault, KIND, type RuleDefinition, SCENARIO, type ScenarioDefinition, type ServiceDefinition } from './model.js';

/** An adapter that only compiles (the model is checked, never served). */
const compileOnly: Adapter = {
  protocol: 'test',
  create: () => {
    throw new Error('not served in compile unit tests');
  },
};

const unavailable: Fault = { [KIND]: 'fault', code: 'UNAVAILABLE', message: 'down' } as Fault;

function service(rules: RuleDefinition[], more: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return { protocol: 'test', rules, ...more };
}

function scenarioOf(services: Record<string, ServiceDefinition>, more: Partial<ScenarioDefinition> = {}): ScenarioDefinition {
  return { name: 'compile', services, ...more };
}

/** The problems compile reports, in order (it throws them all at once). */
async function problemsOf(definition: ScenarioDefinition, adapters: readonly Adapter[] = [compileOnly]): Promise<string[]> {
  const error = await compile(definition, { adapters }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ScenarioCompileError)) throw new Error(`expected a ScenarioCompileError, got ${String(error)}`);
  expect(error.code).toBe(ErrorCode.ScenarioCompile);
  return error.problems.map((p) => p.message);
}

describe('rules', () => {
  test('get ids by service and place, and keep their written order within each operation', async () => {
    const model = await compile(
      scenarioOf({
        api: service([
          { operation: 'GET /a', match: { query: { v: '1' } }, respond: 'a1' },
          { operation: 'GET /b', respond: 'b' },
          { operation: 'GET /a', respond: 'a' },
        ]),
      }),
      { adapters: [compileOnly] },
    );
    const operations = model.services.get('api')?.operations;
    expect([...(operations?.keys() ?? [])]).toEqual(['GET /a', 'GET /b']);
    expect(operations?.get('GET /a')?.rules.map((r) => r.id)).toEqual(['api#1', 'api#3']);
    expect(operations?.get('GET /b')?.rules.map((r) => r.id)).toEqual(['api#2']);
    expect(operations?.get('GET /a')?.rules[0]?.matchers).toHaveLength(1);
  });

  test("operations the service declares are in the model without rules (the contract's, served by fallback)", async () => {
    const model = await compile(
      scenarioOf({ api: service([{ operation: 'GET /a', respond: 'a' }], { operations: [{ id: 'GET /pets', meta: { documented: true } }] }) }),
      { adapters: [compileOnly] },
    );
    expect(model.services.get('api')?.operations.get('GET /pets')).toEqual({ id: 'GET /pets', rules: [], meta: { documented: true } });
  });

  test('a fixed answer without conditions makes every later rule of its operation unreachable', async () => {
    expect(
      await problemsOf(
        scenarioOf({
          api: service([
            { operation: 'GET /a', respond: 'first' },
            { operation: 'GET /a', respond: 'never' },
            { operation: 'GET /b', respond: 'fine' },
          ]),
        }),
      ),
    ).toEqual([
      'duplicate route: GET /a of service "api" is already answered by rule api#1, so rule api#2 can never answer; give the first a `match` or `times`, or remove one',
    ]);
  });

  test('a rule with times, a condition or a handler before it does not hide later rules', async () => {
    await expect(
      compile(
        scenarioOf({
          api: service([
            { operation: 'GET /a', times: 1, respond: 'once' },
            { operation: 'GET /a', match: { query: { v: '1' } }, respond: 'v1' },
            { operation: 'GET /a', respond: () => 'handler' },
            { operation: 'GET /a', respond: 'last' },
          ]),
        }),
        { adapters: [compileOnly] },
      ),
    ).resolves.toBeDefined();
  });
});

describe('problems', () => {
  test('every problem of the scenario is reported at once', async () => {
    expect(
      await problemsOf(
        scenarioOf(
          {
            api: service(
              [
                { operation: 'a', times: 0, respond: 'a' },
                { operation: 'b', rateLimit: { limit: 0, window: '1s' }, respond: 'b' },
                { operation: 'c', chaos: { failRate: 2 }, respond: 'c' },
                { operation: 'd', whenState: { door: 'ajar' }, respond: 'd' },
              ],
              { port: 70000 },
            ),
            other: { protocol: 'soap', rules: [] },
          },
          { machines: { door: ['closed', 'open'] }, variants: { broken: { missing: unavailable } } },
        ),
      ),
    ).toEqual([
      'service "api" has port 70000; use 0 (random) or an integer from 1 to 65535',
      'rule api#1 has times: 0; use a whole number of 1 or more',
      'rule api#2 has rateLimit {"limit":0,"window":"1s"}; write { limit: 10, window: \'1s\' } (limit ≥ 1, a window above 0)',
      'rule api#3 has chaos failRate 2; use a number from 0 to 1 and, optionally, fault: fault.unavailable()',
      'rule api#4 whenState refers to state "ajar" of machine "door", which has: closed, open',
      'service "other" uses protocol "soap", which no installed adapter serves (have: test)',
      'variant "broken" changes service "missing", which the scenario does not declare (services: api)',
    ]);
  });

  test('a scenario without a name, machines without states, and two services on one port', async () => {
    expect(
      await problemsOf({
        name: ' ',
        machines: { empty: [], twice: ['a', 'a'] },
        services: { one: service([], { port: 8080 }), two: service([], { port: 8080 }) },
      }),
    ).toEqual([
      'state machine "empty" needs a list of distinct state names, the first being where it starts',
      'state machine "twice" needs a list of distinct state names, the first being where it starts',
      'the scenario needs a name: scenario("checkout", { … })',
      'services "one" and "two" both want port 8080; give each its own port (or 0 for a random one)',
    ]);
  });

  test("the adapter's validate adds its problems to the others", async () => {
    const validating: Adapter = { ...compileOnly, validate: (svc) => [{ message: `${svc.name}: path template is bad` }] };
    expect(await problemsOf(scenarioOf({ api: service([{ operation: 'a', times: 0, respond: 'a' }]) }), [validating])).toEqual([
      'rule api#1 has times: 0; use a whole number of 1 or more',
      'api: path template is bad',
    ]);
  });
});

describe('services', () => {
  test("the adapter's expand turns the written service into the one compiled, with the scenario's seed", async () => {
    const seen: unknown[] = [];
    const expanding: Adapter = {
      ...compileOnly,
      protocol: 'short',
      expand: (written, context) => {
        seen.push({ name: context.name, seed: context.seed });
        return { ...written, protocol: 'test', operations: [{ id: 'from-contract', meta: {} }] };
      },
    };
    const model = await compile(scenarioOf({ api: { protocol: 'short', rules: [] } }, { seed: 42 }), { adapters: [expanding, compileOnly] });
    expect(seen).toEqual([{ name: 'api', seed: 42 }]);
    expect(model.services.get('api')).toMatchObject({ protocol: 'test', port: 0, host: '127.0.0.1' });
    expect([...(model.services.get('api')?.operations.keys() ?? [])]).toEqual(['from-contract']);
  });

  test('services bind to the host given at compile unless they name their own; the seed defaults to 1', async () => {
    const model = await compile(scenarioOf({ a: service([]), b: service([], { host: '0.0.0.0' }) }), { adapters: [compileOnly], host: '::1' });
    expect(model.services.get('a')?.host).toBe('::1');
    expect(model.services.get('b')?.host).toBe('0.0.0.0');
    expect(model.seed).toBe(1);
  });
});

describe('variants', () => {
  test('a fault, a rule list or an overlay object; variant rules get their own ids; a new operation is added empty', async () => {
    const model = await compile(
      scenarioOf(
        { api: service([{ operation: 'a', respond: 'a' }]) },
        {
          variants: {
            down: { api: unavailable },
            extra: { api: [{ operation: 'b', respond: 'b' }] },
            slow: { api: { delay: '2s', rules: [{ operation: 'a', respond: 'slow a' }] } },
          },
        },
      ),
      { adapters: [compileOnly] },
    );
    expect(model.variants.get('down')?.services.get('api')?.fault).toBe(unavailable);
    expect(
      model.variants
        .get('extra')
        ?.services.get('api')
        ?.rules.get('b')
        ?.map((r) => r.id),
    ).toEqual(['extra:api#1']);
    expect(model.variants.get('slow')?.services.get('api')).toMatchObject({ delay: '2s' });
    expect(
      model.variants
        .get('slow')
        ?.services.get('api')
        ?.rules.get('a')
        ?.map((r) => r.id),
    ).toEqual(['slow:api#1']);
    expect(model.services.get('api')?.operations.get('b')).toEqual({ id: 'b', rules: [], meta: {} });
  });
});

test('scenarioDefinitionOf reads the definition a scenario module exports, and nothing else', () => {
  const definition = scenarioOf({});
  expect(scenarioDefinitionOf({ [SCENARIO]: definition })).toBe(definition);
  expect(scenarioDefinitionOf({ name: 'looks like one' })).toBeUndefined();
  expect(scenarioDefinitionOf(null)).toBeUndefined();
});
