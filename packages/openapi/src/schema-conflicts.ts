import { isObject, type JsonObject } from './pointer.js';

const TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'null'];

/**
 * Finds `allOf` combinations no value can satisfy: parts of types that exclude each other
 * (`integer` and `string`), or a property one part requires while another part forbids it with
 * `additionalProperties: false`. Each problem names the property path. Results are kept per schema
 * object, so shared and recursive components are walked once.
 */
export class SchemaConflicts {
  readonly #resolve: (node: unknown) => unknown;
  readonly #found = new Map<object, readonly string[]>();

  constructor(resolve: (node: unknown) => unknown) {
    this.#resolve = resolve;
  }

  /** The problems of `schema`, each starting with its path (`body.owner.name`). */
  of(schema: unknown, path: string): string[] {
    return this.#walk(schema, 0).map((problem) => `${path}${problem}`);
  }

  #walk(raw: unknown, depth: number): readonly string[] {
    const schema = this.#resolve(raw);
    if (!isObject(schema) || depth > 24) return [];
    const known = this.#found.get(schema);
    if (known) return known;
    this.#found.set(schema, []); // a recursive reference meets this while walking
    const problems: string[] = [];
    if (Array.isArray(schema.allOf)) problems.push(...this.#allOf(schema.allOf));
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const [name, property] of Object.entries(properties)) for (const p of this.#walk(property, depth + 1)) problems.push(`.${name}${p}`);
    if (schema.items !== undefined && !Array.isArray(schema.items)) for (const p of this.#walk(schema.items, depth + 1)) problems.push(`[]${p}`);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      const parts = schema[key];
      if (Array.isArray(parts)) for (const part of parts) problems.push(...this.#walk(part, depth + 1));
    }
    const unique = [...new Set(problems)].slice(0, 10);
    this.#found.set(schema, unique);
    return unique;
  }

  #allOf(parts: readonly unknown[]): string[] {
    const resolved = parts.map((p) => this.#resolve(p)).filter(isObject);
    const problems: string[] = [];
    let types: Set<string> | undefined;
    for (const part of resolved) {
      const declared = typesOf(part);
      if (declared) types = types ? intersect(types, declared) : declared;
    }
    if (types && types.size === 0) {
      const all = resolved.map(typesOf).filter((t): t is Set<string> => t !== undefined);
      problems.push(`: allOf combines types ${all.map((t) => [...t].join('|')).join(' and ')}, which no value has`);
    }
    for (const [i, closed] of resolved.entries()) {
      if (closed.additionalProperties !== false || closed.patternProperties !== undefined) continue;
      const allowed = new Set(Object.keys(isObject(closed.properties) ? closed.properties : {}));
      for (const [j, other] of resolved.entries()) {
        if (i === j) continue;
        for (const name of Array.isArray(other.required) ? other.required : []) {
          if (!allowed.has(String(name))) {
            problems.push(
              `.${String(name)}: allOf[${j}] requires property "${String(name)}" but allOf[${i}] forbids it (additionalProperties: false allows only ${[...allowed].join(', ') || 'none'})`,
            );
          }
        }
      }
    }
    return problems;
  }
}

/** Types both allow; an integer is a number. */
function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const both = new Set<string>();
  for (const t of a) {
    if (b.has(t)) both.add(t);
    else if ((t === 'integer' && b.has('number')) || (t === 'number' && b.has('integer'))) both.add('integer');
  }
  return both;
}

function typesOf(schema: JsonObject): Set<string> | undefined {
  const type = schema.type;
  if (typeof type === 'string' && TYPES.includes(type)) return new Set(schema.nullable === true ? [type, 'null'] : [type]);
  if (Array.isArray(type)) return new Set(type.map(String));
  return undefined;
}
