import { type ApiParameter, isJsonMediaType } from './document.js';
import { isObject, type JsonObject } from './pointer.js';

/** Reads one parameter's value out of its raw strings (path params, query, headers, cookies). */
export type ParameterReader = (source: Readonly<Record<string, unknown>>) => unknown;

/**
 * How to read a parameter as its `style` and `explode` serialize it (OpenAPI 3 §4.8.12.4):
 * `simple` (`a,b`, `k,v` / `k=v`), `label` (`.a.b`), `matrix` (`;id=a,b`, `;id=a;id=b`), `form`
 * (`?id=a,b`, `?id=a&id=b`, an exploded object's properties as their own fields),
 * `spaceDelimited`, `pipeDelimited` (and Swagger 2.0's tab-separated `tsv`) and `deepObject` (`?filter[kind]=cat`). Primitives pass as sent.
 */
export function parameterReader(parameter: ApiParameter, resolve: (node: unknown) => unknown): ParameterReader {
  const schema = resolve(parameter.schema);
  const kind = isObject(schema) ? shapeOf(schema) : 'primitive';
  const name = parameter.name;
  const style = parameter.style ?? (parameter.in === 'query' || parameter.in === 'cookie' ? 'form' : 'simple');
  const explode = parameter.explode;
  if (parameter.contentType !== undefined) {
    // Declared with `content`: the value is one text in that media type (`?filter={"a":1}`), not a style.
    const json = isJsonMediaType(parameter.contentType);
    return (source) => {
      const raw = source[name];
      if (!json || typeof raw !== 'string') return raw;
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    };
  }
  if (style === 'deepObject') return (source) => deepObject(source, name);
  // An enum with no type (Nexmo's `enum: [true, false, 0, 1]`) gives Ajv no type to coerce the text to.
  const untypedEnum = isObject(schema) && schema.type === undefined && Array.isArray(schema.enum) ? schema.enum : undefined;
  if (kind === 'object' && style === 'form' && explode) {
    const names = isObject(schema) && isObject(schema.properties) ? Object.keys(schema.properties) : [];
    return (source) => {
      if (isObject(source[name])) return source[name];
      const object: JsonObject = {};
      for (const key of names) if (source[key] !== undefined) object[key] = source[key];
      return Object.keys(object).length ? object : undefined;
    };
  }
  // Query arrays as axios, qs, PHP and Rails send them by default: `ids[]=1&ids[]=2`, `ids[0]=1&ids[1]=2`;
  // query objects as they nest them (`filter[kind]=cat`), whatever style the document names.
  const query = parameter.in === 'query';
  return (source) => {
    const raw = source[name] ?? (query && kind === 'array' ? bracketed(source, name) : query && kind === 'object' ? deepObject(source, name) : undefined);
    if (Array.isArray(raw)) return kind === 'array' ? [...raw] : raw;
    if (typeof raw !== 'string') return raw;
    // An object as JSON text, as hey-api's clients send object headers (`X-Filter: {"a":1}`).
    if (kind === 'object' && /^\s*\{/.test(raw)) {
      const json = jsonObject(raw);
      if (json) return json;
    }
    // Label and matrix values sent without their prefix (`/items/1,2`), as clients that write every path parameter simple do (hey-api, orval).
    const written = (style === 'label' && !raw.startsWith('.')) || (style === 'matrix' && !raw.startsWith(';')) ? 'simple' : style;
    const text = unprefix(raw, written, name);
    if (kind === 'primitive' || text === undefined) return untypedEnum ? enumValueOf(text, untypedEnum) : text;
    const separator = separatorOf(written, explode, name);
    const parts = text === '' ? [] : text.split(separator);
    if (kind === 'array') return parts;
    // An exploded object is `k=v` pairs; a client that ignores explode writes `k,v` (the pairs tell).
    const keyed = explode && written !== 'form' && (written !== 'simple' || parts.every((p) => p.includes('=')));
    return keyed ? pairs(parts.map((p) => p.split('=') as [string, string])) : pairs(chunk(parts));
  };
}

/** Whether a schema is an array, an object or a primitive, as styles serialize them. */
export function shapeOf(schema: JsonObject): 'array' | 'object' | 'primitive' {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'array' || (type === undefined && schema.items !== undefined)) return 'array';
  if (type === 'object' || (type === undefined && isObject(schema.properties))) return 'object';
  return 'primitive';
}

