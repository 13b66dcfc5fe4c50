import { hashString } from '@mockstack/core';
import { FakeData } from '@mockstack/core/fake';
import protobuf from 'protobufjs';
import { anyOf } from './codec.js';
import { nameOf, ResourceNames } from './resource-names.js';

const MAX_DEPTH = 4;
/** A list request's page size (AIP-158 `page_size`, and older APIs' names for it), as protobufjs names fields. */
const PAGE_SIZE_FIELDS = ['pageSize', 'maxResults', 'maxPageSize', 'limit'];
/** Request fields about paging, never an item's value even when an item has a field of that name. */
const PAGING_FIELDS = new Set(['pageSize', 'pageToken', 'maxResults', 'maxPageSize', 'limit', 'orderBy', 'filter', 'skip', 'offset', 'view', 'readMask']);
const MAX_PAGE = 100;

/**
 * Builds messages from their proto types, deterministically: the same seed, method and request
 * give the same message. Values are realistic by field name, enums take a valid (non-zero) value,
 * repeated fields have items, and a response field named like a request field echoes it.
 */
export class AutoMocker {
  readonly #fake = new FakeData();
  readonly #seed: number;
  readonly #cache = new Map<string, Record<string, unknown>>();
  /** The types a long-running method's Operation carries, by method id (see operationTypesOf). */
  readonly #operations = new Map<string, OperationTypes>();
  /** Those of the method whose message is being built (message() is synchronous). */
  #operation: OperationTypes = {};
  /** The resource names of each contract (by its root), found when first needed. */
  readonly #resources = new Map<protobuf.Root, ResourceNames>();
  /** The request being answered: resource names are made under its `parent`, with its `<resource>_id`. */
  #request: Record<string, unknown> = {};
  /** The method answering it (`pkg.Service/Method`). */
  #method = '';

  constructor(seed: number) {
    this.#seed = seed;
  }

  /** The auto-mock answer of `method` to `request` (`index` tells stream items apart). */
  message(type: protobuf.Type, method: string, request: unknown, index = 0): Record<string, unknown> {
    const key = `${method}\u0000${index}\u0000${safeJson(request)}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    this.#fake.seed(hashString(key, this.#seed));
    this.#fake.enterObject(undefined);
    const echo = isObject(request) ? request : {};
    this.#operation = this.#operationTypes(type.root, method);
    this.#request = echo;
    this.#method = method;
    const message = this.#message(type, 0, resourceSent(type, method, echo) ?? echo, new Set());
    endPaging(type, echo, message);
    this.#listAsAsked(type, echo, message);
    if (this.#cache.size > 1000) this.#cache.clear();
    this.#cache.set(key, message);
    return message;
  }

  /**
   * `path` holds the message types being built above this one: a field that would nest a type inside
   * itself (a tree, a map of children) is left empty, so recursive messages end and stay valid.
   */
  #message(type: protobuf.Type, depth: number, echo: Record<string, unknown>, path: ReadonlySet<protobuf.Type>): Record<string, unknown> {
    const name = type.fullName.slice(1);
    const fake = this.#fake;
    if (name === 'google.protobuf.Timestamp') {
      const ms = Date.parse(fake.format('date-time') as string);
      return { seconds: Math.floor(ms / 1000), nanos: 0 };
    }
    if (name === 'google.protobuf.Duration') return { seconds: fake.random.int(1, 300), nanos: 0 };
    // A status inside an answer (a batch entry's, a stream item's) is OK: an auto-mock is a success.
    if (name === 'google.rpc.Status') return {};
    if (name === 'google.protobuf.Any') return this.#any(type.root, undefined, depth, path);
    if (name === 'google.longrunning.Operation') return this.#longRunning(type, depth, echo, path);
    if (name === 'temporal.api.common.v1.Payload') return this.#temporalPayload();
    return this.#fields(type, depth, echo, path);
  }

  /**
   * A Temporal payload its SDKs' default data converter reads: JSON (`encoding: json/plain`) of a word. Random
   * metadata and bytes made every workflow's result, memo, search attributes and update answer an
   * "Unknown encoding" error in @temporalio/client (and the Go, Java and Python SDKs' converters alike).
   */
  #temporalPayload(): Record<string, unknown> {
    // btoa, not Buffer: the auto-mock also answers in the browser (mockstack/msw); both texts are ASCII.
    return { metadata: { encoding: btoa('json/plain') }, data: btoa(JSON.stringify(this.#fake.faker.lorem.word())) };
  }

  /**
   * An Any holding `inner`, else an empty google.protobuf.Empty when a loaded proto defines it, else an
   * empty Any: a client resolves an Any's type among the types it knows (grpcurl through reflection, others
   * from their registry), so it must name a type of the contract, never one only mockstack knows.
   */
  #any(
    root: protobuf.Root,
    inner: protobuf.Type | undefined,
    depth: number,
    path: ReadonlySet<protobuf.Type>,
    echo: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const type = inner ?? typeIn(root, 'google.protobuf.Empty');
    if (!type) return {};
    return anyOf(type, type === inner ? this.#message(type, depth + 1, echo, path) : {});
  }

  /**
   * A google.longrunning.Operation that is done with a response, as a client library waiting for it
   * (`operation.promise()`) expects: the response and metadata of the types the method names in its
   * `google.longrunning.operation_info` (an empty Empty without one), never the `error` member of the oneof.
   * The response is the method's answer: it echoes the request as a plain answer does (Firestore admin's
   * CreateIndex answers the index sent, ExportDocuments the output_uri_prefix asked for). The operation is
   * named `operations/<id>` (AIP-151), never after a name the request holds.
   */
  #longRunning(type: protobuf.Type, depth: number, echo: Record<string, unknown>, path: ReadonlySet<protobuf.Type>): Record<string, unknown> {
    const { error: _error, ...operation } = this.#fields(type, depth, echo, path);
    const below = new Set(path).add(type);
    const { response, metadata } = this.#operation;
    const answer = response ? (resourceSent(response, this.#method, this.#request) ?? this.#request) : {};
    return {
      ...operation,
      name: `operations/${this.#resourceId()}`,
      done: true,
      metadata: this.#any(type.root, metadata, depth, below),
      response: this.#any(type.root, response, depth, below, answer),
    };
  }

