import type { ExactCondition } from './match.js';
import type { CoreRequest, Rule } from './model.js';

/** Fewer rules than this on one operation are scanned: an index would cost more than it saves. */
export const INDEX_MIN_RULES = 8;

interface Dimension {
  read: ExactCondition['read'];
  /** Positions (ascending) of the rules keyed in this dimension, by the key they want. */
  rules: Map<string, number[]>;
}

/**
 * The rules of one operation indexed by an exact value each requires (`params.id` is "42", a header,
 * a query value, a body leaf), so that a request is tested only against the rules that can match it:
 * those wanting its own values, and those with no exact condition (predicates, RegExps, none). The
 * engine then tests these in declared order exactly as it would test every rule (`times`, `whenState`,
 * every matcher), so the first declared rule that matches still wins.
 *
 * Each rule is keyed by one of its exact conditions, the one whose part of the request most rules
 * name (so a request reads few parts).
 */
export class RuleIndex {
  readonly #dimensions: Dimension[] = [];
  /** Positions (ascending) of the rules with no exact condition: candidates for every request. */
  readonly #unkeyed: number[] = [];

  constructor(rules: readonly Rule[]) {
    const named = new Map<string, number>();
    for (const rule of rules) {
      const dimensions = new Set(rule.matchers.flatMap((m) => m.exact.map((c) => c.dimension)));
      for (const dimension of dimensions) named.set(dimension, (named.get(dimension) ?? 0) + 1);
    }
    const byName = new Map<string, Dimension>();
    rules.forEach((rule, position) => {
      let best: ExactCondition | undefined;
      for (const matcher of rule.matchers) {
        for (const condition of matcher.exact) {
          if (!best || (named.get(condition.dimension) ?? 0) > (named.get(best.dimension) ?? 0)) best = condition;
        }
      }
      if (!best) {
        this.#unkeyed.push(position);
        return;
      }
      let dimension = byName.get(best.dimension);
      if (!dimension) {
        dimension = { read: best.read, rules: new Map() };
        byName.set(best.dimension, dimension);
        this.#dimensions.push(dimension);
      }
      const positions = dimension.rules.get(best.key);
      if (positions) positions.push(position);
      else dimension.rules.set(best.key, [position]);
    });
  }

  /** Whether the index leaves out any rule for some request (else scanning every rule is as good). */
  get selective(): boolean {
    return this.#dimensions.length > 0;
  }

  /** Positions (ascending) of the rules that can match `request`: every other rule fails one of its exact conditions. */
  candidates(request: CoreRequest): readonly number[] {
    let found: readonly number[] = this.#unkeyed;
    for (const dimension of this.#dimensions) {
      const key = dimension.read(request);
      const positions = key === undefined ? undefined : dimension.rules.get(key);
      if (positions) found = found.length === 0 ? positions : mergeAscending(found, positions);
    }
    return found;
  }
}

function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const merged = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = (a[i] as number) < (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) merged[k++] = a[i++] as number;
  while (j < b.length) merged[k++] = b[j++] as number;
  return merged;
}
