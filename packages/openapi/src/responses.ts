import type { ApiOperation, OpenApi } from './document.js';
import { isGeneratedText, isJsonMediaType } from './document.js';
import { flattenAllOf, generateValue, seedFor, valueFits } from './generate.js';
import { asLastPage, bodyCursorsOf, cursorParametersOf, withListNamed, withNextPage } from './last-page.js';
import { isObject, type JsonObject } from './pointer.js';
import { type SequenceItems, type SequenceWriter, sequenceItemsOf, sequenceWriter } from './sequences.js';
import { isXmlMediaType, toXml } from './xml.js';

/** What a client asked for with `Prefer: code=404, example=notFound, dynamic=true` (as Prism reads it). */
export interface Preference {
  code?: number | undefined;
  example?: string | undefined;
  dynamic?: boolean | undefined;
  /**
   * The request asks to watch the list (Kubernetes' `?watch=true`): answered in the documented
   * `;stream=watch` type, if any, as watch events (see watchEvents).
   */
  watch?: boolean | undefined;
  /** The request carries a cursor to a later page: answer the last one (see asLastPage). */
  lastPage?: boolean | undefined;
  /** A first page of an operation paged by cursors: its next links are marked for linkToNextPage (see withNextPage). */
  firstPage?: boolean | undefined;
}

/** Reads a `Prefer` header; unknown preferences are ignored. */
export function parsePrefer(header: string | string[] | undefined): Preference {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return {};
  const preference: Preference = {};
  for (const part of text.split(/[,;]/)) {
    const [rawKey, ...rest] = part.split('=');
    const key = rawKey?.trim().toLowerCase();
    const value = rest.join('=').trim().replace(/^"|"$/g, '');
    if (key === 'code' && /^\d{3}$/.test(value)) preference.code = Number(value);
    else if (key === 'example' && value) preference.example = value;
    else if (key === 'dynamic') preference.dynamic = value !== 'false';
  }
  return preference;
}

/** A response made from the contract. */
export interface ContractResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as sent (JSON already serialized, text and XML as documented), or undefined for none. */
  body: string | undefined;
  /** A generated JSON object that repeats what its request names: made again for a request naming other values. */
  echo?: RequestEcho | undefined;
}

/** What of a request a generated answer repeats: the values of its path and query parameters, its body. */
export interface AskedFor {
  /** By the router's names (see ApiOperation.routeParams). */
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string | string[] | undefined>>;
  body: unknown;
}

/** A field of an answer, or of each item of its list, that a request parameter names, with the schema a value must fit. */
interface EchoedParameter {
  field: string;
  /** The parameter's name in AskedFor's `params` (path) or `query`. */
  parameter: string;
  in: 'path' | 'query';
  schema: unknown;
}

/**
 * The fields of a generated answer that repeat its request, as the real API's answer would:
 * - the fields naming what the path asks for: the path parameter's own name (`userId` in
 *   `GET /users/{userId}/orders/{orderId}`), and `id` for the parameter that ends the path (`GET /pets/{petId}`,
 *   Stripe's `GET /v1/customers/{customer}`);
 * - the fields named as a query parameter the operation declares (`GET /weather?city=Oslo` answers `city: "Oslo"`);
 * - in each item of a list answer (the answer, or its one array), the fields named as a path or query parameter
 *   (`GET /users/{userId}/orders?status=paid` answers orders of that user, all paid);
 * - for a write (POST, PUT, PATCH), the fields the request's body gives (`POST /pets { name: 'Rex' }` answers the
 *   pet named Rex), where the answer has the field and the value fits its schema.
 */
interface RequestEcho {
  value: unknown;
  fields: readonly EchoedParameter[];
  /** The answer's properties, for a write; undefined for a read. */
  bodyFields: JsonObject | undefined;
  /** The answer's one list: its field (undefined: the answer is the list), and the fields of each item to set. */
  list: { key: string | undefined; fields: readonly EchoedParameter[]; size: PageSize | undefined } | undefined;
}

