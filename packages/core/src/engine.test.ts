import type { Adapter } from './adapter.js';
import { compile } from './compile.js';
import { type ContractDefault, Engine, type Outcome } from './engine.js';
import type { CoreRequest, RuleDefinition, ScenarioDefinition } from './model.js';
import { fallThroughMarker } from './reply.js';

/** Compiles rules of one service; the engine is driven directly (no server: the engine knows no protocol). */
const compileOnly: Adapter = {
  protocol: 'test',
  create: () => {
    throw new Error('not served in engine unit tests');
  },
};

async function engineFor(rules: RuleDefinition[], seed = 7, more: Partial<ScenarioDefinition> = {}): Promise<Engine> {
  const model = await compile({ name: 'engine', seed, services: { api: { protocol: 'test', rules } }, ...more }, { adapters: [compileOnly] });
  return new Engine(model);
}

function request(operation: string, query: Record<string, string> = {}): CoreRequest {
  return { protocol: 'test', service: 'api', operation, params: {}, query, headers: {}, body: undefined, target: operation };
}

/** The id of the rule that answered, or the outcome's kind when none did. */
async function answeredBy(engine: Engine, operation: string, query: Record<string, string> = {}, contract?: ContractDefault): Promise<string> {
  const outcome = await engine.handle(request(operation, query), contract);
  return 'rule' in outcome && outcome.rule ? outcome.rule.id : outcome.kind;
}

async function kind(engine: Engine, operation: string): Promise<Outcome['kind']> {
  return (await engine.handle(request(operation))).kind;
}

describe('one random stream per rule', () => {
  const rules: RuleDefinition[] = [
    { operation: 'a', respond: 'a', chaos: { failRate: 0.5 } },
    { operation: 'b', respond: 'b', chaos: { failRate: 0.5 } },
  ];

  test("a rule's chaos outcomes depend only on its own calls, not on other traffic", async () => {
    const alone = await engineFor(rules);
    const aAlone: string[] = [];
    for (let i = 0; i < 30; i++) aAlone.push(await kind(alone, 'a'));

    const mixed = await engineFor(rules);
    const aMixed: string[] = [];
    for (let i = 0; i < 30; i++) {
      await kind(mixed, 'b');
      aMixed.push(await kind(mixed, 'a'));
      if (i % 3 === 0) await kind(mixed, 'b');
    }
    expect(aMixed).toEqual(aAlone);
    expect(aAlone).toContain('fault');
    expect(aAlone).toContain('body');
  });

  test('reset starts every stream again from the seed', async () => {
    const engine = await engineFor(rules);
    const first: string[] = [];
    for (let i = 0; i < 20; i++) first.push(await kind(engine, 'a'));
    engine.reset();
    const again: string[] = [];
    for (let i = 0; i < 20; i++) again.push(await kind(engine, 'a'));
    expect(again).toEqual(first);
  });
});

describe('fallback', () => {
  test("an operation without rules answers 'fallback' when the adapter has a contract, and is unmatched otherwise", async () => {
    const engine = await engineFor([{ operation: 'ruled', match: { query: { x: '1' } }, respond: 'ruled' }]);
    expect(await engine.handle(request('unruled'), 'unruled')).toMatchObject({ kind: 'fallback', rule: { id: 'contract:unruled' } });
    expect(await kind(engine, 'unruled')).toBe('unmatched');
    // gRPC's kind of contract: rules that miss give the near-miss report, not the contract's answer.
    expect(await kind(engine, 'ruled')).toBe('unmatched');
    expect(await engine.handle(request('ruled'), 'unruled')).toMatchObject({ kind: 'unmatched' });
    expect(await engine.handle(request('ruled'), 'unmatched')).toMatchObject({ kind: 'fallback', rule: { id: 'contract:ruled' } });
  });
});

describe('rule order', () => {
  test('the first rule that matches answers, in the order written', async () => {
    const engine = await engineFor([
      { operation: 'a', match: { query: { v: '1' } }, respond: 'v1' },
      { operation: 'a', match: { query: { v: '1' } }, respond: 'never: v1 above wins' },
      { operation: 'a', respond: 'any' },
    ]);
    expect(await answeredBy(engine, 'a', { v: '1' })).toBe('api#1');
    expect(await answeredBy(engine, 'a', { v: '2' })).toBe('api#3');
  });

  test('a rule whose times are spent lets the next answer, until reset', async () => {
    const engine = await engineFor([
      { operation: 'a', times: 2, respond: 'twice' },
      { operation: 'a', match: { query: { v: '1' } }, respond: 'only v1' },
    ]);
    expect([await answeredBy(engine, 'a', { v: '1' }), await answeredBy(engine, 'a', { v: '1' }), await answeredBy(engine, 'a', { v: '1' })]).toEqual([
      'api#1',
      'api#1',
      'api#2',
    ]);
    // Spent and nothing else matches: unmatched, or the contract's answer where the adapter has one for misses.
    expect(await answeredBy(engine, 'a')).toBe('unmatched');
    expect(await answeredBy(engine, 'a', {}, 'unmatched')).toBe('contract:a');
    await engine.reset();
    expect(await answeredBy(engine, 'a')).toBe('api#1');
  });

  test('a rule waiting for another state of a machine is passed over', async () => {
    const engine = await engineFor(
      [
        { operation: 'a', whenState: { door: 'open' }, respond: 'open' },
        { operation: 'a', setState: { door: 'open' }, respond: 'opening' },
      ],
      7,
      { machines: { door: ['closed', 'open'] } },
    );
    expect(await answeredBy(engine, 'a')).toBe('api#2');
    expect(await answeredBy(engine, 'a')).toBe('api#1');
  });

  test('a handler that falls through hands the call to the next rule that matches', async () => {
    const engine = await engineFor([
      { operation: 'a', respond: () => fallThroughMarker },
      { operation: 'a', respond: 'next' },
    ]);
    expect(await answeredBy(engine, 'a')).toBe('api#2');
  });

  test("an active variant's rules come before the service's, and only while it is on", async () => {
    const engine = await engineFor([{ operation: 'a', respond: 'base' }], 7, {
      variants: { vip: { api: [{ operation: 'a', match: { query: { vip: 'yes' } }, respond: 'vip' }] } },
    });
    await engine.setVariants(['vip']);
    expect(await answeredBy(engine, 'a', { vip: 'yes' })).toBe('vip:api#1');
    expect(await answeredBy(engine, 'a')).toBe('api#1');
    await engine.setVariants([]);
    expect(await answeredBy(engine, 'a', { vip: 'yes' })).toBe('api#1');
  });
});
