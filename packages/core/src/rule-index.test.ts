import type { Adapter } from './adapter.js';
import { compile } from './compile.js';
import { Engine } from './engine.js';
import { compileMatchers } from './match.js';
import type { CoreRequest, MatchSpec, Rule, RuleDefinition, ValueMatcher } from './model.js';
import { SeededRandom } from './random.js';
import { fallThroughMarker, makeSequence } from './reply.js';
import { INDEX_MIN_RULES, RuleIndex } from './rule-index.js';

/** Values rules want and requests carry: strings and numbers that print alike ('1' and 1), so type matters in bodies. */
const VALUES: readonly (string | number | boolean | null)[] = ['1', 1, '2', 2, 'a', 'b', true, 'true', null, 'null', 0, '0'];

function pick<T>(random: SeededRandom, xs: readonly T[]): T {
  return xs[Math.floor(random.next() * xs.length)] as T;
}

function randomWanted(random: SeededRandom): ValueMatcher {
  const roll = random.next();
  if (roll < 0.1) return /^[12]$/;
  if (roll < 0.15) return (v: unknown) => v === undefined;
  const value = pick(random, VALUES);
  return value === null ? 'null' : value;
}

function randomBody(random: SeededRandom, depth = 0): unknown {
  const roll = random.next();
  if (depth < 2 && roll < 0.35) {
    const body: Record<string, unknown> = {};
    for (const key of ['x', 'y'].slice(0, 1 + Math.floor(random.next() * 2))) body[key] = randomBody(random, depth + 1);
    return body;
  }
  if (roll < 0.45) return [pick(random, VALUES)];
  if (roll < 0.5) return /a|1/;
  return pick(random, VALUES);
}

function randomSpec(random: SeededRandom): MatchSpec | undefined {
  const spec: MatchSpec = {};
  if (random.next() < 0.6) spec.params = { id: randomWanted(random) };
  if (random.next() < 0.3) spec.query = { q: randomWanted(random) };
  if (random.next() < 0.3) spec.headers = { 'X-Tenant': randomWanted(random) };
  if (random.next() < 0.3) spec.body = randomBody(random);
  else if (random.next() < 0.1) spec.bodyEquals = randomBody(random);
  if (random.next() < 0.05) spec.when = (r) => r.params.id === '2';
  return Object.keys(spec).length ? spec : undefined;
}

function randomRequest(random: SeededRandom): CoreRequest {
  const text = () => String(pick(random, VALUES));
  const params: Record<string, string> = random.next() < 0.9 ? { id: text() } : {};
  const query: Record<string, string | string[]> = {};
  if (random.next() < 0.5) query.q = random.next() < 0.2 ? [text(), text()] : text();
  const headers: Record<string, string> = random.next() < 0.5 ? { 'x-tenant': text() } : {};
  const body = random.next() < 0.8 ? randomBody(random) : undefined;
  return { protocol: 'test', service: 'api', operation: 'GET /things/:id', params, query, headers, body, target: 'GET /things' };
}

function randomRules(random: SeededRandom, count: number): Rule[] {
  return Array.from({ length: count }, (_, i) => ({ id: `api#${i}`, operation: 'op', respond: i, matchers: compileMatchers(randomSpec(random)) }));
}

test('the index leaves out no rule that matches, and gives candidates in declared order (random rule sets)', () => {
  const random = new SeededRandom(17);
  let matched = 0;
  let skipped = 0;
  for (let set = 0; set < 100; set++) {
    const rules = randomRules(random, INDEX_MIN_RULES + Math.floor(random.next() * 60));
    const index = new RuleIndex(rules);
    for (let r = 0; r < 50; r++) {
      const request = randomRequest(random);
      const candidates = index.candidates(request);
      const unordered = candidates.filter((position, c) => c > 0 && position <= (candidates[c - 1] as number));
      const matching = rules.flatMap((rule, position) => (rule.matchers.every((m) => m.test(request)) ? [position] : []));
      const candidateSet = new Set(candidates);
      const left = matching.filter((position) => !candidateSet.has(position));
      if (unordered.length || left.length) expect({ request, candidates, unordered, left }).toEqual({ request, candidates, unordered: [], left: [] });
      matched += matching.length;
      skipped += rules.length - candidates.length;
    }
  }
  // the sets exercise both sides: rules that match, and rules the index skips
  expect(matched).toBeGreaterThan(500);
  expect(skipped).toBeGreaterThan(5000);
});