/** `.a.b` → `a.b` (label), `;id=a,b` → `a,b` (matrix; exploded `;id=a;id=b` → `a;b`). */
function unprefix(raw: string, style: string, name: string): string | undefined {
  if (style === 'label') return raw.startsWith('.') ? raw.slice(1) : raw;
  if (style === 'matrix') {
    if (!raw.startsWith(';')) return raw;
    return raw
      .slice(1)
      .split(';')
      .map((part) => (part.startsWith(`${name}=`) ? part.slice(name.length + 1) : part === name ? '' : part))
      .join(';');
  }
  return raw;
}

function separatorOf(style: string, explode: boolean, _name: string): string | RegExp {
  if (style === 'spaceDelimited') return / |%20/;
  if (style === 'pipeDelimited') return /\||%7C/i;
  if (style === 'tabDelimited') return /\t|%09/;
  if (style === 'label') return explode ? '.' : ',';
  if (style === 'matrix') return explode ? ';' : ',';
  return ',';
}

function jsonObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function chunk(parts: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i] as string, parts[i + 1] as string]);
  return out;
}

function pairs(entries: readonly (readonly [string, string | undefined])[]): JsonObject {
  const object: JsonObject = {};
  for (const [key, value] of entries) object[key] = value ?? '';
  return object;
}

/** The items of `name[]=a&name[]=b` or `name[0]=a&name[1]=b`, or undefined when neither is sent. */
function bracketed(source: Readonly<Record<string, unknown>>, name: string): unknown[] | undefined {
  const appended = source[`${name}[]`];
  if (appended !== undefined) return Array.isArray(appended) ? appended : [appended];
  const indexed: [number, unknown][] = [];
  const prefix = `${name}[`;
  for (const [key, value] of Object.entries(source)) {
    if (!key.startsWith(prefix)) continue;
    const index = /^\[(\d+)\]$/.exec(key.slice(name.length))?.[1];
    if (index !== undefined) indexed.push([Number(index), value]);
  }
  return indexed.length ? indexed.sort((a, b) => a[0] - b[0]).flatMap(([, value]) => value) : undefined;
}

/**
 * `filter[kind]=cat&filter[age][min]=2` → `{ kind: 'cat', age: { min: '2' } }`, or the object a nesting parser made;
 * lists nested as axios and qs write them (`filter[tags][]=a`, `filter[tags][0]=a`) are arrays.
 */
function deepObject(source: Readonly<Record<string, unknown>>, name: string): unknown {
  if (isObject(source[name])) return source[name];
  let found: JsonObject | undefined;
  const prefix = `${name}[`;
  for (const [key, value] of Object.entries(source)) {
    if (!key.startsWith(prefix)) continue;
    const path = [...key.slice(name.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '');
    if (path.length === 0) continue;
    found ??= {};
    let node = found;
    for (const segment of path.slice(0, -1)) {
      let next = node[segment];
      if (!isObject(next)) {
        next = {};
        node[segment] = next;
      }
      node = next as JsonObject;
    }
    node[path[path.length - 1] as string] = Array.isArray(value) ? [...value] : value;
  }
  return found && listsOf(found);
}

/** `{ '': ['a', 'b'] }` and `{ 0: 'a', 1: 'b' }` (bracketed lists) as arrays, at any depth. */
function listsOf(node: JsonObject): JsonObject | unknown[] {
  const keys = Object.keys(node);
  for (const key of keys) if (isObject(node[key])) node[key] = listsOf(node[key] as JsonObject);
  if (keys.length === 1 && keys[0] === '') return Array.isArray(node['']) ? (node[''] as unknown[]) : [node['']];
  // Indices 0…n-1 only: an object keyed by other numbers (`filter[2024]=x`) stays an object.
  if (keys.length && keys.every((key) => /^\d+$/.test(key)) && keys.every((_, i) => keys.includes(String(i)))) {
    return keys.sort((a, b) => Number(a) - Number(b)).flatMap((key) => node[key]);
  }
  return node;
}

/** The enum value that `text` writes (`"true"` for `true`, `"1"` for `1`), else the text. */
function enumValueOf(text: string | undefined, values: readonly unknown[]): unknown {
  return values.find((value) => value !== null && typeof value !== 'object' && String(value) === text) ?? text;
}
