/** `/paths/~1pets~1{id}/get` from `['paths', '/pets/{id}', 'get']` (RFC 6901). */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The value a local `#/…` pointer (or a `#name` of a schema's `$anchor`) names in `root`, or undefined. */
export function getPointer(root: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '#') return root;
  const path = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  if (!path.startsWith('/')) {
    const anchored = anchorPointer(root, decodeURIComponent(path));
    return anchored === undefined ? undefined : getPointer(root, anchored);
  }
  let node: unknown = root;
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    const raw = segments[i] as string;
    node = (node as Record<string, unknown>)[decodePointerSegment(raw)];
  }
  return node;
}

/** One segment of a `#/…` pointer as the key it names (URI-decoded, then `~1` → `/`, `~0` → `~`). */
export function decodePointerSegment(raw: string): string {
  // Most segments (`components`, `schemas`, `Pet`) have nothing to decode: GitHub's 1,000 operations `$ref` ~4,000 parameters at each start.
  return raw.includes('%') || raw.includes('~') ? decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~') : raw;
}

/** The pointers of a document's schemas by their `$anchor` (or `$dynamicAnchor`), found on first use. */
const anchors = new WeakMap<object, Map<string, string>>();

/** The `#/…` pointer of the schema whose `$anchor` is `name` (`$ref: '#node'`), or undefined. */
export function anchorPointer(root: unknown, name: string): string | undefined {
  if (root === null || typeof root !== 'object') return undefined;
  let found = anchors.get(root);
  if (!found) {
    found = new Map();
    const pending: Array<[unknown, string]> = [[root, '#']];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [node, pointer] = next;
      const record = node as Record<string, unknown>;
      for (const key of ['$anchor', '$dynamicAnchor']) {
        const anchor = record[key];
        if (typeof anchor === 'string' && !found.has(anchor)) found.set(anchor, pointer);
      }
      for (const [key, child] of Object.entries(record))
        if (child !== null && typeof child === 'object') pending.push([child, `${pointer}${toPointer([key])}`]);
    }
    anchors.set(root, found);
  }
  return found.get(name);
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Follows `$ref`s (local, after bundling) until a node without one. Circular chains of bare
 * `$ref`s end as undefined.
 */
export function deref(root: unknown, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
    if (hops > 32 || !current.$ref.startsWith('#')) return undefined;
    current = getPointer(root, current.$ref);
  }
  return current;
}
