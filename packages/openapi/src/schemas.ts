import type { ValidateFunction } from 'ajv';
import type { AjvInstance } from './ajv.js';
import type { OpenApi } from './document.js';
import { anchorPointer, decodePointerSegment, getPointer, isObject, type JsonObject, toPointer } from './pointer.js';

/**
 * Which way a value travels: a request leaves out the server's `readOnly` properties, a response
 * the client's `writeOnly` ones, so those are not required there (OpenAPI 3.0 §4.7.25, 3.1 likewise).
 */
export type Direction = 'request' | 'response';

/** The keys the schema documents are registered under in Ajv; `$ref`s become `mockstack:schemas#/…`. */
const IDS = { none: 'mockstack:schemas', request: 'mockstack:request-schemas', response: 'mockstack:response-schemas' } as const;
const ANY_ID = /^mockstack:(?:request-|response-)?schemas/;

/** Keywords whose value is one schema. */
const ONE = new Set([
  'additionalProperties',
  'additionalItems',
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
]);
/** Keywords whose value is a list of schemas. */
const LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keywords whose value maps names to schemas. */
const MAP = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
/**
 * Annotations Ajv need not see. Examples and `x-` extensions hold arbitrary data: Ajv reads any `id`
 * or `$id` in them as a schema id (`{ id: 'x' }` twice is "resolves to more than one schema").
 * Ids and `$schema` go too: every `$ref` is made absolute here, and a 3.1 document's dialect is known.
 */
const DROPPED = new Set(['example', 'examples', 'xml', 'externalDocs', 'id', '$id', '$schema', '$comment', '$anchor', '$dynamicAnchor']);

const sets = new WeakMap<OpenApi, SchemaSet>();

/**
 * The schemas of one document as Ajv must see them: only what stands in a schema position (never
 * examples, links or extensions, whatever keys they hold), with `$ref`s made absolute and
 * `nullable` beside no `type` spelt out. Ajv compiles these, never the document itself. The
 * schemas a `$ref` points at are copied into one sparse document, at their own pointers, as they
 * are first needed.
 */
export class SchemaSet {
  readonly #api: OpenApi;
  readonly #views = {
    none: new SchemaView(this, IDS.none, undefined),
    request: new SchemaView(this, IDS.request, 'request'),
    response: new SchemaView(this, IDS.response, 'response'),
  };

  private constructor(api: OpenApi) {
    this.#api = api;
  }

  /** The one set of a loaded document. */
  static of(api: OpenApi): SchemaSet {
    let set = sets.get(api);
    if (!set) {
      set = new SchemaSet(api);
      sets.set(api, set);
    }
    return set;
  }

  get api(): OpenApi {
    return this.#api;
  }

  /**
   * Compiles one schema of the document for values travelling `direction` (throws what Ajv throws
   * for a schema it cannot compile). Compiled once per Ajv and schema.
   */
  compile(ajv: AjvInstance, schema: unknown, direction?: Direction | undefined): ValidateFunction {
    return this.#views[direction ?? 'none'].compile(ajv, schema);
  }

  /** A schema of the document cleaned for Ajv (see compile). */
  prepare(schema: unknown, direction?: Direction | undefined): unknown {
    return this.#views[direction ?? 'none'].prepare(schema);
  }

  /** The document's pointer of a `$ref` as prepared (`mockstack:schemas#/components/schemas/Pet` → `#/components/schemas/Pet`). */
  static localRef(ref: string): string {
    return ref.replace(ANY_ID, '');
  }
}

/** The schemas for one direction: their own sparse document, as `required` differs. */
class SchemaView {
  readonly #set: SchemaSet;
  readonly #id: string;
  readonly #direction: Direction | undefined;
  /** The sparse document of referenced schemas: the same pointers as the OpenAPI document. */
  readonly #document: JsonObject = {};
  readonly #copied = new Set<string>();
  readonly #compiled = new WeakMap<AjvInstance, WeakMap<object, ValidateFunction>>();

  constructor(set: SchemaSet, id: string, direction: Direction | undefined) {
    this.#set = set;
    this.#id = id;
    this.#direction = direction;
  }

