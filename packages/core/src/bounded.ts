/**
 * Bounds for walking user data (request bodies, journal entries): nothing that recurses over what a
 * client sent may go deeper than this, or a body of thousands of nested arrays overflows the stack.
 */
export const MAX_DEPTH = 64;

/** What stands in for a part of a body cut off by a bound. */
export const TRUNCATED = '[truncated by mockstack]';

/**
 * A copy of `value` no deeper than `maxDepth`: deeper parts (and cycles) are replaced by a marker
 * string saying so. Plain data comes back equal when it is within the bound.
 */
export function boundedCopy(value: unknown, maxDepth = MAX_DEPTH): unknown {
  const copy = (v: unknown, depth: number, seen: Set<object>): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (depth >= maxDepth) return `${TRUNCATED}: nested deeper than ${maxDepth} levels`;
    if (seen.has(v)) return `${TRUNCATED}: a cycle`;
    if (ArrayBuffer.isView(v)) return v;
    seen.add(v);
    const result = Array.isArray(v)
      ? v.map((item) => copy(item, depth + 1, seen))
      : Object.fromEntries(Object.entries(v).map(([key, item]) => [key, copy(item, depth + 1, seen)]));
    seen.delete(v);
    return result;
  };
  return copy(value, 0, new Set());
}

/** Whether `value` nests deeper than `maxDepth` (a walk that stops at the bound). */
export function deeperThan(value: unknown, maxDepth = MAX_DEPTH): boolean {
  const walk = (v: unknown, depth: number): boolean => {
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return false;
    if (depth >= maxDepth) return true;
    for (const item of Array.isArray(v) ? v : Object.values(v)) if (walk(item, depth + 1)) return true;
    return false;
  };
  return walk(value, 0);
}

/** JSON text of a value for a message: at most `maxChars`, safe on deep, cyclic or unserialisable values. */
export function preview(value: unknown, maxChars = 200): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(boundedCopy(value, 8), (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch (error) {
    text = `[${error instanceof Error ? error.message : 'unserialisable'}]`;
  }
  if (text === undefined) return String(value);
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