/**
 * The query parameter a list's length follows (`?limit=20` answers 20 items, within the list's minItems and
 * maxItems, at most 100), and the items generated beyond the list's own, kept for later requests.
 */
interface PageSize {
  parameter: string;
  items: unknown;
  min: number;
  max: number;
  extra: unknown[];
}

/** Names of a page's size: `limit`, `per_page`, `pageSize`, `$top`, `maxResults`, `first`… */
const PAGE_SIZE = /^(\$?top|first|last|limit|take|count|size|per_?page|page_?size|max_?results|max_?items|max_?page_?size)$/i;
const MAX_PAGE = 100;

/**
 * The client asked for a status or example the operation does not document (400), or only for
 * media types the operation does not document (406); or the operation documents only an informational
 * status (101 Switching Protocols), which no answer can be (501).
 */
export interface PreferenceProblem {
  problem: string;
  available: readonly string[];
  status?: 400 | 406 | 501 | undefined;
}

export function isPreferenceProblem(value: ContractResponse | PreferenceProblem): value is PreferenceProblem {
  return 'problem' in value;
}

/**
 * Makes the responses of one operation: the documented example (a named one when asked for),
 * else a value generated from the schema. Generated values are made once per status, media type
 * and example and then reused, unless the client prefers `dynamic=true`.
 */
export class ResponseMaker {
  readonly #api: OpenApi;
  readonly #operation: ApiOperation;
  readonly #seedOf: () => number;
  #seed: number;
  readonly #cache = new Map<string, ContractResponse>();
  readonly #statuses: readonly string[];
  /** The operation's cursor parameters and body properties: on a last page, fields of these names are next pointers. */
  readonly #cursors: readonly string[];
  #dynamicCalls = 0;
  /** See streamedType: null until first asked. */
  #streamedType: string | undefined | null = null;

  /** `seed` may be a function: the running engine's seed (`--seed`) is known only once it starts. */
  constructor(api: OpenApi, operation: ApiOperation, seed: number | (() => number)) {
    this.#api = api;
    this.#operation = operation;
    this.#seedOf = typeof seed === 'function' ? seed : () => seed;
    this.#seed = this.#seedOf();
    this.#statuses = Object.keys(operation.responses);
    this.#cursors = [...cursorParametersOf(operation), ...bodyCursorsOf(operation, api.resolve)];
  }

  /**
   * The sequence media type (server-sent events, JSON Lines) the usual answer documents beside others,
   * if any: what a request asking for a stream in its body (`"stream": true`, as OpenAI's, Anthropic's
   * and Ollama's clients do, with `Accept: application/json`) is answered with.
   */
  get streamedType(): string | undefined {
    if (this.#streamedType === null) {
      const response = this.#api.resolve(this.#operation.responses[this.#pickStatus(undefined) ?? '']);
      const content = isObject(response) && isObject(response.content) ? response.content : {};
      const types = Object.keys(content);
      this.#streamedType = types.length > 1 ? types.find((type) => sequenceItemsOf(type, this.#api.resolve(content[type]), this.#api.resolve)) : undefined;
    }
    return this.#streamedType;
  }

