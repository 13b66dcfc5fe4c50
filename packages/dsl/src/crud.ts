import { captureSource, ErrorCode, escapeRegExp, MockstackError, makeFault, makeReply } from '@mockstack/core';
import { resolveContractPath, writeTextFileAtomic } from '@mockstack/core/platform';
import pluralize from 'pluralize';
import type { RestContext } from './rest.js';
import type { RuleOf } from './scenario.js';

/** A collection in the scenario's state: a Map by id, or an array of records. */
export type Collection<Item> = Map<string, Item> | Item[];

export interface CrudOptions<State, Item> {
  /** Where the records live in the shared state; GraphQL and gRPC handlers see the same ones. */
  collection: (state: State) => Collection<Item>;
  /** The record field that holds its id (default `id`). */
  idField?: keyof Item & string;
  /** Makes an id for a created record that has none (default: `<n>` counting up). */
  newId?: (state: State, item: Partial<Item>) => string;
  /** Page size when the client asks for none (default 20). */
  pageSize?: number;
  /**
   * How a list is answered: `'page'` (default) `{ items, page, pageSize, total }`; `'array'` the
   * records as a plain array with the total in `X-Total-Count`, as json-server does (all records
   * unless the client pages with `_page`/`_limit` or `_start`/`_end`).
   */
  list?: 'page' | 'array';
  /**
   * The database this collection belongs to, by collection name (json-server's db.json, where this
   * collection is the one named as `path`'s last segment). Turns on json-server's relations: `_embed`
   * (child collections whose records name this one's `<singular>Id`), `_expand` (the parent a
   * `<parent>Id` field names), and the nested routes `GET`/`POST <path>/:id/<child collection>`.
   */
  database?: (state: State) => Record<string, unknown>;
  /**
   * A JSON file the database is written back to after every change (json-server's behaviour):
   * debounced, written to a temporary file then renamed over it. A relative path is next to the
   * scenario file. Needs `database`. A failed write is answered, to the next write, as INTERNAL.
   */
  writeBack?: string;
  /** Called with each text written back (`mockstack up --watch` tells its own writes from edits). */
  onWriteBack?: (file: string, text: string) => void;
}

type Item = Record<string, unknown>;
type Query = Record<string, string | string[] | undefined>;

/**
 * A REST collection in a few lines, like json-server: list, get, create, replace, update and
 * delete, over scenario state. Lists take json-server's query vocabulary: filters `?field=value`,
 * `field_gte`/`_lte`/`_ne`/`_like`, full text `q`, `_sort`/`_order` (or `sort=field,-other`), paging
 * `_page`/`_limit`, `_start`/`_end` (or `page`/`pageSize`); a parameter naming no field is ignored
 * and listed in the `x-mockstack-ignored-query` header. `list: 'array'` answers as json-server.
 *
 * @example
 * rest({ port: 8081 }, [...rest.crud('/customers', { collection: (s) => s.customers })])
 */
