import type { ErrorObject, ValidateFunction } from 'ajv';
import { type AjvInstance, createAjv, uncoercedAjvOf } from './ajv.js';
import type { ApiOperation, ApiParameter, OpenApi, SecurityScheme } from './document.js';
import { isJsonMediaType } from './document.js';
import { valueFits } from './generate.js';
import { type ParameterReader, parameterReader, shapeOf } from './parameter-styles.js';
import { isObject, type JsonObject } from './pointer.js';
import { type Direction, SchemaSet } from './schemas.js';

/** A request as the validator needs it (a CoreRequest fits). Header names lower-cased. */
export interface RequestParts {
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string | string[] | undefined>>;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: unknown;
}

/** One way a request breaks the contract. */
export interface Violation {
  in: 'path' | 'query' | 'header' | 'cookie' | 'body' | 'security';
  /** The parameter's name, for path/query/header/cookie. */
  name?: string | undefined;
  /** JSON pointer into the body, or to the parameter (`/limit`). */
  pointer: string;
  message: string;
}

/** Header parameters OpenAPI says to ignore: they are described elsewhere (content, security). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/**
 * Headers user agents send on their own (fetch sends `accept-language: *`, browsers their locales):
 * an optional one the document narrows (Zalando's `Accept-Language` enum of shops) is not held to it,
 * as the provider would fall back to its default rather than refuse every browser.
 */
const AGENT_HEADERS = new Set(['accept-language', 'accept-encoding', 'user-agent']);

/**
 * Headers of the connection and the message framing, which HTTP clients set themselves and fetch does not
 * let a caller set (VTEX and PeerTube require a `content-length` parameter): never held to a document.
 */
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'te', 'upgrade']);

interface CompiledOperation {
  renamed: boolean;
  parameters: Partial<Record<ApiParameter['in'], { validate: ValidateFunction; readers: readonly (readonly [string, ParameterReader])[] }>>;
  body: { required: boolean; types: readonly string[]; validators: Map<string, ValidateFunction | null> } | undefined;
  /** The schema of the whole query (a 3.2 `in: querystring` parameter). */
  querystring?: ValidateFunction | undefined;
}

/**
 * Checks requests against the operations of one document with Ajv (draft-04 semantics for 3.0,
 * 2020-12 for 3.1, ajv-formats). Each operation's schemas are compiled on its first request.
 */
export class RequestValidator {
  readonly #api: OpenApi;
  /** Parameters and form fields arrive as strings: this one coerces them to the schema's types (made on first use, as uncoercedAjvOf). */
  #coercingAjv: AjvInstance | undefined;
  readonly #schemas: SchemaSet;
  readonly #compiled = new Map<ApiOperation, CompiledOperation>();
  /** Schemas Ajv could not compile; those parts of the request go unchecked. */
  readonly problems: string[] = [];
  readonly #onProblem: ((message: string) => void) | undefined;

  /** `onProblem` hears, once each, of schemas that cannot be compiled (those checks are skipped) or are checked otherwise than written. */
  constructor(api: OpenApi, options: { onProblem?: (message: string) => void } = {}) {
    this.#api = api;
    this.#onProblem = options.onProblem;
    this.#schemas = SchemaSet.of(api);
  }