  /**
   * The response for one request, from its `Prefer` and `Accept` headers. A generated object repeats what the
   * request names (see RequestEcho): `GET /pets/42` answers `id: 42`.
   */
  respond(preference: Preference, accept?: string | undefined, asked?: AskedFor): ContractResponse | PreferenceProblem {
    const made = this.#cached(
      `${preference.code ?? ''}|${preference.example ?? ''}|${accept ?? ''}|${preference.lastPage === true}|${preference.firstPage === true}|${preference.watch === true}`,
      preference,
      accept,
      undefined,
    );
    return asked === undefined || isPreferenceProblem(made) || made.echo === undefined ? made : this.#echoed(made, made.echo, asked);
  }

  #echoed(made: ContractResponse, echo: RequestEcho, asked: AskedFor): ContractResponse {
    const original = echo.value;
    let answer = isObject(original) && !Array.isArray(original) ? this.#withFields(original, echo.fields, asked) : original;
    const body = asked.body;
    if (echo.bodyFields && isObject(answer) && isObject(body) && !Array.isArray(body)) {
      let object: JsonObject = answer;
      for (const field of Object.keys(body)) {
        const given = body[field];
        const schema = echo.bodyFields[field];
        if (schema === undefined || !(field in object) || !sameKind(given, object[field]) || !valueFits(schema, given, this.#api.resolve)) continue;
        if (object === original) object = { ...object };
        object[field] = given;
      }
      answer = object;
    }
    if (echo.list) {
      const { key, fields, size } = echo.list;
      const items = key === undefined ? answer : isObject(answer) ? answer[key] : undefined;
      if (Array.isArray(items)) {
        const sized = size ? this.#sized(items, size, asked.query[size.parameter]) : items;
        const changed = fields.length ? sized.map((item) => (isObject(item) && !Array.isArray(item) ? this.#withFields(item, fields, asked) : item)) : sized;
        if (changed !== items && (changed.length !== items.length || changed.some((item, index) => item !== items[index])))
          answer = key === undefined ? changed : { ...(answer as JsonObject), [key]: changed };
      }
    }
    return answer === original ? made : { status: made.status, headers: made.headers, body: JSON.stringify(answer) };
  }

  /** `items` as long as the page size asked for (see PageSize), or as they are when none is asked. */
  #sized(items: readonly unknown[], size: PageSize, asked: string | string[] | undefined): readonly unknown[] {
    const text = Array.isArray(asked) ? asked[0] : asked;
    if (text === undefined || !/^\d+$/.test(text)) return items;
    const length = Math.max(size.min, Math.min(size.max, Number(text)));
    if (length <= items.length) return length === items.length ? items : items.slice(0, length);
    const label = `${this.#operation.method} ${this.#operation.route}`;
    while (items.length + size.extra.length < length) {
      const seed = seedFor(this.#seed, label, 'item', String(items.length + size.extra.length));
      size.extra.push(generateValue(size.items, { seed, resolve: this.#api.resolve, direction: 'response' }));
    }
    return [...items, ...size.extra.slice(0, length - items.length)];
  }

  /** `object`, or a copy with the fields `fields` name set to the request's values that fit them. */
  #withFields(object: JsonObject, fields: readonly EchoedParameter[], asked: AskedFor): JsonObject {
    let changed: JsonObject | undefined;
    for (const { field, parameter, in: place, schema } of fields) {
      const raw = place === 'path' ? asked.params[parameter] : asked.query[parameter];
      const given = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : raw;
      const current = object[field];
      const value = given === undefined ? undefined : parameterValueLike(current, given);
      if (value === undefined || value === current || !valueFits(schema, value, this.#api.resolve)) continue;
      changed ??= { ...object };
      changed[field] = value;
    }
    return changed ?? object;
  }

  /** See RequestEcho: undefined when the answer can repeat nothing of a request. */
  #echoOf(value: unknown, schema: unknown): RequestEcho | undefined {
    if (!isObject(value)) return undefined;
    const list = Array.isArray(value) ? { key: undefined, items: value } : this.#listOf(value);
    const properties = Array.isArray(value) ? {} : this.#propertiesOf(schema, 0);
    const fields = Array.isArray(value) ? [] : this.#parameterFields(value, properties, true);
    let listFields: EchoedParameter[] = [];
    let size: PageSize | undefined;
    if (list) {
      const listSchema = list.key === undefined ? this.#api.resolve(schema) : properties[list.key];
      const resolvedList = this.#api.resolve(listSchema);
      const itemSchema = isObject(resolvedList) ? resolvedList.items : undefined;
      const first = list.items.find((item) => isObject(item) && !Array.isArray(item));
      if (isObject(first)) listFields = this.#parameterFields(first, this.#propertiesOf(itemSchema, 0), false);
      const parameter = this.#operation.parameters.find((p) => p.in === 'query' && PAGE_SIZE.test(p.name));
      if (parameter && isObject(resolvedList) && isObject(this.#api.resolve(itemSchema))) {
        const { minItems, maxItems } = resolvedList;
        const min = typeof minItems === 'number' ? minItems : 0;
        size = {
          parameter: parameter.name,
          items: itemSchema,
          min,
          max: Math.max(min, Math.min(MAX_PAGE, typeof maxItems === 'number' ? maxItems : MAX_PAGE)),
          extra: [],
        };
      }
    }
    const write = ['POST', 'PUT', 'PATCH'].includes(this.#operation.method.toUpperCase());
    const bodyFields = write && Object.keys(properties).length > 0 ? properties : undefined;
    if (fields.length === 0 && bodyFields === undefined && listFields.length === 0 && size === undefined) return undefined;
    return { value, fields, bodyFields, list: list && (listFields.length || size) ? { key: list.key, fields: listFields, size } : undefined };
  }

  /** The answer's one array of objects, if it has exactly one (a list wrapper: `{ data: [...], has_more }`). */
  #listOf(value: JsonObject): { key: string; items: unknown[] } | undefined {
    const keys = Object.keys(value).filter((key) => Array.isArray(value[key]));
    const key = keys.length === 1 ? keys[0] : undefined;
    return key === undefined ? undefined : { key, items: value[key] as unknown[] };
  }

  /**
   * The fields of `object` that a path or declared query parameter names (`id` too for the parameter ending the
   * path, when `resource`: the object is what the path asks for, not an item of a list). Only strings, numbers and
   * booleans (GitHub's `owner` is an object); a field from an option its schema does not name is held to its type only.
   */
  #parameterFields(object: JsonObject, properties: JsonObject, resource: boolean): EchoedParameter[] {
    const fields: EchoedParameter[] = [];
    for (const parameter of this.#operation.parameters) {
      if (parameter.in !== 'path' && parameter.in !== 'query') continue;
      const ends = resource && parameter.in === 'path' && this.#operation.path.endsWith(`{${parameter.name}}`);
      const field = parameter.name in object ? parameter.name : ends && 'id' in object ? 'id' : undefined;
      if (field === undefined || !['string', 'number', 'boolean'].includes(typeof object[field]) || fields.some((f) => f.field === field)) continue;
      const name = parameter.in === 'path' ? (this.#operation.routeParams[parameter.name] ?? parameter.name) : parameter.name;
      fields.push({ field, parameter: name, in: parameter.in, schema: properties[field] ?? {} });
    }
    return fields;
  }

  /** The properties of an object schema: its allOf parts merged; for a oneOf/anyOf, those of the option generated (the first not null). */
  #propertiesOf(schema: unknown, depth: number): JsonObject {
    const resolve = (node: unknown): JsonObject | undefined => {
      const resolved = this.#api.resolve(node);
      return isObject(resolved) ? resolved : undefined;
    };
    const own = resolve(schema);
    if (own === undefined || depth > 4) return {};
    const merged = Array.isArray(own.allOf) ? flattenAllOf(own, resolve) : own;
    if (isObject(merged.properties)) return merged.properties;
    const options = Array.isArray(merged.oneOf) ? merged.oneOf : Array.isArray(merged.anyOf) ? merged.anyOf : [];
    const first = options.find((option) => resolve(option)?.type !== 'null');
    return first === undefined ? {} : this.#propertiesOf(first, depth + 1);
  }

  /**
   * The response example `example` under the documented status `status` (a key of `responses`: `404`,
   * `4XX`), in the media type `Accept` prefers among those having it, else the first having it; with
   * `example` undefined, that status's usual answer (a response without content: no body).
   */
  respondExample(status: string, example: string | undefined, accept?: string | undefined): ContractResponse | PreferenceProblem {
    const key = `#${status}|${example ?? ''}|${accept ?? ''}`;
    const made = this.#cached(key, { example }, accept, status);
    if (!isPreferenceProblem(made) || example === undefined || made.status === 406) return made;
    // The accepted media type lacks this example: the first that has it answers, as Microcks does.
    const response = this.#api.resolve(this.#operation.responses[status]);
    const content = isObject(response) && isObject(response.content) ? response.content : {};
    const mediaType = Object.keys(content).find((type) => {
      const media = this.#api.resolve(content[type]);
      return isObject(media) && isObject(media.examples) && media.examples[example] !== undefined;
    });
    return mediaType === undefined || mediaType === accept ? made : this.#cached(`#${status}|${example}|${mediaType}`, { example }, mediaType, status);
  }

  #cached(key: string, preference: Preference, accept: string | undefined, statusKey: string | undefined): ContractResponse | PreferenceProblem {
    const seed = this.#seedOf();
    if (seed !== this.#seed) {
      this.#seed = seed;
      this.#cache.clear();
    }
    if (!preference.dynamic) {
      const cached = this.#cache.get(key);
      if (cached) return cached;
    }
    const made = this.#make(preference, accept, statusKey);
    if (!preference.dynamic && !isPreferenceProblem(made) && this.#cache.size < 64) this.#cache.set(key, made);
    return made;
  }

  #make(preference: Preference, accept: string | undefined, forcedStatus: string | undefined): ContractResponse | PreferenceProblem {
    const operation = this.#operation;
    const label = `${operation.method} ${operation.route}`;
    const statusKey = forcedStatus ?? this.#pickStatus(preference.code);
    if (statusKey === undefined) {
      return {
        problem: `Prefer asks for status ${preference.code}, which ${label} does not document`,
        available: this.#statuses,
      };
    }
    const status =
      statusKey === 'default' ? (preference.code ?? 200) : /^\dXX$/i.test(statusKey) ? (preference.code ?? Number(statusKey[0]) * 100) : Number(statusKey);
    if (status < 200) {
      return {
        problem: `${label} documents only ${statusKey}${statusKey === '101' ? ' (Switching Protocols: an upgrade, such as to a WebSocket)' : ''}, which is no final HTTP answer and which a mock cannot make; give the operation a rule to answer it`,
        available: this.#statuses,
        status: 501,
      };
    }
    const response = this.#api.resolve(operation.responses[statusKey]);
    const content = isObject(response) && isObject(response.content) ? response.content : {};
    const headers = this.#headers(response, status, preference.example);
    const types = Object.keys(content);
    const picked = pickMediaType(types, accept, (type) => this.#canProduce(type, content[type]));
    const mediaType = preference.watch && picked !== NOT_ACCEPTABLE ? (types.find(isWatchStream) ?? picked) : picked;
    if (mediaType === NOT_ACCEPTABLE) {
      const producible = types.filter((type) => this.#canProduce(type, content[type]));
      return {
        problem: `${label} cannot answer ${status} as ${accept}: it documents ${types.join(', ')}${producible.length < types.length ? ` and mockstack can make ${producible.join(', ') || 'none of them'} (give an example for the others)` : ''}`,
        available: producible,
        status: 406,
      };
    }
    if (mediaType === undefined) {
      if (preference.example) return { problem: `Prefer asks for example "${preference.example}", but ${label} response ${status} has no body`, available: [] };
      return { status, headers, body: undefined };
    }
    const media = this.#api.resolve(content[mediaType]);
    const json = isJsonMediaType(mediaType);
    const xml = isXmlMediaType(mediaType);
    // A documented type may name its charset already (eBay's `application/json;charset=UTF-8`).
    headers['content-type'] =
      mediaType === '*/*' ? 'application/json; charset=utf-8' : json && !/;\s*charset=/i.test(mediaType) ? `${mediaType}; charset=utf-8` : mediaType;
    const named = isObject(media) && isObject(media.examples) ? media.examples : undefined;
    // A sequence of items (server-sent events, JSON Lines) is written by its media type.
    const items = sequenceItemsOf(mediaType, media, this.#api.resolve);
    const writer = items && sequenceWriter(mediaType);
    // Taken only when a value is generated: a `dynamic` answer counts the calls that generated one.
    const generationSeed = () =>
      preference.dynamic ? seedFor(this.#seed, label, String(++this.#dynamicCalls)) : seedFor(this.#seed, label, String(status), mediaType);
    let value: unknown;
    /** The value, when generated from the schema (not an example). */
    let generated: unknown;
    if (preference.example) {
      const example = named ? this.#api.resolve(named[preference.example]) : undefined;
      if (!isObject(example)) {
        return {
          problem: `Prefer asks for example "${preference.example}", which ${label} response ${status} (${mediaType}) does not have`,
          available: named ? Object.keys(named) : [],
        };
      }
      value = exampleValue(example);
    } else if (!preference.dynamic && named && Object.keys(named).length) {
      const first = this.#api.resolve(Object.values(named)[0]);
      value = isObject(first) ? exampleValue(first) : undefined;
    } else if (!preference.dynamic && isObject(media) && media.example !== undefined) {
      value = media.example;
    } else if (writer !== undefined && items !== undefined) {
      return { status, headers, body: this.#sequence(writer, items, generationSeed()) };
    } else if (isObject(media) && media.schema !== undefined) {
      if (json || xml || isGeneratedText(mediaType, media.schema, this.#api.resolve))
        generated = value = withListNamed(
          generateValue(media.schema, {
            seed: generationSeed(),
            resolve: this.#api.resolve,
            direction: 'response',
            drawOptions: preference.dynamic,
            failure: status >= 400,
          }),
        );
    }
    if (value === undefined) return { status, headers, body: undefined };
    if (json && typeof value === 'string' && isObject(media)) value = exampleAsJson(value, media.schema, this.#api.resolve);
    if (preference.lastPage && json && isObject(media)) value = asLastPage(value, media.schema, this.#api.resolve, this.#cursors);
    else if (preference.firstPage && json) value = withNextPage(value);
    // Serialized once here: cached responses then cost no JSON.stringify per request.
    if (typeof value === 'string' && !json) return { status, headers, body: value };
    if (xml) return { status, headers, body: toXml(value, isObject(media) ? media.schema : undefined, this.#api.resolve) };
    if (isWatchStream(mediaType)) return { status, headers, body: watchEvents(value) };
    // Of a generated value only (a page marked first or last still is one): an example is answered as written.
    const echo = generated !== undefined && json && status < 300 && isObject(media) ? this.#echoOf(value, media.schema) : undefined;
    return { status, headers, body: JSON.stringify(value), echo };
  }

  /**
   * A few items of a sequence (server-sent events, JSON Lines, JSON text sequences) generated from the
   * media type's `itemSchema` (OpenAPI 3.2) or, before 3.2, its object `schema` (see sequenceItemsOf). An
   * event's `data` with a `contentSchema` (JSON carried in the data string) is generated from that schema.
   */
  #sequence(writer: SequenceWriter, { schema, eventData }: SequenceItems, seed: number): string {
    const resolve = this.#api.resolve;
    const item = resolve(schema);
    const data = !eventData && isObject(item) && isObject(item.properties) ? resolve(item.properties.data) : undefined;
    const carried = isObject(data) && data.contentSchema !== undefined ? data.contentSchema : undefined;
    const items = Array.from({ length: SEQUENCE_ITEMS }, (_, n) => {
      // Items of a stream differ in kind (a oneOf of event types): each draws its option.
      const value = generateValue(schema, { seed: seed + n, resolve, direction: 'response', drawOptions: true });
      // Named by its type, as such streams name their events (`event: message_start`, `event: response.created`).
      if (eventData) return { event: isObject(value) && typeof value.type === 'string' ? value.type : undefined, data: value };
      if (carried === undefined || !isObject(value)) return value;
      return { ...value, data: generateValue(carried, { seed: seed + n, resolve, direction: 'response' }) };
    });
    return writer(items);
  }

  /** A documented example is served as written; without one, JSON, XML, plain text and sequences of items are generated. */
  #canProduce(type: string, raw: unknown): boolean {
    const media = this.#api.resolve(raw);
    if (isObject(media) && (media.example !== undefined || (isObject(media.examples) && Object.keys(media.examples).length > 0))) return true;
    if (sequenceItemsOf(type, media, this.#api.resolve)) return true;
    if (isJsonMediaType(type)) return true;
    if (!isObject(media) || media.schema === undefined) return false;
    return isXmlMediaType(type) || isGeneratedText(type, media.schema, this.#api.resolve);
  }

  /** The documented status to answer: the one preferred, else the first 2xx, else `default`, else the first. */
  #pickStatus(code: number | undefined): string | undefined {
    const statuses = this.#statuses;
    if (code !== undefined) {
      return (
        statuses.find((s) => s === String(code)) ?? statuses.find((s) => s.toUpperCase() === `${String(code)[0]}XX`) ?? statuses.find((s) => s === 'default')
      );
    }
    const success = statuses.filter((s) => /^2\d\d$/.test(s)).sort();
    // An informational status (101 Switching Protocols) is no final answer: any other comes first.
    const first = statuses.find((s) => !/^1/.test(s)) ?? statuses[0];
    return success[0] ?? statuses.find((s) => /^2XX$/i.test(s)) ?? statuses.find((s) => s === 'default') ?? first ?? '200';
  }

  /** The documented headers: a header's example of the same name as the body's (`examples.laptop`), else its `example`, else generated. */
  #headers(response: unknown, status: number, exampleName: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    if (!isObject(response) || !isObject(response.headers)) return headers;
    for (const [name, raw] of Object.entries(response.headers)) {
      const lower = name.toLowerCase();
      if (NOT_DOCUMENTED_HEADERS.has(lower)) continue;
      const header = this.#api.resolve(raw);
      if (!isObject(header)) continue;
      const named = exampleName !== undefined && isObject(header.examples) ? this.#api.resolve(header.examples[exampleName]) : undefined;
      const value =
        (isObject(named) ? exampleValue(named) : undefined) ??
        header.example ??
        (header.schema !== undefined
          ? generateValue(header.schema, { seed: seedFor(this.#seed, this.#operation.route, String(status), lower), resolve: this.#api.resolve })
          : undefined);
      if (value !== undefined && value !== null) headers[lower] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return headers;
  }
}

const NOT_ACCEPTABLE = Symbol('not acceptable');

/** An Example Object's value: `value`, or 3.2's `dataValue` (the data before serialization). */
export function exampleValue(example: JsonObject): unknown {
  return example.value !== undefined ? example.value : example.dataValue;
}

/**
 * A JSON answer's example written as the text of its JSON (Jira's document: 577 of its 603 response
 * examples are strings such as `"{\"accountId\": …}"` beside a `User` object schema) is the value that
 * text holds, when the schema takes no such string (or there is none): served as written, every
 * client got a JSON string where it reads an object. A string the schema takes is served as it is.
 */
export function exampleAsJson(value: string, schema: unknown, resolve: (node: unknown) => unknown): unknown {
  if (!/^\s*[[{]/.test(value) || (schema !== undefined && valueFits(schema, value, resolve))) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Kubernetes' watch streams (`application/json;stream=watch`): one JSON watch event a line. */
function isWatchStream(type: string): boolean {
  return /;\s*stream=watch\b/i.test(type);
}

/**
 * A list answer as a watch stream: each item added (`{"type":"ADDED","object":…}`), one a line, as
 * Kubernetes answers `?watch=true`. Kubernetes' document gives its watch type the list's schema, so
 * the list was sent as one line, and @kubernetes/client-node's Watch (and every informer) saw one
 * event with no type and no object.
 */
function watchEvents(value: unknown): string {
  const items = isObject(value) && Array.isArray(value.items) ? value.items : [value];
  return items.map((object) => `${JSON.stringify({ type: 'ADDED', object })}\n`).join('');
}

/** Items in a generated sequence body. */
const SEQUENCE_ITEMS = 3;

/**
 * Documented response headers the mock does not copy: they describe how the real server framed or
 * encoded its bytes, not what the mock sends (RapidAPI's document lists `transfer-encoding: chunked`
 * beside `content-length`, which fetch refuses as a malformed answer; a `content-encoding: gzip` would
 * make clients unzip plain JSON).
 */
const NOT_DOCUMENTED_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'trailer',
  'te',
]);

/**
 * The media type to answer with: the client's most preferred (by `q`) that is documented and can be
 * made, else NOT_ACCEPTABLE; without an `Accept` (or with a wildcard only) JSON, else the first makeable.
 */
function pickMediaType(
  types: readonly string[],
  accept: string | undefined,
  canProduce: (type: string) => boolean,
): string | undefined | typeof NOT_ACCEPTABLE {
  if (types.length === 0) return undefined;
  const wanted = parseAccept(accept);
  if (wanted.length && !wanted.every((w) => w === '*/*')) {
    for (const want of wanted) {
      const found = types.find((t) => canProduce(t) && matchesAccept(t.toLowerCase(), want));
      if (found) return found;
    }
    // An accepted, documented type the mock has no content for (a file download without an example, asked for
    // by axios's `application/json, text/plain, */*` or by a generated client's `Accept: application/pdf`) is
    // answered as without an Accept: that type, with no body. 406 is for types the contract does not document.
    const accepted = types.find((t) => wanted.some((want) => matchesAccept(t.toLowerCase(), want)));
    if (accepted !== undefined) return accepted;
    // An SDK sends its JSON Accept on every call (octokit's application/vnd.github.v3+json, also to
    // POST /markdown, which answers text/html); an operation with no JSON answer disregards it and sends
    // what it has, as servers do (RFC 9110 §12.5.1 allows either).
    if (wanted.every(isJsonMediaType) && !types.some(isJsonMediaType)) return types.find(canProduce) ?? types[0];
    return NOT_ACCEPTABLE;
  }
  return types.find(isJsonMediaType) ?? types.find(canProduce) ?? types[0];
}

/** Media ranges of an Accept header, most preferred first; `q=0` ranges left out. */
function parseAccept(accept: string | undefined): string[] {
  if (!accept) return [];
  const ranges = accept.split(',').map((part, index) => {
    const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { range, q: q ? Number(q.slice(2)) : 1, index };
  });
  return ranges
    .filter((r) => r.range && !(r.q <= 0))
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((r) => r.range);
}

function matchesAccept(type: string, want: string): boolean {
  if (want === '*/*' || type === want || type === '*/*') return true;
  if (want.endsWith('/*')) return type.startsWith(want.slice(0, -1));
  if (type.endsWith('/*')) return want.startsWith(type.slice(0, -1));
  // application/json asked, application/vnd.github+json documented (and the other way round).
  return isJsonMediaType(type) && isJsonMediaType(want) && !type.includes('*');
}

export type { JsonObject };

/** A path or query parameter's text as a value of the kind `current` is (a number, a boolean, a string), or undefined when it is none. */
function parameterValueLike(current: unknown, given: string): string | number | boolean | undefined {
  switch (typeof current) {
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(given) ? Number(given) : undefined;
    case 'boolean':
      return given === 'true' || given === 'false' ? given === 'true' : undefined;
    case 'string':
      return given;
    default:
      return undefined;
  }
}

/** Values of one JSON kind: both strings, numbers, booleans, arrays or objects. */
function sameKind(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && a !== null && b !== null && Array.isArray(a) === Array.isArray(b);
}