export function crud<State, Entity extends object>(path: string, options: CrudOptions<State, Entity>): RuleOf<State>[] {
  const idField = options.idField ?? 'id';
  const database = options.database;
  if (options.writeBack !== undefined && !database)
    throw new MockstackError(ErrorCode.ScenarioInvalid, `rest.crud('${path}'): writeBack needs \`database\`, the object written to the file`);
  const name = path.split('/').filter(Boolean).at(-1) ?? path;
  const defaultPageSize = options.pageSize ?? 20;
  const source = captureSource();
  const itemPath = `${path.replace(/\/$/, '')}/:${idField === 'id' ? 'id' : 'key'}`;
  const param = idField === 'id' ? 'id' : 'key';
  const items = (state: State): Item[] => {
    const collection = options.collection(state) as Collection<Item>;
    return collection instanceof Map ? [...collection.values()] : collection;
  };
  const find = (state: State, id: string): Item | undefined => {
    const collection = options.collection(state) as Collection<Item>;
    return collection instanceof Map ? collection.get(id) : collection.find((i) => String(i[idField]) === id);
  };
  const store = (state: State, id: string, item: Item): void => {
    const collection = options.collection(state) as Collection<Item>;
    if (collection instanceof Map) collection.set(id, item);
    else {
      const index = collection.findIndex((i) => String(i[idField]) === id);
      if (index === -1) collection.push(item);
      else collection[index] = item;
    }
  };
  const remove = (state: State, id: string): boolean => {
    const collection = options.collection(state) as Collection<Item>;
    if (collection instanceof Map) return collection.delete(id);
    const index = collection.findIndex((i) => String(i[idField]) === id);
    if (index !== -1) collection.splice(index, 1);
    return index !== -1;
  };
  const notFound = (id: string) => makeFault('NOT_FOUND', `${path} has no record ${JSON.stringify(id)}`);
  const bodyOf = (ctx: { body: unknown }): Item | undefined =>
    typeof ctx.body === 'object' && ctx.body !== null && !Array.isArray(ctx.body) ? (ctx.body as Item) : undefined;
  const writer =
    options.writeBack !== undefined && database
      ? databaseWriter(resolveContractPath({ file: source?.file, root: undefined }, options.writeBack), options.onWriteBack)
      : undefined;
  /** After a change: the database written back (debounced). */
  const changed = <T>(state: State, answer: T): T => {
    writer?.schedule(() => database?.(state));
    return answer;
  };
  /** Before a change: the last write-back's failure, if any, as this request's answer. */
  const writeFailure = () => writer?.takeFailure();
  const related = (state: State, records: Item[], query: Query, ignored: string[]): Item[] =>
    withRelations(records, { name, idField, database: database?.(state) ?? {}, query, ignored });
  const idOf = (ctx: RestContext<string, State>): string => String((ctx.params as Record<string, string>)[param]);
  const rule = (method: string, route: string, respond: (ctx: RestContext<string, State>) => unknown): RuleOf<State> => ({
    operation: `${method} ${route}`,
    meta: { method, path: route },
    name: `crud ${method} ${route}`,
    source,
    respond: (ctx: RestContext<string, State>) => respond(ctx),
  });

  const list = (state: State, all: Item[], query: Query) => {
    const { found, ignored } = listQuery(all, query);
    const paged = pageOf(found.length, query, options.list === 'array' ? undefined : defaultPageSize);
    const page = related(state, found.slice(paged.start, paged.end), query, ignored);
    const headers: Record<string, string> = ignored.length ? { 'x-mockstack-ignored-query': ignored.join(', ') } : {};
    if (options.list === 'array') return makeReply({ headers: { ...headers, 'x-total-count': String(found.length) }, body: page });
    const body = { items: page, page: paged.page, pageSize: paged.size, total: found.length };
    return ignored.length ? makeReply({ headers, body }) : body;
  };
  const one = (state: State, item: Item, query: Query) => {
    const ignored: string[] = [];
    const [body] = related(state, [item], query, ignored);
    return ignored.length ? makeReply({ headers: { 'x-mockstack-ignored-query': ignored.join(', ') }, body }) : body;
  };
  /** The child collection `nested` of the parent record `:id`, and the parent's id as stored. */
  const nestedOf = (ctx: RestContext<string, State>) => {
    const nested = String((ctx.params as Record<string, string>).nested);
    const children = database?.(ctx.state)[nested];
    const parent = find(ctx.state, idOf(ctx));
    if (!Array.isArray(children) || nested === name)
      return makeFault('NOT_FOUND', `${path}/${idOf(ctx)}/${nested}: the database has no collection "${nested}"`);
    if (!parent) return notFound(idOf(ctx));
    return { children: children as Item[], foreignKey: foreignKeyOf(name), parentId: parent[idField] };
  };
  const nestedRules = database
    ? [
        rule('GET', `${itemPath}/:nested`, (ctx) => {
          const found = nestedOf(ctx);
          if (!('children' in found)) return found;
          return list(
            ctx.state,
            found.children.filter((child) => String(child[found.foreignKey]) === String(found.parentId)),
            ctx.query,
          );
        }),
        rule('POST', `${itemPath}/:nested`, (ctx) => {
          const found = nestedOf(ctx);
          if (!('children' in found)) return found;
          const body = bodyOf(ctx);
          if (!body)
            return makeFault('INVALID_ARGUMENT', `POST ${path}/${idOf(ctx)}/${String((ctx.params as Record<string, string>).nested)} needs a JSON object body`);
          const failed = writeFailure();
          if (failed) return failed;
          const created = { ...body, id: body.id ?? nextId(found.children, 'id'), [found.foreignKey]: found.parentId };
          found.children.push(created);
          return changed(ctx.state, makeReply({ status: 201, body: created }));
        }),
      ]
    : [];

  return [
    rule('GET', path, ({ query, state }) => list(state, items(state), query)),
    rule('GET', itemPath, (ctx) => {
      const item = find(ctx.state, idOf(ctx));
      return item ? one(ctx.state, item, ctx.query) : notFound(idOf(ctx));
    }),
    ...nestedRules,
    rule('POST', path, (ctx) => {
      const failed = writeFailure();
      if (failed) return failed;
      const body = bodyOf(ctx);
      if (!body) return makeFault('INVALID_ARGUMENT', `POST ${path} needs a JSON object body`);
      const id = String(body[idField] ?? options.newId?.(ctx.state, body as Partial<Entity>) ?? nextId(items(ctx.state), idField));
      if (find(ctx.state, id)) return makeFault('ALREADY_EXISTS', `${path} already has a record ${JSON.stringify(id)}`);
      const created = { ...body, [idField]: id };
      store(ctx.state, id, created);
      return changed(ctx.state, makeReply({ status: 201, headers: { location: `${path}/${id}` }, body: created }));
    }),
    rule('PUT', itemPath, (ctx) => {
      const body = bodyOf(ctx);
      const id = idOf(ctx);
      if (!body) return makeFault('INVALID_ARGUMENT', `PUT ${path}/${id} needs a JSON object body`);
      if (!find(ctx.state, id)) return notFound(id);
      const failed = writeFailure();
      if (failed) return failed;
      const replaced = { ...body, [idField]: id };
      store(ctx.state, id, replaced);
      return changed(ctx.state, replaced);
    }),
    rule('PATCH', itemPath, (ctx) => {
      const body = bodyOf(ctx);
      const id = idOf(ctx);
      const existing = find(ctx.state, id);
      if (!existing) return notFound(id);
      if (!body) return makeFault('INVALID_ARGUMENT', `PATCH ${path}/${id} needs a JSON object body`);
      const failed = writeFailure();
      if (failed) return failed;
      Object.assign(existing, body, { [idField]: id });
      return changed(ctx.state, existing);
    }),
    rule('DELETE', itemPath, (ctx) => {
      const failed = writeFailure();
      if (failed) return failed;
      return remove(ctx.state, idOf(ctx)) ? changed(ctx.state, makeReply({ status: 204 })) : notFound(idOf(ctx));
    }),
  ];
}

