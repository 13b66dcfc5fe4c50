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
}

type Item = Record<string, unknown>;

/**
 * A REST collection in a few lines, like json-server: list (paging `?page=&pageSize=`, filters
 * `?field=value`, `?sort=field,-other`), get, create, replace, update and delete, over scenario state.
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
      const { page, pageSize, sort, ...filters } = query;
      let found = items(state).filter((item) => Object.entries(filters).every(([k, v]) => v === undefined || String(item[k]) === String(v)));
      if (typeof sort === 'string') found = sortBy(found, sort);
      const size = Math.max(1, Number(pageSize) || defaultPageSize);
      const current = Math.max(1, Number(page) || 1);
      return { items: found.slice((current - 1) * size, current * size), page: current, pageSize: size, total: found.length };
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

function sortBy(items: Item[], sort: string): Item[] {
  const keys = sort.split(',').map((k) => (k.startsWith('-') ? { key: k.slice(1), dir: -1 } : { key: k, dir: 1 }));
  return [...items].sort((a, b) => {
    for (const { key, dir } of keys) {
      const x = a[key] as string | number;
      const y = b[key] as string | number;
      if (x !== y) return (x > y ? 1 : -1) * dir;
    }
    return 0;
  });
}

function nextId(items: Item[], idField: string): string {
  const numbers = items.map((i) => Number(i[idField])).filter(Number.isFinite);
  return String((numbers.length ? Math.max(...numbers) : 0) + 1);
}