  /** A message of `type` field by field. */
  #fields(type: protobuf.Type, depth: number, echo: Record<string, unknown>, path: ReadonlySet<protobuf.Type>): Record<string, unknown> {
    const fake = this.#fake;
    // One message is one object: its name, email and username fields agree.
    const outer = fake.enterObject(fake.nextObjectSeed());
    const out: Record<string, unknown> = {};
    const below = new Set(path).add(type);
    const skipped = new Set<string>();
    const resource = this.#resourceNames(type.root).ofMessage(type);
    // One member per oneof: the one the request sent, else the first that holds a value.
    for (const oneof of type.oneofsArray) {
      const sent = oneof.fieldsArray.find((field) => isObject(echo[field.name]));
      const chosen = sent ?? oneof.fieldsArray.find((field) => !isNullValue(field)) ?? oneof.fieldsArray[0];
      for (const field of oneof.fieldsArray) if (field !== chosen) skipped.add(field.name);
    }
    for (const field of type.fieldsArray) {
      if (skipped.has(field.name) || reportsError(field) || isLeftOver(field) || reportsShortfall(field)) continue;
      field.resolve();
      const echoed = echo[field.name];
      if (!field.repeated && !field.map && echoFits(field, echoed) && !isDefault(field, echoed)) {
        out[field.name] = echoed;
        continue;
      }
      // A transaction id (bytes); a field holding a resource named Transaction (a payment's) is an answer like any other.
      if (field.name === 'transaction' && field.type === 'bytes' && !beginsTransaction(this.#request)) continue;
      const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
      // A required field (proto2 `required`, edition LEGACY_REQUIRED) is filled below any depth: without it the message does not encode.
      if (nested && (below.has(nested) || (depth >= MAX_DEPTH && !field.required))) continue;
      if (nested && !field.repeated && !field.map && isObject(echoed)) {
        out[field.name] = this.#message(nested, depth + 1, echoed, below);
      } else if (field.repeated && Array.isArray(echoed) && echoed.length > 0 && echoed.every((item) => (nested ? isObject(item) : echoFits(field, item)))) {
        // A list the request sent (an index's fields, a resource's labels list) comes back as sent.
        out[field.name] = nested ? echoed.map((item: Record<string, unknown>) => this.#message(nested, depth + 1, item, below)) : echoed;
      } else if (field.map) {
        const key = field instanceof protobuf.MapField ? this.#mapKey(field) : fake.faker.word.noun();
        out[field.name] = { [key]: this.#single(field, depth, type.name, below) };
      } else if (field.repeated) {
        out[field.name] = [this.#single(field, depth, type.name, below), this.#single(field, depth, type.name, below)];
      } else if (resource && field.type === 'string' && (field.name === resource.nameField || field.name === protobuf.util.camelCase(resource.nameField))) {
        out[field.name] = this.#resourceName(resource.patterns, depth === 0);
      } else {
        const value = this.#single(field, depth, type.name, below);
        if (value !== undefined) out[field.name] = value;
      }
    }
    fake.enterObject(outer);
    return out;
  }

  /**
   * A list answer (its one repeated message field: AIP-132's `books`) as its request asks: as many items as its
   * page size (`page_size`, `max_results`; at most 100), each with the request's values of the fields they share
   * (`ListBooks { shelf: "fiction" }` lists fiction), as the other protocols' list answers are.
   */
  #listAsAsked(type: protobuf.Type, request: Record<string, unknown>, message: Record<string, unknown>): void {
    const lists = type.fieldsArray.filter((field) => field.repeated && !field.map && field.resolvedType instanceof protobuf.Type);
    const field = lists.length === 1 ? lists[0] : undefined;
    const items = field && message[field.name];
    // A list the request sent (a batch) is answered as sent.
    if (!field || !Array.isArray(items) || Array.isArray(request[field.name])) return;
    const size = PAGE_SIZE_FIELDS.map((name) => Number(request[name])).find((n) => Number.isInteger(n) && n > 0);
    if (size !== undefined) {
      const wanted = Math.min(MAX_PAGE, size);
      if (wanted < items.length) items.length = wanted;
      const above = new Set([type]);
      while (items.length < wanted) items.push(this.#single(field, 0, type.name, above));
    }
    const item = field.resolvedType as protobuf.Type;
    for (const [name, value] of Object.entries(request)) {
      const shared = item.fields[name];
      if (!shared || shared.repeated || shared.map || PAGING_FIELDS.has(name) || !echoFits(shared, value) || isDefault(shared, value)) continue;
      for (const each of items) if (isObject(each)) each[name] = value;
    }
  }

  #resourceNames(root: protobuf.Root): ResourceNames {
    let names = this.#resources.get(root);
    if (!names) {
      names = new ResourceNames(root);
      this.#resources.set(root, names);
    }
    return names;
  }

  /**
   * A name of the first of `patterns`, its ids as AIP-122 has them (`[a-z][a-z0-9-]*`); `whole` for the
   * resource a call answers, which may be the one the request names.
   */
  #resourceName(patterns: readonly string[], whole = false): string {
    return nameOf(patterns[0] as string, this.#request, () => this.#resourceId(), whole);
  }

  /** An id such as `harbor-42`: a lower-case word and a number. */
  #resourceId(): string {
    const word = this.#fake.faker.word
      .noun()
      .toLowerCase()
      .replace(/[^a-z]+/g, '');
    return `${word || 'item'}-${this.#fake.random.int(1, 999)}`;
  }

  #operationTypes(root: protobuf.Root, method: string): OperationTypes {
    let types = this.#operations.get(method);
    if (!types) {
      types = operationTypesOf(root, method);
      this.#operations.set(method, types);
    }
    return types;
  }

  /** A key of the map's key type (maps may be keyed by integers or booleans, not only strings). */
  #mapKey(field: protobuf.MapField): string {
    switch (field.keyType) {
      case 'string':
        return this.#fake.faker.word.noun();
      case 'bool':
        return String(this.#fake.boolean());
      default:
        return String(this.#fake.random.int(1, 1000));
    }
  }

  /** One value of `field` (of message type `parent`): proto types mapped onto the fake-data module. */
  #single(field: protobuf.Field, depth: number, parent: string, path: ReadonlySet<protobuf.Type>): unknown {
    const fake = this.#fake;
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.#message(resolved, depth + 1, {}, path);
    if (resolved instanceof protobuf.Enum) {
      const names = Object.keys(resolved.values).filter((n) => resolved.values[n] !== 0);
      return names.length ? fake.faker.helpers.arrayElement(names) : Object.keys(resolved.values)[0];
    }
    switch (field.type) {
      case 'string': {
        const referenced = this.#resourceNames(field.root as protobuf.Root).referencedBy(field);
        if (referenced?.length) return this.#resourceName(referenced);
        return fake.string(field.name, parent) ?? fake.faker.lorem.word();
      }
      case 'bool':
        return saysSuccess(field) || fake.boolean();
      case 'bytes':
        return btoa(fake.faker.string.alphanumeric(12));
      case 'double':
      case 'float':
        return fake.number(field.name, false);
      default: {
        // Nanos of a money or time value stay 0: they are a fraction of the units beside them.
        const value = /nanos/i.test(field.name) ? 0 : fake.number(field.name, true);
        return /64/.test(field.type) ? String(value) : value;
      }
    }
  }
}

/**
 * A list answer (AIP-158: `page_token` in, `next_page_token` out) to a request for a later page is the last
 * page: its next_page_token is empty, so a client paging through every result (google-gax's auto-pagination,
 * a `for await` over a pager) gets two pages and ends, instead of a new token forever.
 */
function endPaging(type: protobuf.Type, request: Record<string, unknown>, message: Record<string, unknown>): void {
  const laterPage = typeof request.pageToken === 'string' && request.pageToken !== '';
  if (laterPage && type.fields.nextPageToken?.type === 'string') message.nextPageToken = '';
}

/**
 * The message of the answer's type that the request carries (AIP-133 Create's `queue`, AIP-134 Update's), if
 * any: the answer echoes it, as the API answers with the resource it created from it.
 */
function resourceSent(type: protobuf.Type, method: string, request: Record<string, unknown>): Record<string, unknown> | undefined {
  const rpc = rpcOf(type.root, method);
  rpc?.resolve();
  const requestType = rpc?.resolvedRequestType;
  for (const field of requestType?.fieldsArray ?? []) {
    const sent = request[field.name];
    if (!field.repeated && isObject(sent) && field.resolve().resolvedType === type) return sent;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The response and metadata types of a long-running method's Operation. */
interface OperationTypes {
  response?: protobuf.Type;
  metadata?: protobuf.Type;
}

/** What `method` (`pkg.Service/Method`) names in `option (google.longrunning.operation_info)`, resolved from its service. */
function operationTypesOf(root: protobuf.Root, method: string): OperationTypes {
  const rpc = rpcOf(root, method);
  const scope = rpc?.parent;
  if (!rpc || !scope) return {};
  const typeOf = (key: string): protobuf.Type | undefined => {
    const named = rpc.options?.[`(google.longrunning.operation_info).${key}`];
    return typeof named === 'string' ? typeIn(scope, named) : undefined;
  };
  const response = typeOf('response_type');
  const metadata = typeOf('metadata_type');
  return { ...(response && { response }), ...(metadata && { metadata }) };
}

/** The method `method` (`pkg.Service/Method`) names, if the contract has it. */
function rpcOf(root: protobuf.Root, method: string): protobuf.Method | undefined {
  const [service, name] = method.split('/');
  const found = service && name ? root.lookup(service) : null;
  return found instanceof protobuf.Service ? found.methods[name as string] : undefined;
}

/** The message type `name` as seen from `scope` (relative names resolve outwards), if there is one. */
function typeIn(scope: protobuf.NamespaceBase, name: string): protobuf.Type | undefined {
  const found = scope.lookup(name);
  return found instanceof protobuf.Type ? found : undefined;
}

/**
 * Whether a field reports a failure (`error`, `errors`, `partial_failure_error`, `error_message`): left
 * empty, as in a successful answer. Clients read any value there as a failure: the Speech client's
 * streamingRecognize emits an error for a response whose `error` is set, whatever its code.
 */
function reportsError(field: protobuf.Field): boolean {
  return /(^|_)errors?($|_)/i.test(field.name) || /(^e|E)rrors?($|[A-Z])/.test(field.name);
}

/**
 * Whether a field lists what the server left for a later call (Datastore's Lookup `deferred` keys, a batch's
 * `unprocessed_items`): left empty, as when all was done. A client asks again for what it lists, and an
 * auto-mocked answer to that asks again, forever.
 */
function isLeftOver(field: protobuf.Field): boolean {
  return field.repeated && /^(deferred|unprocessed)/i.test(field.name);
}

/**
 * Whether a field reports that part of the request was not done or was refused: a `partial_success` /
 * `partial_failure` message, anything `rejected` (Temporal's `query_rejected`), a count of what was `dropped_`
 * or `failed_`. Left empty, as when all was done: an OpenTelemetry exporter given OTLP's
 * `partial_success { rejected_spans: 89 }` warns on every export that the collector refused 89 spans, and
 * Temporal's client throws QueryRejectedError for any query answer whose `query_rejected` is set.
 */
function reportsShortfall(field: protobuf.Field): boolean {
  if (/^partial_?(success|failure)$/i.test(field.name) || /(^|_)rejected($|_|[A-Z])|Rejected($|[A-Z_])/.test(field.name)) return true;
  return !field.repeated && NUMBER_TYPES.has(field.type) && /^(dropped|failed)(_|[A-Z]|$)/.test(field.name);
}

const NUMBER_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);

/**
 * Whether a oneof member is a `NullValue`, which says "no value": google.protobuf.NullValue, the first member of
 * google.protobuf.Value and of Datastore's and Firestore's Value, or a copy of it in an API's own package
 * (Qdrant's qdrant.NullValue in its points' payloads). Chosen, every such value would be null.
 */
function isNullValue(field: protobuf.Field): boolean {
  field.resolve();
  return field.resolvedType instanceof protobuf.Enum && field.resolvedType.name === 'NullValue';
}

/**
 * Whether a bool says the call did what it asked (`success`, `acknowledged`, Qdrant's CollectionOperationResponse
 * `result`): true, as an auto-mock answers a success; a coin toss there told clients half their writes failed.
 */
function saysSuccess(field: protobuf.Field): boolean {
  return /^(success|succeeded|successful|ok|result|acknowledged|applied)$/i.test(field.name);
}

/**
 * Whether a request asks the server to begin a transaction (`new_transaction`, Spanner's `begin`), at any depth.
 * Only then does an answer's `transaction` id hold one (Datastore's Lookup and RunQuery, Firestore's reads): a
 * client given one believes it is inside it, and Datastore's then holds back every later write for its commit.
 */
function beginsTransaction(request: unknown, depth = 0): boolean {
  if (typeof request !== 'object' || request === null || depth > 4) return false;
  return Object.entries(request).some(([key, value]) => (/^(new_?transaction|begin)$/i.test(key) && Boolean(value)) || beginsTransaction(value, depth + 1));
}

/**
 * Whether a request value is its field's default (0, false, '', an enum's zero value): what a client that
 * left the field unset sends, so nothing to echo. etcd's LeaseGrant asks with ID 0 for "any id", and
 * an answer of ID 0 is no lease.
 */
function isDefault(field: protobuf.Field, value: unknown): boolean {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return value === 0 || (typeof value === 'string' && resolved.values[value] === 0);
  return value === 0 || value === '0' || value === false || value === '';
}

/**
 * Whether a request field's value can be echoed into a response field of the same name: a scalar of
 * the field's type (Google's order_tracking_signal_id is a string in the request, an int64 in the answer).
 */
function echoFits(field: protobuf.Field, value: unknown): boolean {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return false;
  if (resolved instanceof protobuf.Enum) return typeof value === 'string' ? value in resolved.values : Object.values(resolved.values).includes(value as number);
  switch (field.type) {
    case 'string':
    case 'bytes':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'double':
    case 'float':
      return typeof value === 'number';
    default:
      // Integers; 64-bit ones also as strings of digits (how requests are decoded)
      return (typeof value === 'number' && Number.isInteger(value)) || (/64/.test(field.type) && typeof value === 'string' && /^-?\d+$/.test(value));
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