  get #coercing(): AjvInstance {
    this.#coercingAjv ??= createAjv(this.#api.version, { coerceTypes: 'array', validateSchema: false, addUsedSchema: false });
    return this.#coercingAjv;
  }

  /** Every violation of the request, or an empty list when it follows the contract. */
  validate(operation: ApiOperation, request: RequestParts): Violation[] {
    const compiled = this.#compile(operation);
    const violations: Violation[] = [];
    const sources: Record<Exclude<ApiParameter['in'], 'querystring'>, Readonly<Record<string, unknown>>> = {
      path: compiled.renamed ? renameParams(request.params, operation.routeParams) : request.params,
      query: request.query,
      header: request.headers,
      cookie: compiled.parameters.cookie ? parseCookies(request.headers.cookie) : {},
    };
    for (const location of ['path', 'query', 'header', 'cookie'] as const) {
      const check = compiled.parameters[location];
      if (!check) continue;
      const values: Record<string, unknown> = {};
      for (const [name, read] of check.readers) {
        // Read as copies: coercion must not change what handlers see.
        const value = read(sources[location]);
        if (value !== undefined) values[name] = value;
      }
      if (!check.validate(values)) {
        for (const error of check.validate.errors ?? []) violations.push(parameterViolation(location, error));
      }
    }
    if (compiled.querystring) {
      // A copy: coercion must not change what handlers see.
      const query = Object.fromEntries(Object.entries(request.query).map(([name, value]) => [name, Array.isArray(value) ? [...value] : value]));
      if (!compiled.querystring(query)) for (const error of compiled.querystring.errors ?? []) violations.push(parameterViolation('query', error));
    }
    if (compiled.body) violations.push(...this.#validateBody(operation, compiled.body, request));
    if (operation.security.length && !operation.security.some((all) => all.every((scheme) => hasCredential(scheme, request)))) {
      const wanted = operation.security.map((all) => all.map(describeScheme).join(' and ')).join(', or ');
      violations.push({ in: 'security', pointer: '', message: `credentials are missing: send ${wanted}` });
    }
    return violations;
  }

  #validateBody(operation: ApiOperation, body: NonNullable<CompiledOperation['body']>, request: RequestParts): Violation[] {
    const header = request.headers['content-type'];
    const contentType = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase();
    if (request.body === undefined || request.body === '') {
      return body.required ? [{ in: 'body', pointer: '', message: `a request body is required (${body.types.join(', ')})` }] : [];
    }
    // Documented types may carry parameters (OBS's `application/xml; charset=utf-8`): compared without them.
    // The type as sent first: any JSON type takes another's place, but Kubernetes documents four patch
    // types, and a merge patch was checked as the JSON Patch listed before it.
    const type = contentType && (body.types.find((t) => mediaTypeOf(t) === contentType) ?? body.types.find((t) => matchesRange(mediaTypeOf(t), contentType)));
    if (!type) {
      return [{ in: 'body', pointer: '', message: `content type ${contentType ?? '(none)'} is not one of ${body.types.join(', ')}` }];
    }
    let validate = body.validators.get(type);
    if (validate === undefined) {
      validate = this.#compileBody(operation, type);
      body.validators.set(type, validate);
    }
    if (!validate) return [];
    // JSON bodies (`+json` too) arrive parsed: a string here is a JSON string. Form fields are
    // copied, as coercion changes what it checks.
    let value: unknown = request.body;
    // Bytes are checked as the text they carry: a schema wanting an object says so (`must be object`).
    if (value instanceof Uint8Array) value = latin1(value);
    else if (!isJsonMediaType(type) && isObject(value)) value = this.#formFields(operation, type, value);
    if (validate(value)) return [];
    return dedupe((validate.errors ?? []).map((e) => ({ in: 'body', pointer: errorPointer(e), message: errorMessage(e) })));
  }

  /**
   * A form's fields as the contract reads them: an array field sent as one text in the style its
   * `encoding` names (`tags=a,b` for `explode: false`, Swagger 2.0's default `csv`) is split; an object
   * field of a multipart body is JSON (its default content type), sent as a text field or as a part of
   * its own (`new Blob([json], { type: 'application/json' })`); a field named with brackets is found nested.
   */
  #formFields(operation: ApiOperation, type: string, body: JsonObject): unknown {
    const fields = formFields(body) as JsonObject;
    const media = this.#api.resolve(((operation.requestBody?.content ?? {}) as JsonObject)[type]);
    const schema = isObject(media) ? this.#api.resolve(media.schema) : undefined;
    if (!isObject(media) || !isObject(schema) || !isObject(schema.properties)) return fields;
    const encodings = isObject(media.encoding) ? media.encoding : {};
    const multipart = /^multipart\//i.test(type);
    const sent: JsonObject = { ...body };
    // A field the contract names with brackets (`template[name]`, `tags[]`: Rails and PHP forms) is read
    // nested, as every form is (`{ template: { name } }`): it is found by its path.
    const nested = new Set<string>();
    for (const name of Object.keys(schema.properties)) {
      if (body[name] !== undefined || !name.includes('[')) continue;
      const path = name.split(/\]?\[/).map((segment) => segment.replace(/\]$/, ''));
      while (path.length > 1 && path[path.length - 1] === '') path.pop();
      const value = path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), body);
      if (value === undefined) continue;
      sent[name] = value;
      fields[name] = formFields(value);
      nested.add(path[0] as string);
    }
    for (const root of nested) if (!(root in schema.properties)) delete fields[root];
    for (const [name, raw] of Object.entries(schema.properties)) {
      const field = sent[name];
      const property = this.#api.resolve(raw);
      const encoding = this.#api.resolve(encodings[name]);
      const kind = isObject(property) ? shapeOf(property) : 'primitive';
      const styled = this.#styledObject(name, property, encoding, field, sent);
      if (styled) {
        fields[name] = styled.value;
        for (const key of styled.consumed) if (!(key in schema.properties)) delete fields[key];
        continue;
      }
      if (field === undefined) continue;
      if (kind === 'array' && typeof field === 'string' && isObject(encoding)) {
        const style = typeof encoding.style === 'string' ? encoding.style : 'form';
        const explode = typeof encoding.explode === 'boolean' ? encoding.explode : style === 'form';
        if (!explode) fields[name] = field === '' ? [] : field.split(style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ',');
      }
      const contentType = isObject(encoding) && typeof encoding.contentType === 'string' ? encoding.contentType : undefined;
      // A urlencoded object field is JSON text as swagger-client, hey-api's and orval's clients write it (`meta={"k":"v"}`).
      const jsonText = !multipart && kind === 'object' && typeof field === 'string' && /^\s*\{/.test(field);
      if (jsonText || (multipart && (contentType ? isJsonMediaType(contentType) : kind === 'object'))) {
        const text = typeof field === 'string' ? field : isObject(field) && field.data instanceof Uint8Array ? new TextDecoder().decode(field.data) : undefined;
        if (text !== undefined) {
          try {
            fields[name] = JSON.parse(text);
          } catch {
            // Not JSON: checked as sent, so the answer says what the schema wants.
          }
        }
      }
    }
    return fields;
  }

  /**
   * An object field sent in the style its `encoding` names, as swagger-client writes it (in multipart
   * too, as OpenAPI 3.1 allows): `object=foo,x,bar,y` (form), `foo=x&bar=y` (form, exploded: its
   * properties as fields of their own), `object[foo]=x` (deepObject). JSON text is left to the JSON reading.
   */
  #styledObject(name: string, property: unknown, encoding: unknown, field: unknown, sent: JsonObject): { value: JsonObject; consumed: string[] } | undefined {
    if (!isObject(property) || shapeOf(property) !== 'object' || !isObject(encoding) || typeof encoding.style !== 'string') return undefined;
    if (typeof encoding.contentType === 'string' && isJsonMediaType(encoding.contentType)) return undefined;
    if (field !== undefined && (typeof field !== 'string' || /^\s*\{/.test(field))) return undefined;
    const explode = typeof encoding.explode === 'boolean' ? encoding.explode : encoding.style === 'form';
    const parameter: ApiParameter = { name, in: 'query', required: false, schema: property, style: encoding.style, explode };
    const value = parameterReader(parameter, this.#api.resolve)(sent);
    if (!isObject(value)) return undefined;
    const consumed = Object.keys(sent).filter((key) => key.startsWith(`${name}[`) || (field === undefined && key in value));
    return { value: formFields(value) as JsonObject, consumed };
  }

  #compile(operation: ApiOperation): CompiledOperation {
    const existing = this.#compiled.get(operation);
    if (existing) return existing;
    const compiled: CompiledOperation = { renamed: Object.keys(operation.routeParams).length > 0, parameters: {}, body: undefined };
    for (const location of ['path', 'query', 'header', 'cookie'] as const) {
      const parameters = operation.parameters.filter(
        (p) =>
          p.in === location &&
          !(location === 'header' && (IGNORED_HEADERS.has(p.name) || TRANSPORT_HEADERS.has(p.name) || (!p.required && AGENT_HEADERS.has(p.name)))),
      );
      if (!parameters.length) continue;
      const properties: JsonObject = {};
      const readers: [string, ParameterReader][] = [];
      for (const p of parameters) {
        properties[p.name] = p.schema;
        readers.push([p.name, parameterReader(p, this.#api.resolve)]);
      }
      const schema = { type: 'object', properties, required: parameters.filter((p) => p.required).map((p) => p.name) };
      const validate = this.#tryCompile(this.#coercing, schema, `${operation.method} ${operation.path} ${location} parameters`, undefined);
      if (validate) compiled.parameters[location] = { validate, readers };
    }
    const querystring = operation.parameters.find((p) => p.in === 'querystring');
    if (querystring)
      compiled.querystring = this.#tryCompile(this.#coercing, querystring.schema, `${operation.method} ${operation.path} query string`, undefined) ?? undefined;
    const requestBody = operation.requestBody;
    if (requestBody && isObject(requestBody.content)) {
      const types = Object.keys(requestBody.content);
      // fetch cannot send a body with GET or HEAD, the REST adapter reads none there, and OpenAPI 3.0 has
      // consumers ignore one (AWS's converted documents declare required bodies on GETs): none is refused.
      const required = requestBody.required === true && operation.method !== 'GET' && operation.method !== 'HEAD';
      if (types.length) compiled.body = { required, types, validators: new Map() };
    }
    this.#compiled.set(operation, compiled);
    return compiled;
  }

  /** A body validator, or null when the media type is not checked (XML, multipart, binary). */
  #compileBody(operation: ApiOperation, type: string): ValidateFunction | null {
    const form = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type);
    if (!isJsonMediaType(type) && !form) return null;
    const content = (operation.requestBody?.content ?? {}) as JsonObject;
    const media = this.#api.resolve(content[type]);
    if (!isObject(media) || media.schema === undefined) return null;
    // A form whose schema is one binary string (Codat's attachment upload) is a file sent as its one part:
    // its parts are not checked against it.
    const schema = this.#api.resolve(media.schema);
    if (form && isObject(schema) && schema.type === 'string') return null;
    if (mediaTypeOf(type) === JSON_PATCH_TYPE && !valueFits(media.schema, [], this.#api.resolve)) {
      const message = `${operation.method} ${operation.path} body (${type}): its schema takes no array, but a JSON Patch (RFC 6902) is an array of operations; bodies are checked as one`;
      this.#onProblem?.(message);
      return this.#tryCompile(uncoercedAjvOf(this.#api), JSON_PATCH_SCHEMA, `${operation.method} ${operation.path} body (${type})`, 'request');
    }
    return this.#tryCompile(form ? this.#coercing : uncoercedAjvOf(this.#api), media.schema, `${operation.method} ${operation.path} body (${type})`, 'request');
  }

  #tryCompile(ajv: AjvInstance, schema: unknown, what: string, direction: Direction | undefined): ValidateFunction | null {
    try {
      return this.#schemas.compile(ajv, schema, direction);
    } catch (error) {
      const message = `${what} is not checked: its schema cannot be compiled (${(error as Error).message})`;
      this.problems.push(message);
      this.#onProblem?.(message);
      return null;
    }
  }
}

