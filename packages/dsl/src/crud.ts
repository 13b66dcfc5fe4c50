import { captureSource, makeFault, makeReply } from '@mockstack/core';
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
}

type Item = Record<string, unknown>;

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
  const idOf = (ctx: RestContext<string, State>): string => String((ctx.params as Record<string, string>)[param]);
  const rule = (method: string, route: string, respond: (ctx: RestContext<string, State>) => unknown): RuleOf<State> => ({
    operation: `${method} ${route}`,
    meta: { method, path: route },
    name: `crud ${method} ${route}`,
    source,
    respond: (ctx: RestContext<string, State>) => respond(ctx),
  });

  return [
    rule('GET', path, ({ query, state }) => {
      const all = items(state);
      const { found, ignored } = listQuery(all, query);
      const headers: Record<string, string> = ignored.length ? { 'x-mockstack-ignored-query': ignored.join(', ') } : {};
      const paged = pageOf(found.length, query, options.list === 'array' ? undefined : defaultPageSize);
      if (options.list === 'array') {
        return makeReply({ headers: { ...headers, 'x-total-count': String(found.length) }, body: found.slice(paged.start, paged.end) });
      }
      const body = { items: found.slice(paged.start, paged.end), page: paged.page, pageSize: paged.size, total: found.length };
      return ignored.length ? makeReply({ headers, body }) : body;
    }),
    rule('GET', itemPath, (ctx) => find(ctx.state, idOf(ctx)) ?? notFound(idOf(ctx))),
    rule('POST', path, (ctx) => {
      const body = bodyOf(ctx);
      if (!body) return makeFault('INVALID_ARGUMENT', `POST ${path} needs a JSON object body`);
      const id = String(body[idField] ?? options.newId?.(ctx.state, body as Partial<Entity>) ?? nextId(items(ctx.state), idField));
      if (find(ctx.state, id)) return makeFault('ALREADY_EXISTS', `${path} already has a record ${JSON.stringify(id)}`);
      const created = { ...body, [idField]: id };
      store(ctx.state, id, created);
      return makeReply({ status: 201, headers: { location: `${path}/${id}` }, body: created });
    }),
    rule('PUT', itemPath, (ctx) => {
      const body = bodyOf(ctx);
      const id = idOf(ctx);
      if (!body) return makeFault('INVALID_ARGUMENT', `PUT ${path}/${id} needs a JSON object body`);
      if (!find(ctx.state, id)) return notFound(id);
      const replaced = { ...body, [idField]: id };
      store(ctx.state, id, replaced);
      return replaced;
    }),
    rule('PATCH', itemPath, (ctx) => {
      const body = bodyOf(ctx);
      const id = idOf(ctx);
      const existing = find(ctx.state, id);
      if (!existing) return notFound(id);
      if (!body) return makeFault('INVALID_ARGUMENT', `PATCH ${path}/${id} needs a JSON object body`);
      Object.assign(existing, body, { [idField]: id });
      return existing;
    }),
    rule('DELETE', itemPath, (ctx) => (remove(ctx.state, idOf(ctx)) ? makeReply({ status: 204 }) : notFound(idOf(ctx)))),
  ];
}

/** Query parameters that page and sort rather than filter (mockstack's own and json-server's). */
const LIST_PARAMS = new Set(['page', 'pageSize', 'sort', '_sort', '_order', '_page', '_limit', '_per_page', '_start', '_end', 'q']);
/** json-server's operators: `views_gte=10`, `title_like=^a`, `id_ne=2`. */
const OPERATOR = /^(.+)_(gte|lte|ne|like)$/;

/**
 * Filters and sorts a list by the query, as json-server does: `field=value` (repeatable: any of
 * them), `field_gte`/`_lte`/`_ne`/`_like` (a regular expression, case-insensitive), `q` (any string
 * field contains it), `sort`/`_sort` (`-field` or `_order=desc` for descending). A parameter that
 * names no field of any record is ignored and reported (never a filter that empties the list).
 */
function listQuery(all: Item[], query: Record<string, string | string[] | undefined>): { found: Item[]; ignored: string[] } {
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
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
}

function nextId(items: Item[], idField: string): string {
  const numbers = items.map((i) => Number(i[idField])).filter(Number.isFinite);
  return String((numbers.length ? Math.max(...numbers) : 0) + 1);
}