/** Query parameters that page and sort rather than filter (mockstack's own and json-server's). */
const LIST_PARAMS = new Set(['page', 'pageSize', 'sort', '_sort', '_order', '_page', '_limit', '_per_page', '_start', '_end', 'q', '_embed', '_expand']);
/** json-server's operators: `views_gte=10`, `title_like=^a`, `id_ne=2`. */
const OPERATOR = /^(.+)_(gte|lte|ne|like)$/;

/**
 * Filters and sorts a list by the query, as json-server does: `field=value` (repeatable: any of
 * them), `field_gte`/`_lte`/`_ne`/`_like` (a regular expression, case-insensitive), `q` (any string
 * field contains it), `sort`/`_sort` (`-field` or `_order=desc` for descending). A parameter that
 * names no field of any record is ignored and reported (never a filter that empties the list).
 */
function listQuery(all: Item[], query: Query): { found: Item[]; ignored: string[] } {
  const fields = new Set(all.flatMap((item) => Object.keys(item)));
  const tests: ((item: Item) => boolean)[] = [];
  const ignored: string[] = [];
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined || LIST_PARAMS.has(key)) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    const operator = OPERATOR.exec(key);
    const field = operator && !fields.has(key) ? (operator[1] as string) : key;
    if (!fields.has(field)) {
      ignored.push(key);
      continue;
    }
    const op = operator && field !== key ? operator[2] : 'eq';
    tests.push((item) => {
      const value = item[field];
      return values.some((wanted) => {
        switch (op) {
          case 'gte':
            return compare(value, wanted) >= 0;
          case 'lte':
            return compare(value, wanted) <= 0;
          case 'ne':
            return String(value) !== wanted;
          case 'like':
            return safeRegex(wanted).test(String(value ?? ''));
          default:
            return String(value) === wanted;
        }
      });
    });
  }
  const q = typeof query.q === 'string' ? query.q.toLowerCase() : undefined;
  if (q) tests.push((item) => Object.values(item).some((v) => (typeof v === 'string' || typeof v === 'number') && String(v).toLowerCase().includes(q)));
  let found = all.filter((item) => tests.every((t) => t(item)));
  const sort = typeof query._sort === 'string' ? query._sort : typeof query.sort === 'string' ? query.sort : undefined;
  if (sort) {
    const orders = typeof query._order === 'string' ? query._order.split(',') : [];
    const keys = sort.split(',').map((k, i) => (k.startsWith('-') ? { key: k.slice(1), dir: -1 } : { key: k, dir: orders[i] === 'desc' ? -1 : 1 }));
    found = [...found].sort((a, b) => {
      for (const { key, dir } of keys) {
        const order = compare(a[key], b[key]);
        if (order !== 0) return order * dir;
      }
      return 0;
    });
  }
  return { found, ignored };
}