const JSON_PATCH_TYPE = 'application/json-patch+json';

/**
 * A JSON Patch document (RFC 6902 §3, §4): what a body of JSON_PATCH_TYPE is checked against when its
 * schema takes no array. Kubernetes' document (and the many built from its generator) gives every
 * PATCH body one `Patch` schema, `type: object`, under four media types; a JSON Patch is an array, so
 * each sent as the document's own media type says (@kubernetes/client-node's patchNamespacedDeployment,
 * kubectl patch --type=json) was refused with `must be object`.
 */
const JSON_PATCH_SCHEMA: JsonObject = {
  type: 'array',
  items: {
    type: 'object',
    required: ['op', 'path'],
    properties: {
      op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
      path: { type: 'string' },
      from: { type: 'string' },
    },
  },
};

/**
 * A copy of form or multipart fields to check (coercion changes what it checks): an uploaded file
 * (`{ filename, data }`) or raw bytes stand for the `format: binary` string they are in the contract.
 */
function formFields(value: unknown): unknown {
  if (value instanceof Uint8Array) return latin1(value);
  if (Array.isArray(value)) return value.map(formFields);
  if (!isObject(value)) return value;
  if (value.data instanceof Uint8Array && typeof value.filename === 'string') return latin1(value.data);
  const copy: JsonObject = {};
  for (const [key, field] of Object.entries(value)) copy[key] = formFields(field);
  return copy;
}