const compileOnly: Adapter = {
  protocol: 'test',
  create: () => {
    throw new Error('not served in engine unit tests');
  },
};

async function engineFor(rules: RuleDefinition[]): Promise<Engine> {
  const model = await compile({ name: 'index', seed: 1, services: { api: { protocol: 'test', rules } } }, { adapters: [compileOnly] });
  return new Engine(model);
}

test('an engine with many rules on one operation answers as a scan in declared order would, `times` included (random rule sets)', async () => {
  const random = new SeededRandom(42);
  for (let set = 0; set < 20; set++) {
    const count = INDEX_MIN_RULES + Math.floor(random.next() * 80);
    const definitions: RuleDefinition[] = Array.from({ length: count }, (_, i) => ({
      operation: 'GET /things/:id',
      // (a rule matching everything, without `times`, would hide the rest: compile refuses that)
      match: randomSpec(random) ?? { query: { q: 'a' } },
      respond: i,
      times: random.next() < 0.3 ? 1 + Math.floor(random.next() * 3) : undefined,
    }));
    const engine = await engineFor(definitions);
    const matchers = definitions.map((d) => compileMatchers(d.match));
    const calls = definitions.map(() => 0);
    for (let r = 0; r < 150; r++) {
      const request = randomRequest(random);
      // the reference: every rule tested in declared order
      const expected = definitions.findIndex(
        (d, i) => (d.times === undefined || (calls[i] as number) < d.times) && (matchers[i] ?? []).every((m) => m.test(request)),
      );
      if (expected >= 0) calls[expected] = (calls[expected] as number) + 1;
      const outcome = await engine.handle(request);
      expect(outcome.kind === 'body' ? outcome.body : outcome.kind).toEqual(expected >= 0 ? expected : 'unmatched');
    }
  }
});

test('with the index, a sequence keeps its place and fallThrough() goes on to the next rule wanting the same value', async () => {
  const other = (i: number): RuleDefinition => ({ operation: 'GET /things/:id', match: { params: { id: `other-${i}` } }, respond: `other ${i}` });
  const engine = await engineFor([
    ...Array.from({ length: 10 }, (_, i) => other(i)),
    { operation: 'GET /things/:id', match: { params: { id: '7' } }, respond: makeSequence(['first', 'second'], 'unmatched') },
    ...Array.from({ length: 10 }, (_, i) => other(i + 10)),
    { operation: 'GET /things/:id', match: { params: { id: '8' } }, respond: () => fallThroughMarker },
    { operation: 'GET /things/:id', match: { when: (r) => r.params.id === '8' && r.query.last === undefined }, respond: 'predicate' },
    { operation: 'GET /things/:id', match: { params: { id: '8' } }, respond: 'after fall-through' },
  ]);
  const answer = async (id: string, query = {}) => {
    const outcome = await engine.handle({ ...randomRequest(new SeededRandom(1)), params: { id }, query, headers: {}, body: undefined });
    return outcome.kind === 'body' ? outcome.body : outcome.kind;
  };
  expect(await answer('7')).toBe('first');
  expect(await answer('other-15')).toBe('other 15');
  expect(await answer('7')).toBe('second');
  expect(await answer('7')).toBe('unmatched');
  expect(await answer('8')).toBe('predicate');
  expect(await answer('8', { last: '1' })).toBe('after fall-through');
  expect(await answer('9')).toBe('unmatched');
});
