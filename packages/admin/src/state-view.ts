import { ErrorCode, MAX_DEPTH, MockstackError, nearest, preview, TRUNCATED } from '@mockstack/core';

/**
 * The scenario's state as JSON and back: Maps, Sets, Dates and bigints are tagged
 * (`{ "$map": [[key, value], …] }`, `{ "$set": […] }`, `{ "$date": "…" }`, `{ "$bigint": "…" }`) so that
 * a `GET /__admin/state` sent back with `PUT` gives the same values. Functions are left out.
 */
export function stateToJson(value: unknown, depth = 0): unknown {
  // State may hold what clients sent (a body nested thousands deep): cut, with a marker, where the journal cuts bodies.
  if (depth > MAX_DEPTH && value !== null && typeof value === 'object') return `${TRUNCATED}: nested deeper than ${MAX_DEPTH} levels`;
  const below = (v: unknown): unknown => stateToJson(v, depth + 1);
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [below(k), below(v)]) };
  if (value instanceof Set) return { $set: [...value].map((v) => below(v)) };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (Array.isArray(value)) return value.map((v) => below(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (typeof v !== 'function' && v !== undefined) out[key] = below(v);
    return out;
  }
  return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
}

/** The inverse of `stateToJson`. */
export function stateFromJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stateFromJson);
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    if (Array.isArray(record.$map)) return new Map(record.$map.map((pair) => pairOf(pair)));
    if (Array.isArray(record.$set)) return new Set(record.$set.map(stateFromJson));
    if (typeof record.$date === 'string') return new Date(record.$date);
    if (typeof record.$bigint === 'string') return BigInt(record.$bigint);
  }
  return Object.fromEntries(keys.map((key) => [key, stateFromJson(record[key])]));
}

function pairOf(pair: unknown): [unknown, unknown] {
  if (!Array.isArray(pair) || pair.length !== 2) throw invalid(`each entry of a "$map" is a [key, value] pair, not ${preview(pair)}`);
  return [stateFromJson(pair[0]), stateFromJson(pair[1])];
}

type Kind = 'map' | 'set' | 'date' | 'array' | 'object' | 'string' | 'number' | 'boolean' | 'bigint' | 'null';

function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Map) return 'map';
  if (value instanceof Set) return 'set';
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint' ? type : 'object';
}

/**
 * The state after a `PUT /__admin/state`: each key sent replaces that key's value; keys not sent
 * keep theirs. A key the scenario's state does not have, or a value of another kind than the
 * current one (a list for a Map, text for a number), is refused with what was expected.
 */
export function mergeState(current: unknown, sent: unknown): unknown {
  const decoded = stateFromJson(sent);
  if (kindOf(current) !== 'object' || kindOf(decoded) !== 'object') {
    if (kindOf(current) !== 'null' && kindOf(current) !== kindOf(decoded))
      throw invalid(`the state is ${article(kindOf(current))}; send ${article(kindOf(current))} (GET /__admin/state shows its form)`);
    return decoded;
  }
  const state = current as Record<string, unknown>;
  const updates = decoded as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(updates)) {
    if (!Object.hasOwn(state, key)) {
      const [closest] = nearest(key, Object.keys(state), 1);
      problems.push(`the state has no key "${key}"${closest ? ` (did you mean "${closest}"?)` : ''}`);
      continue;
    }
    const want = kindOf(state[key]);
    const got = kindOf(value);
    if (want !== 'null' && got !== 'null' && want !== got) problems.push(`"${key}" is ${article(want)}, not ${article(got)}${tagHint(want)}`);
  }
  if (problems.length) throw invalid(`${problems.join('; ')}; keys: ${Object.keys(state).join(', ')}`);
  return Object.assign(state, updates);
}

function article(kind: Kind): string {
  return kind === 'array' || kind === 'object' ? `an ${kind}` : kind === 'null' ? 'null' : `a ${kind === 'map' ? 'Map' : kind === 'set' ? 'Set' : kind}`;
}

function tagHint(kind: Kind): string {
  return kind === 'map'
    ? ' (send { "$map": [[key, value], …] })'
    : kind === 'set'
      ? ' (send { "$set": [ … ] })'
      : kind === 'date'
        ? ' (send { "$date": "ISO time" })'
        : '';
}

function invalid(message: string): MockstackError {
  return new MockstackError(ErrorCode.AdminStateInvalid, message);
}
