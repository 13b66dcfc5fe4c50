import { type ApiOperation, isJsonMediaType } from './document.js';
import { flattenAllOf, generateValue, valueFits } from './generate.js';
import { isObject, type JsonObject } from './pointer.js';

/**
 * Cursor pagination as the mock answers it: a request that carries a cursor to a later page gets the
 * last page, so an SDK paging through every result (Stripe's auto-pagination on `has_more` and
 * `starting_after`, Slack's on `response_metadata.next_cursor`, Google's on `nextPageToken`,
 * Twilio's on `next_page_url`, HubSpot's on `paging.next.after`) gets two pages and ends, instead of
 * a generated "more" forever. Page numbers and `Link` headers are paged elsewhere (see the REST
 * adapter's pagination links).
 */

/** Query parameters that carry a cursor to a later page. */
const CURSOR =
  /^(?:starting_?after|ending_?before|after|before|cursor|start_?cursor|page_?cursor|after_?cursor|page_?after|page_?token|next_?page_?token|next_?token|next_?cursor|continuation_?token|continue|\$?skip_?token|marker)$/i;
/** Flags saying there is more. */
const MORE = /^(?:has_?more|has_?next(?:_?page)?|more_?available|has_?more_?(?:items|pages|results))$/i;
/** Flags saying this is the last page. */
const LAST = /^is_?last(?:_?page)?$/i;
/** Where the next page is: a URL, a token, a cursor, or an object holding one (HubSpot's `paging.next`). */
const NEXT = /^(?:@odata\.)?next(?:_?(?:page|cursor|token|marker|url|uri|link|href))*$|^(?:continuation_?token|continue)$/i;

/**
 * A next pointer named a URI, not a URL (Twilio's `next_page_uri`), is a path on the API's own host,
 * which the client puts after its base URL (twilio's `each()` and `list()`): written as the whole
 * address (its `format: uri` generates one), the SDK asked for `http://mock/http://mock/…` and got a 404.
 */
const URI = /uri$/i;

/** Cursor parameters that page backwards. */
const BACKWARDS = /^(?:ending_?before|before)$/i;

/** The cursor query parameters `operation` documents (a request with one of them set is for a later page). */
export function cursorParametersOf(operation: ApiOperation): string[] {
  return operation.parameters.filter((p) => p.in === 'query' && CURSOR.test(p.name)).map((p) => p.name);
}

/**
 * The top-level properties of `operation`'s JSON request body that carry a cursor to a later page:
 * search and query endpoints take theirs in the body (Square's `POST /v2/orders/search` `cursor`,
 * Notion's `POST /v1/databases/{id}/query` `start_cursor`).
 */
export function bodyCursorsOf(operation: ApiOperation, resolve: (node: unknown) => unknown): string[] {
  const body = resolve(operation.requestBody);
  const content = isObject(body) && isObject(body.content) ? body.content : {};
  const type = Object.keys(content).find(isJsonMediaType);
  const media = type === undefined ? undefined : resolve(content[type]);
  const asSchema = (node: unknown): JsonObject | undefined => {
    const resolved = resolve(node);
    return isObject(resolved) ? resolved : undefined;
  };
  const own = isObject(media) ? asSchema(media.schema) : undefined;
  const shape = own && Array.isArray(own.allOf) ? flattenAllOf(own, asSchema) : own;
  // A bare `after` or `before` in a body is more often a position (Notion's append `after` a block) than a cursor.
  return isObject(shape?.properties) ? Object.keys(shape.properties).filter((name) => CURSOR.test(name) && !/^(?:after|before)$/i.test(name)) : [];
}

/**
 * The first cursor parameter of `operation` that pages forwards (`starting_after`, not `ending_before`),
 * with a value its schema takes (a pattern, a length): what a first page's next links set.
 */
export function forwardCursor(operation: ApiOperation, resolve: (node: unknown) => unknown): { name: string; value: string } | undefined {
  const parameter = operation.parameters.find((p) => p.in === 'query' && CURSOR.test(p.name) && !BACKWARDS.test(p.name));
  if (!parameter) return undefined;
  const value = parameter.schema === undefined ? undefined : generateValue(parameter.schema, { seed: 2, resolve, direction: 'request' });
  return {
    name: parameter.name,
    value: typeof value === 'string' && value !== '' ? value : value === undefined || value === null || typeof value === 'object' ? 'page2' : String(value),
  };
}

/**
 * Where a first page's next links point, in the answer made once for every first page: `linkToNextPage`
 * writes each request's own next page there (an absolute link, or a path where the document's link was one).
 */
const NEXT_LINK = 'https://next-page.mockstack.invalid/';
const NEXT_PATH = '/next-page.mockstack.invalid/';