function hasCredential(scheme: SecurityScheme, request: RequestParts): boolean {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  switch (scheme.type) {
    case 'apiKey':
      if (scheme.in === 'header') return Boolean(first(request.headers[scheme.parameter]));
      if (scheme.in === 'query') return Boolean(first(request.query[scheme.parameter]));
      return parseCookies(request.headers.cookie)[scheme.parameter] !== undefined;
    case 'http': {
      const authorization = first(request.headers.authorization)?.trim().toLowerCase() ?? '';
      return authorization.startsWith(`${scheme.scheme} `) && authorization.length > scheme.scheme.length + 1;
    }
    default:
      return true;
  }
}

function describeScheme(scheme: SecurityScheme): string {
  if (scheme.type === 'apiKey') return `${scheme.in} ${scheme.parameter} (${scheme.name})`;
  if (scheme.type === 'http') return `Authorization: ${scheme.scheme[0]?.toUpperCase()}${scheme.scheme.slice(1)} … (${scheme.name})`;
  return scheme.name;
}

function renameParams(params: Readonly<Record<string, string>>, names: Readonly<Record<string, string>>): Record<string, string> {
  const renamed: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) renamed[names[key] ?? key] = value;
  return renamed;
}

/** `Application/XML; charset=utf-8` → `application/xml`. */
function mediaTypeOf(type: string): string {
  return (type.split(';')[0] ?? '').trim().toLowerCase();
}

