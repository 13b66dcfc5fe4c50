/** Levenshtein distance; used to rank near misses in messages, never on the request path. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The `count` candidates closest to `wanted` by edit distance (case-insensitive), for "did you mean" messages. */
export function nearest(wanted: string, candidates: readonly string[], count: number): string[] {
  const target = wanted.toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(target, c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, count)
    .map((x) => x.c);
}

/** The candidate a mistyped `wanted` most likely meant: the nearest, when at most two edits away (case-insensitive). */
export function likelyMeant(wanted: string, candidates: readonly string[]): string | undefined {
  const [closest] = nearest(wanted, candidates, 1);
  return closest !== undefined && editDistance(wanted.toLowerCase(), closest.toLowerCase()) <= 2 ? closest : undefined;
}