/**
 * `value` (a first page's JSON, not changed) with its next pointers that are links (Twilio's
 * `next_page_uri`, JSON:API's `links.next`, OData's `@odata.nextLink`) marked as the next page's (see
 * linkToNextPage), at the top and one object down: generated, they named a page no server has, and a
 * client following them (Twilio's `each()`) got a 404.
 */
export function withNextPage(value: unknown): unknown {
  if (!isObject(value)) return value;
  return nextPageOf(value, 0);
}

function nextPageOf(value: JsonObject, depth: number): JsonObject {
  const page: JsonObject = { ...value };
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'string' && NEXT.test(key) && /^(?:https?:\/\/|\/)/i.test(field))
      page[key] = field.startsWith('/') || URI.test(key) ? NEXT_PATH : NEXT_LINK;
    else if (isObject(field) && depth < 1) page[key] = nextPageOf(field, depth + 1);
  }
  return page;
}

/**
 * `value` (a generated answer, not changed) with its page's metadata naming the list it pages: a
 * string `key` beside a next pointer (Twilio's v1 and v2 APIs: `meta: { key, next_page_url, … }`)
 * holds the name of the answer's one list, which the twilio SDK reads the page's items from
 * (`payload[meta.key]`): generated as any string, every `list()` and `each()` threw on `undefined`.
 */
export function withListNamed(value: unknown): unknown {
  if (!isObject(value)) return value;
  const lists = Object.keys(value).filter((key) => Array.isArray(value[key]));
  if (lists.length !== 1) return value;
  for (const [name, field] of Object.entries(value)) {
    if (!isObject(field) || typeof field.key !== 'string' || !Object.keys(field).some((key) => NEXT.test(key))) continue;
    return { ...value, [name]: { ...field, key: lists[0] } };
  }
  return value;
}

/**
 * `body` (a first page made by withNextPage) with its next links naming the page after `requested`:
 * the same URL with `cursor` (see forwardCursor) set, which the mock answers with the last page.
 */
export function linkToNextPage(body: string, requested: URL, cursor: { name: string; value: string }): string {
  if (!body.includes('next-page.mockstack.invalid/')) return body;
  const next = new URL(requested.href);
  next.searchParams.set(cursor.name, cursor.value);
  // Inside a JSON string: a query may hold a backslash, which URL parsing keeps as it is.
  const inJson = (text: string) => JSON.stringify(text).slice(1, -1);
  return body.replaceAll(NEXT_LINK, inJson(next.href)).replaceAll(NEXT_PATH, inJson(`${next.pathname}${next.search}`));
}

/**
 * `value` (an answer's JSON, not changed) as the last page: in it and in the objects it holds
 * (`meta`, `paging`, `response_metadata`, `metadata`), "more" flags false, "last" flags true, and next
 * pointers left out, or null or empty where the schema requires them. A field named as one of the
 * operation's `cursors` is a next pointer too: Square answers the next page's `cursor` under the name
 * the request sends it by, and its SDK, seeing one on every page, paged through payments forever.
 */
export function asLastPage(value: unknown, schema: unknown, resolve: (node: unknown) => unknown, cursors: readonly string[] = []): unknown {
  return lastPageOf(value, schema, resolve, cursors, 0);
}

function lastPageOf(value: unknown, schema: unknown, resolve: (node: unknown) => unknown, cursors: readonly string[], depth: number): unknown {
  if (!isObject(value) || depth > 1) return value;
  const asSchema = (node: unknown): JsonObject | undefined => {
    const resolved = resolve(node);
    return isObject(resolved) ? resolved : undefined;
  };
  const own = asSchema(schema);
  const shape = own && Array.isArray(own.allOf) ? flattenAllOf(own, asSchema) : own;
  const properties = isObject(shape?.properties) ? shape.properties : {};
  const required = Array.isArray(shape?.required) ? shape.required : [];
  const page: JsonObject = { ...value };
  for (const [key, field] of Object.entries(value)) {
    const fieldSchema = properties[key];
    if (typeof field === 'boolean' && MORE.test(key)) page[key] = false;
    else if (typeof field === 'boolean' && LAST.test(key)) page[key] = true;
    else if ((NEXT.test(key) || cursors.includes(key)) && field !== null && (typeof field === 'string' || isObject(field))) {
      if (fieldSchema !== undefined && valueFits(fieldSchema, null, resolve)) page[key] = null;
      else if (!required.includes(key)) delete page[key];
      else if (typeof field === 'string') page[key] = '';
    } else if (isObject(field)) page[key] = lastPageOf(field, fieldSchema, resolve, cursors, depth + 1);
  }
  return page;
}