function matchesRange(documented: string, actual: string): boolean {
  const lower = documented.toLowerCase();
  if (lower === '*/*') return true;
  if (lower.endsWith('/*')) return actual.startsWith(lower.slice(0, -1));
  // application/json documented, application/vnd.x+json sent (and the other way round).
  return isJsonMediaType(lower) && isJsonMediaType(actual);
}

function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const text = Array.isArray(header) ? header.join(';') : (header ?? '');
  const cookies: Record<string, string> = {};
  for (const part of text.split(';')) {
    const index = part.indexOf('=');
    if (index > 0) cookies[part.slice(0, index).trim()] = decodeURIComponent(part.slice(index + 1).trim());
  }
  return cookies;
}

function parameterViolation(location: Violation['in'], error: ErrorObject): Violation {
  const params = error.params as Record<string, unknown>;
  const [, first = '', ...rest] = error.instancePath.split('/');
  const name = error.keyword === 'required' && !first ? String(params.missingProperty) : first.replace(/~1/g, '/').replace(/~0/g, '~');
  if (error.keyword === 'required' && !first) {
    return { in: location, name, pointer: `/${name}`, message: `${location} parameter "${name}" is required` };
  }
  // A closed query string (3.2's `querystring` schema) names what it does not take.
  if (error.keyword === 'additionalProperties' && !first) {
    const extra = String(params.additionalProperty);
    return { in: location, name: extra, pointer: `/${extra}`, message: `${location} parameter "${extra}" is not allowed` };
  }
  const inner = rest.length ? ` at /${rest.join('/')}` : '';
  return { in: location, name, pointer: error.instancePath, message: `${location} parameter "${name}"${inner} ${errorMessage(error)}` };
}

function errorPointer(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${error.instancePath}/${String(params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${String(params.additionalProperty)}`;
  return error.instancePath;
}

function errorMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `is required (${String(params.missingProperty)})`;
  if (error.keyword === 'additionalProperties') return `is not allowed (unexpected property "${String(params.additionalProperty)}")`;
  if (error.keyword === 'enum') return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? error.keyword;
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  const specific = violations.filter((v) => !/must match (exactly one|a) schema in (oneOf|anyOf)/.test(v.message));
  return (specific.length ? specific : violations)
    .filter((v) => {
      const key = `${v.pointer}|${v.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, 20);
}

/** Bytes as a string of the same length, one character per byte (as node's `latin1`), in any runtime. */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return text;
}
