import { createMockStore, type IMockStore, type IMocks, isRef, type Ref } from '@graphql-tools/mock';
import { hashString } from '@mockstack/core';
import { FakeData } from '@mockstack/core/fake';
import {
  defaultFieldResolver,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type GraphQLType,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isScalarType,
  type ResponsePath,
} from 'graphql';
import { generatorFor } from './fake.js';
import { fakerGenerator, fakerListLength } from './faker-directives.js';

/** What the scenario may give as `mocks` (see the DSL's `MockDefinition`). */
export type MockOverrides = Readonly<Record<string, unknown>>;

export interface MockOptions {
  seed: number;
  mocks?: MockOverrides | undefined;
  listLength?: number | readonly [number, number] | undefined;
  /** Root fields the contract itself answers (a subgraph's `_service` and `_entities`), by field name, in place of the store. */
  rootAnswers?: Readonly<Record<string, GraphQLFieldResolver<unknown, unknown>>> | undefined;
}

/** Arguments that ask for a number of items. */
const PAGE_ARGS = ['first', 'last', 'limit', 'take', 'top', 'pageSize', 'perPage', 'size', 'count'];
const MAX_LIST = 100;
/** Arguments that say where a page starts: never a filter of its items. */
const CURSOR_ARGS = ['after', 'before', 'cursor', 'offset', 'skip', 'page'];
const IDENTITY_FIELDS = ['id', '_id', 'sku', 'key', 'code', 'slug', 'handle', 'uuid', 'email', 'number'];
/** Fields besides the key that name one object of a type, for lookups by them (see `identities`). */
const UNIQUE_FIELDS = new Set(['sku', 'slug', 'handle', 'uuid', 'email', 'login', 'username']);

/**
 * Where the value being generated goes. Set synchronously before each call into the store, so
 * that the store's argument-less mock functions can seed from it: a value depends on the seed,
 * the type, the object's key, the field and its args, never on the order of requests.
 */
class Cursor {
  typeName = '';
  fieldName = '';
  /** The field a value is generated for when it is not `fieldName` itself (an object's key field). */
  filling: string | undefined;
  key = '';
  args: Record<string, unknown> | undefined;
  draw = 0;

  set(typeName: string, fieldName: string, key: string, args: Record<string, unknown> | undefined): void {
    this.typeName = typeName;
    this.fieldName = fieldName;
    this.key = key;
    this.args = args;
    this.draw = 0;
    this.filling = undefined;
  }
}

/** The schema (mocked in place: it is this service's own copy), its store, and the per-field auto-mock resolvers. */
export interface MockedSchema {
  schema: GraphQLSchema;
  store: IMockStore;
  /** The resolver that auto-mocks `field` of `type` (reads the parent's value first). */
  mockResolver(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): GraphQLFieldResolver<unknown, unknown>;
}