/** The slice a list answers: `_start`/`_end`, `_page`/`_limit` (or `page`/`pageSize`); `defaultSize` pages by default (undefined: everything). */
function pageOf(total: number, query: Record<string, string | string[] | undefined>, defaultSize: number | undefined) {
  const number = (key: string): number | undefined => {
    const value = Number(query[key]);
    return typeof query[key] === 'string' && Number.isFinite(value) ? value : undefined;
  };
  const start = number('_start');
  if (start !== undefined || number('_end') !== undefined) {
    const from = Math.max(0, start ?? 0);
    const end = number('_end') ?? (number('_limit') !== undefined ? from + Math.max(0, number('_limit') ?? 0) : total);
    return { start: from, end, page: 1, size: end - from };
  }
  const asked = number('_limit') ?? number('_per_page') ?? number('pageSize');
  const size = Math.max(1, asked ?? defaultSize ?? Math.max(total, 1));
  const page = Math.max(1, number('_page') ?? number('page') ?? 1);
  return { start: (page - 1) * size, end: page * size, page, size };
}

function compare(a: unknown, b: unknown): number {
  const x =
    typeof a === 'number' || (typeof b === 'string' && typeof a === 'string' && a !== '' && b !== '' && !Number.isNaN(Number(a)) && !Number.isNaN(Number(b)))
      ? Number(a)
      : a;
  const y = typeof x === 'number' ? Number(b) : b;
  if (x === y) return 0;
  return (x as string | number) > (y as string | number) ? 1 : -1;
}

function safeRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return new RegExp(escapeRegExp(pattern), 'i');
  }
}

function nextId(items: Item[], idField: string): string {
  const numbers = items.map((i) => Number(i[idField])).filter(Number.isFinite);
  return String((numbers.length ? Math.max(...numbers) : 0) + 1);
}

/** json-server's foreign key to a record of `collection`: `posts` → `postId`. */
function foreignKeyOf(collection: string): string {
  return `${pluralize.singular(collection)}Id`;
}

