import type { Adapter } from './adapter.js';
import { compile } from './compile.js';
import { Engine, type Outcome } from './engine.js';
import type { CoreRequest, RuleDefinition } from './model.js';

/** Compiles rules of one service; the engine is driven directly (no server: the engine knows no protocol). */
const compileOnly: Adapter = {
  protocol: 'test',
  create: () => {
    throw new Error('not served in engine unit tests');
  },
};

async function engineFor(rules: RuleDefinition[], seed = 7): Promise<Engine> {
  const model = await compile({ name: 'engine', seed, services: { api: { protocol: 'test', rules } } }, { adapters: [compileOnly] });
  return new Engine(model);
}

function request(operation: string): CoreRequest {
  return { protocol: 'test', service: 'api', operation, params: {}, query: {}, headers: {}, body: undefined, target: operation };
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