export function createMockedSchema(base: GraphQLSchema, options: MockOptions): MockedSchema {
  const cursor = new Cursor();
  const fake = new FakeData();
  const rand = fake.random;
  const overrides = options.mocks ?? {};
  const [minList, maxList] = typeof options.listLength === 'number' ? [options.listLength, options.listLength] : (options.listLength ?? [2, 4]);
  /** Lengths asked by `first`/`limit` on a connection field, for the lists inside the object it returned. */
  const listHints = new Map<string, number>();
  /** The page each connection (by `type:key`) of a paged field was asked for: see markPage. */
  const pages = new Map<string, Page>();
  /**
   * The key of each object served, by a unique field's value (`Product|handle|red-shoes`): a lookup by
   * that field (`product(handle: "red-shoes")`, a storefront's product page after its list) gives the
   * same object, not another one with that handle.
   */
  const identities = new Map<string, string | number>();

  const reseed = (withField: boolean): void => {
    const args = withField && cursor.args && Object.keys(cursor.args).length ? stableJson(cursor.args) : '';
    const text = withField
      ? `${cursor.typeName}.${cursor.fieldName}|${cursor.key}|${args}|${cursor.draw++}`
      : `${cursor.typeName}|${cursor.key}|${cursor.draw++}`;
    rand.seed(hashString(text, options.seed));
  };
  /** Reseeds from the cursor, then draws. */
  const seeded =
    <T>(withField: boolean, draw: () => T) =>
    (): T => {
      reseed(withField);
      return draw();
    };
  const mockContext = (type: string, field: string) => ({
    type,
    field,
    args: cursor.args ?? {},
    random: () => rand.next(),
  });

  const mocks: IMocks = {};
  const generators = new Map<string, (fake: FakeData) => unknown>();
  /** What graphql-faker's @examples and @fake ask for, by `Type.field`. */
  const planted = new Map<string, (fake: FakeData) => unknown>();
  const scalarMock = (scalar: string) => () => {
    reseed(true);
    const override = overrides[scalar];
    if (typeof override === 'function') return override(mockContext(cursor.typeName || scalar, cursor.fieldName));
    const field = cursor.filling ?? cursor.fieldName;
    const key = `${scalar}|${field}|${cursor.typeName}`;
    let generate = generators.get(key);
    if (!generate) {
      generate = planted.get(`${cursor.typeName}.${field}`) ?? generatorFor(scalar, field, cursor.typeName, base.getType(scalar)?.description ?? undefined);
      generators.set(key, generate);
    }
    // Fields of one object (its type and key) agree: one person's name, email and username.
    fake.enterObject(hashString(`${cursor.typeName}|${cursor.key}`, options.seed));
    return generate(fake);
  };

  for (const type of Object.values(base.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const override = overrides[type.name];
    if (isScalarType(type)) mocks[type.name] = scalarMock(type.name);
    else if (isEnumType(type)) {
      const values = type.getValues().map((v) => v.value as unknown);
      mocks[type.name] =
        typeof override === 'function'
          ? seeded(true, () => override(mockContext(cursor.typeName || type.name, cursor.fieldName)))
          : seeded(true, () => values[rand.int(0, values.length - 1)]);
    } else if (isAbstractType(type)) {
      const possible = successTypes(base, type).map((t) => t.name);
      if (override !== undefined) mocks[type.name] = override as IMocks[string];
      else if (possible.length) mocks[type.name] = { __typename: seeded(true, () => possible[rand.int(0, possible.length - 1)]) };
    } else if (isObjectType(type)) {
      if (typeof override === 'function') {
        // One call gives every field of the object; seeded by the object only, so any field asked first gives the same object.
        mocks[type.name] = seeded(false, () => override(mockContext(type.name, cursor.fieldName)));
        continue;
      }
      const fields: Record<string, (args: Record<string, unknown>) => unknown> = {};
      for (const field of Object.values(type.getFields())) {
        const generate = fakerGenerator(field);
        if (generate) planted.set(`${type.name}.${field.name}`, generate);
        if (!isListType(getNullableType(field.type))) continue;
        const asked = fakerListLength(field);
        if (asked) {
          fields[field.name] = (args) => Array.from({ length: pageSize(args) ?? seeded(true, () => asked(fake))() });
          continue;
        }
        // A list of what has no value (an empty enum a lenient schema fills at run time) can only be empty;
        // so is a payload's list of errors (`userErrors`), as on success: a mock answers the happy path unless told.
        fields[field.name] = hasNoValue(base, getNamedType(field.type)) || isErrorList(field) ? () => [] : (args) => Array.from({ length: listLength(args) });
      }
      if (override && typeof override === 'object') {
        for (const [name, value] of Object.entries(override))
          fields[name] = typeof value === 'function' ? (value as (args: Record<string, unknown>) => unknown) : () => value;
      }
      mocks[type.name] = fields;
    }
  }

  function listLength(args: Record<string, unknown> | undefined): number {
    const asked = pageSize(args);
    if (asked !== undefined) return asked;
    const hinted = listHints.get(`${cursor.typeName}:${cursor.key}`);
    if (hinted !== undefined) return hinted;
    reseed(true);
    return rand.int(minList, maxList);
  }

  const store = createMockStore({ schema: base, mocks });
  // Keys of objects without an id field: from the cursor, not from Math.random, so they are the same every run.
  const internal = store as unknown as { getKeyFieldName(typeName: string): string | null; generateKeyForType(typeName: string, onOther: unknown): string };
  const generateKey = internal.generateKeyForType.bind(store);
  internal.generateKeyForType = (typeName, onOther) => {
    const keyField = internal.getKeyFieldName(typeName);
    if (keyField) {
      // The key is generated while the cursor is on the parent's field: name the field it fills.
      cursor.filling = keyField;
      try {
        return generateKey(typeName, onOther);
      } finally {
        cursor.filling = undefined;
      }
    }
    reseed(true);
    return `${typeName}:${Math.floor(rand.next() * 2 ** 32).toString(36)}${Math.floor(rand.next() * 2 ** 32).toString(36)}`;
  };

  // The store's values are served by the resolvers below, set on the schema in place. This does what
  // addMocksToSchema does without its copy of the whole schema (mapSchema), which costs more than
  // building the schema itself on large ones.
  const schema = base;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type) || type.name.startsWith('__')) continue;
    const names = schema.getPossibleTypes(type).map((t) => t.name);
    // Refs say their type; plain objects from the scenario must carry a __typename.
    type.resolveType = (value, _context, info) => {
      const record = value as { __typename?: unknown } | null;
      if (typeof record?.__typename === 'string') return record.__typename;
      if (isRef(value)) return value.$ref.typeName;
      throw new Error(`the value for ${type.name} at ${pathText(info.path)} needs a __typename (one of ${names.join(', ')})`);
    };
  }
  const rootTypes = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name]);

  function mockResolver(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
    const typeName = type.name;
    const fieldName = field.name;
    const named = getNamedType(field.type);
    const isKeyField = (fieldName === 'id' || fieldName === '_id') && isScalarType(named);
    const idMock = scalarMock(named.name);
    const paged =
      field.args.some((a) => PAGE_ARGS.includes(a.name)) && !isListType(getNullableType(field.type)) && (isObjectType(named) || isInterfaceType(named));
    const echo = echoOf(field);
    // An interface no type implements (or an empty union): nothing can be its value; null (or an empty list), not the store's error.
    const nothing = hasNoValue(base, named) ? (isListType(getNullableType(field.type)) ? [] : null) : undefined;
    const hint = (value: unknown, args: Record<string, unknown>): unknown => {
      if (!isRef(value)) return value;
      const size = pageSize(args);
      if (size !== undefined) {
        if (listHints.size > 10_000) listHints.clear();
        listHints.set(`${value.$ref.typeName}:${value.$ref.key}`, size);
      }
      if (pages.size > 10_000) pages.clear();
      pages.set(`${value.$ref.typeName}:${value.$ref.key}`, pageOf(args));
      return value;
    };
    if (rootTypes.has(typeName)) {
      const answer = typeName === schema.getQueryType()?.name ? options.rootAnswers?.[fieldName] : undefined;
      return (source, args, context, info) => {
        // The root value an operation rule gave wins.
        const given = source === null || source === undefined ? undefined : defaultFieldResolver(source, args, context, info);
        if (given !== undefined) return given;
        if (answer) return answer(source, args, context, info);
        if (nothing !== undefined) return nothing;
        cursor.set(typeName, fieldName, 'ROOT', args);
        const value = store.get({ typeName, key: 'ROOT', fieldName, fieldArgs: args, defaultValue: echo?.(args) });
        return paged ? hint(value, args) : value;
      };
    }
    /**
     * A field without arguments of an object in the store, by that object's ref: the store only ever
     * adds values (nothing here sets one twice), so the value it gave is the value it will give, and a
     * lookup by the ref the parent resolved to skips the store's own (an argument object, the field's
     * key in the store, three levels of records), for each of an answer's fields.
     */
    const known = field.args.length === 0 ? new WeakMap<object, unknown>() : undefined;
    const identifies = field.args.length === 0 && UNIQUE_FIELDS.has(fieldName) && isScalarType(named);
    // A Relay connection's `nodes` are its edges' nodes, and its pageInfo's cursors its first and last edge's.
    const connection = isConnection(type) && field.args.length === 0;
    const edgeNodes = connection && fieldName === 'nodes' && isListType(getNullableType(field.type));
    const pageInfo = connection && fieldName === 'pageInfo' && isObjectType(named) ? named.getFields() : undefined;
    return (source, args, context, info) => {
      if (nothing !== undefined && (source === null || typeof source !== 'object' || (source as Record<string, unknown>)[fieldName] === undefined))
        return nothing;
      if (isRef(source)) {
        const remembered = known?.get(source);
        if (remembered !== undefined) return remembered;
        const { typeName: refType, key } = (source as Ref).$ref;
        cursor.set(refType, fieldName, String(key), args);
        const value = edgeNodes
          ? listOf(fieldOf(source, 'edges')).map((edge) => (isRef(edge) ? fieldOf(edge, 'node') : null))
          : store.get({ typeName: refType, key, fieldName, fieldArgs: args, defaultValue: echo?.(args) });
        if (pageInfo && isRef(value)) {
          alignCursors(listOf(fieldOf(source, 'edges')), value, pageInfo);
          const page = pages.get(`${refType}:${key}`);
          if (page !== undefined) markPage(value, pageInfo, page);
        }
        known?.set(source, value);
        if (identifies && (typeof value === 'string' || typeof value === 'number')) {
          if (identities.size > 10_000) identities.clear();
          identities.set(`${refType}|${fieldName}|${value}`, key);
        }
        return paged ? hint(value, args) : value;
      }
      if (source === null || typeof source !== 'object') return undefined;
      const own = (source as Record<string, unknown>)[fieldName];
      if (own !== undefined) return typeof own === 'function' ? defaultFieldResolver(source, args, context, info) : own;
      // A plain object from the scenario without this field: mock it, keyed by what identifies the object.
      const key = identityOf(source as Record<string, unknown>, info);
      cursor.set(typeName, fieldName, key, args);
      if (isKeyField) return idMock();
      const value = store.get({ typeName, key, fieldName, fieldArgs: args, defaultValue: echo?.(args) });
      return paged ? hint(value, args) : value;
    };
  }

  /** A field without arguments of an object in the store, as its resolver gets it (the cursor set first). */
  function fieldOf(ref: Ref, fieldName: string): unknown {
    const { typeName, key } = ref.$ref;
    cursor.set(typeName, fieldName, String(key), {});
    return store.get({ typeName, key, fieldName, fieldArgs: {} });
  }

  /**
   * A connection's pageInfo says where its page is: a first page has a next one and no previous one, the page
   * after a cursor is the last (and has a previous one), the page before a cursor the first. A client paging
   * through it (Apollo's relayStylePagination, Relay's loadNext, a `while (pageInfo.hasNextPage)` loop) sees a
   * "more" and ends after two pages.
   */
  function markPage(pageInfo: Ref, fields: Record<string, unknown>, page: Page): void {
    const { typeName, key } = pageInfo.$ref;
    if ('hasNextPage' in fields) store.set(typeName, key, 'hasNextPage', page !== 'after');
    if ('hasPreviousPage' in fields) store.set(typeName, key, 'hasPreviousPage', page === 'after');
  }

  /** A connection's pageInfo says the cursors of its first and last edge (a client pages on from endCursor). */
  function alignCursors(edges: readonly unknown[], pageInfo: Ref, fields: Record<string, unknown>): void {
    const first = edges[0];
    const last = edges[edges.length - 1];
    if (!isRef(first) || !isRef(last)) return;
    const { typeName, key } = pageInfo.$ref;
    if ('startCursor' in fields) store.set(typeName, key, 'startCursor', fieldOf(first, 'cursor'));
    if ('endCursor' in fields) store.set(typeName, key, 'endCursor', fieldOf(last, 'cursor'));
  }

  /**
   * The values a lookup field's arguments give the object it returns (`product(sku: "A")` gives a
   * product whose sku is "A", `node(id: X)` one whose id is X), or undefined when none does: an argument
   * names a leaf field of the returned object or interface, of the same scalar (ID and String go
   * together) or enum. So does a field of an input object argument: a @oneOf lookup (`user(by: { handle:
   * "ada" })`), Hasura's `pk_columns` and `_set`, a create or update mutation's `input` (`createTodo(input:
   * { name })` gives a todo of that name); an argument of its own wins. The object of an interface gets a
   * type the seed picks, as the auto-mock would.
   */
  function echoOf(field: GraphQLField<unknown, unknown>): ((args: Record<string, unknown>) => unknown) | undefined {
    const returned = getNullableType(field.type);
    if (isListType(returned)) return pluralEchoOf(field, getNullableType(returned.ofType)) ?? filterEchoOf(field, getNullableType(returned.ofType));
    if (!isObjectType(returned) && !isInterfaceType(returned)) return undefined;
    const fields = returned.getFields();
    const fits = (name: string, type: GraphQLType): boolean => {
      const target = fields[name];
      return target !== undefined && sameLeaf(getNullableType(type), getNullableType(target.type));
    };
    /** [argument] or [input object argument, its field], in the order they are given (inputs first, so that arguments win). */
    const echoed: (readonly [string] | readonly [string, string])[] = [];
    for (const arg of field.args) {
      const type = getNullableType(arg.type);
      if (!isInputObjectType(type)) continue;
      for (const inner of Object.values(type.getFields())) if (fits(inner.name, inner.type)) echoed.push([arg.name, inner.name]);
    }
    for (const arg of field.args) if (fits(arg.name, arg.type)) echoed.push([arg.name]);
    if (echoed.length === 0) return undefined;
    const possible = isInterfaceType(returned) ? base.getPossibleTypes(returned).map((t) => t.name) : [];
    return (args) => {
      const given: Record<string, unknown> = {};
      for (const [name, inner] of echoed) {
        const outer = args[name];
        const value = inner === undefined ? outer : outer !== null && typeof outer === 'object' ? (outer as Record<string, unknown>)[inner] : undefined;
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') given[inner ?? name] = value;
      }
      if (Object.keys(given).length === 0) return undefined;
      const known = servedBefore(isInterfaceType(returned) ? possible : [returned.name], given);
      if (known) return { ...(isInterfaceType(returned) && { __typename: known.typeName }), ...given, [known.keyField]: known.key };
      return isInterfaceType(returned) ? (typed(possible, given) ?? undefined) : given;
    };
  }

  /**
   * The key (and type) of an object served before that a lookup names by a unique field other than
   * its key (`product(handle: "red-shoes")` after a list showed that handle), or undefined.
   */
  function servedBefore(types: readonly string[], given: Record<string, unknown>): { typeName: string; keyField: string; key: string | number } | undefined {
    for (const typeName of types) {
      const keyField = internal.getKeyFieldName(typeName);
      if (!keyField || given[keyField] !== undefined) continue;
      for (const [name, value] of Object.entries(given)) {
        const key = identities.get(`${typeName}|${name}|${String(value)}`);
        if (key !== undefined && store.has(typeName, key)) return { typeName, keyField, key };
      }
    }
    return undefined;
  }

  /**
   * A plural lookup (`nodes(ids: [X, Y])`, `users(logins: […])`): one object per key given, in order, each
   * as the single lookup of that key answers it. Undefined when no list argument names a field of the items.
   */
  function pluralEchoOf(field: GraphQLField<unknown, unknown>, item: GraphQLType): ((args: Record<string, unknown>) => unknown) | undefined {
    if (!isObjectType(item) && !isInterfaceType(item)) return undefined;
    const fields = item.getFields();
    const arg = field.args.find((a) => {
      const type = getNullableType(a.type);
      const target = a.name.endsWith('s') ? fields[a.name.slice(0, -1)] : undefined;
      return isListType(type) && target !== undefined && sameScalar(getNullableType(type.ofType), getNullableType(target.type));
    });
    if (!arg) return undefined;
    const keyField = arg.name.slice(0, -1);
    const possible = isInterfaceType(item) ? base.getPossibleTypes(item).map((t) => t.name) : [];
    return (args) => {
      const keys = args[arg.name];
      if (!Array.isArray(keys) || keys.length > MAX_LIST) return undefined;
      return keys.map((key) => (isInterfaceType(item) ? typed(possible, { [keyField]: key }) : { [keyField]: key }));
    };
  }

  /**
   * The items of a list filtered by arguments that name their leaf fields (`orders(status: PAID, storeId: "s1")`
   * lists paid orders of store s1), as many as the list would have; undefined when the request gives none.
   */
  function filterEchoOf(field: GraphQLField<unknown, unknown>, item: GraphQLType): ((args: Record<string, unknown>) => unknown) | undefined {
    if (!isObjectType(item) && !isInterfaceType(item)) return undefined;
    const fields = item.getFields();
    const filters = field.args.filter((a) => {
      const target = fields[a.name];
      return (
        !PAGE_ARGS.includes(a.name) && !CURSOR_ARGS.includes(a.name) && target !== undefined && sameLeaf(getNullableType(a.type), getNullableType(target.type))
      );
    });
    if (filters.length === 0) return undefined;
    const possible = isInterfaceType(item) ? base.getPossibleTypes(item).map((t) => t.name) : [];
    return (args) => {
      const given: Record<string, unknown> = {};
      for (const filter of filters) if (args[filter.name] !== undefined && args[filter.name] !== null) given[filter.name] = args[filter.name];
      if (Object.keys(given).length === 0) return undefined;
      return Array.from({ length: listLength(args) }, () => (isInterfaceType(item) ? typed(possible, { ...given }) : { ...given }));
    };
  }

  /**
   * The object of an interface a lookup gives (`given`, with a `__typename` of `possible`): the type
   * typeOfKnown names, else one the seed picks, as the auto-mock would. Null when no type is possible.
   */
  function typed(possible: readonly string[], given: Record<string, unknown>): Record<string, unknown> | null {
    if (possible.length === 0) return null;
    const known = typeOfKnown(possible, given);
    if (known) return { __typename: known, ...given };
    reseed(true);
    return { __typename: possible[rand.int(0, possible.length - 1)], ...given };
  }

  /**
   * The type of the object a lookup of an interface names by its key (`node(id: X)`): the type an object
   * served before under that key has (a Relay refetch of a node from a list gets that node, same type and
   * fields), else the type a global id spells (`User:42`, or that in base64 as Relay's ids are, GitHub's
   * `04:User42`, Shopify's and GitLab's `gid://shopify/Product/42`). Undefined when neither says.
   */
  function typeOfKnown(possible: readonly string[], given: Record<string, unknown>): string | undefined {
    for (const name of possible) {
      const keyField = internal.getKeyFieldName(name);
      const key = keyField ? given[keyField] : undefined;
      if ((typeof key === 'string' || typeof key === 'number') && store.has(name, key)) return name;
    }
    const id = given.id;
    if (typeof id !== 'string') return undefined;
    for (const text of [id, fromBase64(id)]) {
      const match = text === undefined ? null : GLOBAL_ID.exec(text);
      const named = match?.[1] ?? match?.[2];
      if (named !== undefined && possible.includes(named)) return named;
    }
    return undefined;
  }

  return { schema, store, mockResolver };
}