  compile(ajv: AjvInstance, schema: unknown): ValidateFunction {
    let compiled = this.#compiled.get(ajv);
    if (!compiled) {
      ajv.addSchema(this.#document, this.#id, undefined, false);
      compiled = new WeakMap();
      this.#compiled.set(ajv, compiled);
    }
    const known = isObject(schema) ? compiled.get(schema) : undefined;
    if (known) return known;
    const validate = ajv.compile(this.prepare(schema) as object);
    if (isObject(schema)) compiled.set(schema, validate);
    return validate;
  }

  /** What the schema's `$ref`s name is copied into the sparse document. */
  prepare(schema: unknown): unknown {
    const pending: Pending = [];
    const prepared = this.#clean(schema, pending);
    while (pending.length) {
      const [pointer, destination] = pending.pop() as [string, string];
      if (this.#copied.has(destination)) continue;
      this.#copied.add(destination);
      const target = getPointer(this.#set.api.document, pointer);
      if (target === undefined) continue;
      setPointer(this.#document, destination, this.#clean(target, pending));
    }
    return prepared;
  }

  #clean(schema: unknown, pending: Pending): unknown {
    if (!isObject(schema)) return schema;
    const copy: JsonObject = {};
    let oneOf: unknown[] | undefined;
    for (const [key, value] of Object.entries(schema)) {
      if (DROPPED.has(key) || key.startsWith('x-')) continue;
      if (key === '$ref' && typeof value === 'string') {
        // A `#name` of an `$anchor` is made the pointer of its schema, as every other `$ref` here.
        const local =
          value.startsWith('#') && !value.startsWith('#/') && value !== '#' ? anchorPointer(this.#set.api.document, decodeURIComponent(value.slice(1))) : value;
        if (local?.startsWith('#')) {
          const destination = throughIdProperty(this.#set.api.document, local) ? `#/deep${toPointer([local])}` : local;
          pending.push([local, destination]);
          copy.$ref = `${this.#id}${destination}`;
        } else copy.$ref = value;
      } else if (key === 'oneOf' && Array.isArray(value)) {
        // Real contracts' oneOf branches often overlap (objects open to more properties, the same
        // schema twice): a value fitting two of them is what the provider accepts, so it passes.
        oneOf = value.map((v) => this.#clean(v, pending));
      } else if (key === 'required' && Array.isArray(value) && this.#direction && isObject(schema.properties)) {
        const skip = this.#direction === 'request' ? 'readOnly' : 'writeOnly';
        const properties = schema.properties;
        copy.required = value.filter((name) => {
          const property = this.#set.api.resolve(properties[String(name)]);
          return !(isObject(property) && property[skip] === true);
        });
      } else if (ONE.has(key)) copy[key] = this.#clean(value, pending);
      else if (key === 'items') copy[key] = Array.isArray(value) ? value.map((v) => this.#clean(v, pending)) : this.#clean(value, pending);
      else if (LIST.has(key) && Array.isArray(value)) copy[key] = value.map((v) => this.#clean(v, pending));
      else if (MAP.has(key) && isObject(value)) copy[key] = mapValues(value, (v) => this.#clean(v, pending));
      else if (key === 'dependencies' && isObject(value)) copy[key] = mapValues(value, (v) => (Array.isArray(v) ? v : this.#clean(v, pending)));
      else copy[key] = value;
    }
    if (oneOf && copy.anyOf === undefined) copy.anyOf = oneOf;
    else if (oneOf) copy.allOf = [...(Array.isArray(copy.allOf) ? copy.allOf : []), { anyOf: oneOf }];
    return copy.nullable === undefined ? copy : withNullableSpeltOut(copy);
  }
}

/**
 * 3.0's `nullable` in the form Ajv compiles. Ajv takes it only beside a `type` (it throws on
 * `nullable` alone, and on `nullable: false` beside a `null` type); next to `allOf`/`$ref` alone it
 * means "or null". 3.1 documents converted from 3.0 keep it (OpenAI's): Ajv reads it there too.
 */
function withNullableSpeltOut(schema: JsonObject): JsonObject {
  const { nullable, ...rest } = schema;
  const types = Array.isArray(rest.type) ? rest.type : rest.type === undefined ? [] : [rest.type];
  if (types.length > 0) return nullable === false && types.includes('null') ? rest : schema;
  return nullable === true ? { anyOf: [rest, { type: 'null' }] } : rest;
}

/** Schemas to copy into a sparse document: the pointer in the OpenAPI document, and where it goes in the sparse one. */
type Pending = Array<[string, string]>;

/**
 * Whether a pointer passes through an object holding a schema under the key `id` or `$id`, such as
 * the schemas map of a document with a component named `id` (PeerTube's, Nexmo's): Ajv, walking the
 * pointer, reads that schema as the map's own id and fails ("id.replace is not a function"). A
 * schema reached so is copied under a pointer of one segment instead.
 */
function throughIdProperty(document: unknown, pointer: string): boolean {
  const segments = pointer.replace(/^#/, '').split('/').slice(1, -1);
  let node = document;
  for (const segment of segments) {
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[decodePointerSegment(segment)] : undefined;
    if (isObject(node) && (isObject(node.id) || isObject(node.$id))) return true;
  }
  return false;
}

function mapValues(object: JsonObject, map: (value: unknown) => unknown): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) out[key] = map(value);
  return out;
}

/** Puts `value` at a local pointer (`#/components/schemas/Pet`), making the objects on the way. */
function setPointer(root: JsonObject, pointer: string, value: unknown): void {
  const keys = pointer.replace(/^#/, '').split('/').slice(1).map(decodePointerSegment);
  const last = keys.pop();
  if (last === undefined) return;
  let node: JsonObject = root;
  for (const key of keys) {
    const next = node[key];
    // An array on the way (`allOf/0`) is indexed like an object.
    if (typeof next === 'object' && next !== null) node = next as JsonObject;
    else {
      const made: JsonObject = {};
      node[key] = made;
      node = made;
    }
  }
  node[last] = value;
}