/** The values of a repeatable, comma-separable query parameter: `_embed=a&_embed=b,c`. */
function valuesOf(query: Query, key: string): string[] {
  const raw = query[key];
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => v.split(',')).filter(Boolean);
}

/**
 * Records with json-server's relations added (copies; the state is not changed): `_embed=comments`
 * puts each record's children (`comments` whose `postId` is its id) under `comments`; `_expand=post`
 * (or json-server 1's `_embed=post`) puts the `posts` record its `postId` names under `post`. A
 * relation the database cannot resolve is added to `ignored`.
 */
function withRelations(
  records: Item[],
  context: { name: string; idField: string; database: Record<string, unknown>; query: Query; ignored: string[] },
): Item[] {
  const { name, idField, database, query, ignored } = context;
  const children: { key: string; records: Item[] }[] = [];
  const parents: { key: string; foreignKey: string; records: Item[] }[] = [];
  const parentOf = (key: string) => {
    const collection = [pluralize.plural(key), key].find((c) => Array.isArray(database[c]));
    return collection && records.some((r) => `${key}Id` in r) ? { key, foreignKey: `${key}Id`, records: database[collection] as Item[] } : undefined;
  };
  for (const key of valuesOf(query, '_embed')) {
    const parent = Array.isArray(database[key]) ? undefined : parentOf(key);
    if (Array.isArray(database[key])) children.push({ key, records: database[key] as Item[] });
    else if (parent) parents.push(parent);
    else ignored.push(`_embed=${key}`);
  }
  for (const key of valuesOf(query, '_expand')) {
    const parent = parentOf(key);
    if (parent) parents.push(parent);
    else ignored.push(`_expand=${key}`);
  }
  if (children.length === 0 && parents.length === 0) return records;
  const foreignKey = foreignKeyOf(name);
  return records.map((record) => {
    const out: Item = { ...record };
    for (const child of children) out[child.key] = child.records.filter((c) => String(c[foreignKey]) === String(record[idField]));
    for (const parent of parents) {
      const found = parent.records.find((p) => String(p.id) === String(record[parent.foreignKey]));
      if (found) out[parent.key] = found;
    }
    return out;
  });
}

/** The writer of each file: collections of one database share it, so the file is written once per change. */
const writers = new Map<string, ReturnType<typeof newWriter>>();

function databaseWriter(file: string, onWrite: ((file: string, text: string) => void) | undefined) {
  const writer = writers.get(file) ?? newWriter(file);
  writers.set(file, writer);
  if (onWrite) writer.listeners.add(onWrite);
  return writer;
}

/** Writes a database back to its file: the last state asked for, debounced, atomically. */
function newWriter(file: string) {
  const listeners = new Set<(file: string, text: string) => void>();
  let pending = false;
  let snapshot: (() => unknown) | undefined;
  let failure: string | undefined;
  const write = async () => {
    pending = false;
    const data = snapshot?.();
    if (data === undefined) return;
    const text = `${JSON.stringify(data, null, 2)}\n`;
    for (const listener of listeners) listener(file, text);
    try {
      await writeTextFileAtomic(file, text);
    } catch (error) {
      failure = (error as Error).message;
    }
  };
  return {
    listeners,
    schedule(take: () => unknown): void {
      snapshot = take;
      if (pending) return;
      pending = true;
      setTimeout(() => void write(), WRITE_BACK_DEBOUNCE_MS);
    },
    /** The last failed write as a fault (once), so the client that changes something next hears of it. */
    takeFailure() {
      if (failure === undefined) return undefined;
      const message = `could not write the database back to ${file}: ${failure}; nothing was changed by this request (the next one tries writing again)`;
      failure = undefined;
      return makeFault('INTERNAL', message);
    },
  };
}

/** How long writes gather before the file is written once for all of them. */
const WRITE_BACK_DEBOUNCE_MS = 50;