/** A global id that spells its type: `gid://shopify/Product/42` (group 1), or `User:42`, `04:User42` (group 2). */
const GLOBAL_ID = /^gid:\/\/[^/]+\/([A-Za-z_][A-Za-z0-9_]*)\/|^(?:\d+:)?([A-Za-z_][A-Za-z0-9_]*?)(?::|\d*$)/;

/** The text a base64 string encodes, when it is base64 of printable ASCII; else undefined. */
function fromBase64(text: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) || text.length % 4 === 1) return undefined;
  try {
    const decoded = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return /^[\x20-\x7e]+$/.test(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** An enum without values, or a union or interface without object types: nothing can be its value (lenient schemas only). */
function hasNoValue(schema: GraphQLSchema, type: GraphQLNamedType): boolean {
  if (isEnumType(type)) return type.getValues().length === 0;
  return isAbstractType(type) && schema.getPossibleTypes(type).length === 0;
}

/** A Relay connection: `edges: [Edge]` whose edges have `node` and `cursor`. */
function isConnection(type: GraphQLObjectType): boolean {
  const edges = type.getFields().edges;
  const list = edges && getNullableType(edges.type);
  if (!list || !isListType(list)) return false;
  const edge = getNamedType(list.ofType);
  return isObjectType(edge) && edge.getFields().node !== undefined && edge.getFields().cursor !== undefined;
}

function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A type name that says it is an error: `UserError`, `CartUserError`, `OrderStateTransitionError`, `ErrorResult`, `ValidationProblem`. */
const ERROR_NAME = /(?:Error|Errors|Exception|Problem|Failure)$|^Error/;

/** A list field of errors (`userErrors: [UserError!]!`, `errors: [ProductError!]!`): named so, of a type named as an error. */
function isErrorList(field: GraphQLField<unknown, unknown>): boolean {
  return /errors$/i.test(field.name) && isErrorType(getNamedType(field.type));
}

function isErrorType(type: GraphQLNamedType): boolean {
  return ERROR_NAME.test(type.name) || (isObjectType(type) && type.getInterfaces().some((i) => ERROR_NAME.test(i.name)));
}

/**
 * The types an abstract type's values take on the happy path: a result union of an object and its
 * errors (Vendure's `Order | OrderModificationError | …`, `Success | ValidationError`) answers the
 * object, unless the scenario says otherwise. All its types when each is an error, or none is.
 */
function successTypes(schema: GraphQLSchema, type: GraphQLAbstractType): readonly GraphQLObjectType[] {
  const possible = schema.getPossibleTypes(type);
  if (isErrorType(type)) return possible;
  const success = possible.filter((t) => !isErrorType(t));
  return success.length > 0 ? success : possible;
}

const TEXT_SCALARS = new Set(['ID', 'String']);

/** An argument's type a field of the same value can take: the same scalar or enum, or ID and String. */
function sameLeaf(arg: GraphQLType, field: GraphQLType): boolean {
  if (isEnumType(arg) && isEnumType(field)) return arg.name === field.name;
  return sameScalar(arg, field);
}

/** An argument's type a field of the same value can take: the same scalar, or ID and String. */
function sameScalar(arg: GraphQLType, field: GraphQLType): boolean {
  if (!isScalarType(arg) || !isScalarType(field)) return false;
  return arg.name === field.name || (TEXT_SCALARS.has(arg.name) && TEXT_SCALARS.has(field.name));
}

/** A page of a paged field: the first, one after a cursor, one before a cursor. */
type Page = 'first' | 'after' | 'before';

/** The page arguments ask for: `after` a cursor (`after`, `cursor`, an `offset` or `skip` past 0, a `page` past 1), `before` one, else the first. */
function pageOf(args: Record<string, unknown>): Page {
  const given = (value: unknown) => (typeof value === 'string' && value !== '') || typeof value === 'number';
  if (given(args.before)) return 'before';
  if (given(args.after) || given(args.cursor)) return 'after';
  const past = (name: string, first: number) => typeof args[name] === 'number' && (args[name] as number) > first;
  return past('offset', 0) || past('skip', 0) || past('page', 1) ? 'after' : 'first';
}

function pageSize(args: Record<string, unknown> | undefined): number | undefined {
  if (!args) return undefined;
  for (const name of PAGE_ARGS) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.min(MAX_LIST, Math.floor(value)));
  }
  return undefined;
}

function identityOf(source: Record<string, unknown>, info: GraphQLResolveInfo): string {
  for (const name of IDENTITY_FIELDS) {
    const value = source[name];
    if (typeof value === 'string' || typeof value === 'number') return name === 'id' || name === '_id' ? String(value) : `${name}=${value}`;
  }
  return `path:${pathText(info.path.prev)}`;
}

function pathText(path: ResponsePath | undefined): string {
  const parts: (string | number)[] = [];
  for (let p = path; p; p = p.prev) parts.unshift(p.key);
  return parts.join('.');
}

/** JSON with sorted keys, so `{a,b}` and `{b,a}` seed the same value. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
    .join(',')}}`;
}
