import { ErrorCode, EXTENSION_HTTP_METHODS, MockstackError, type SourceLocation } from '@mockstack/core';
import { fileStamp, readHashedTextFile } from '@mockstack/core/platform';
import { contentHash, fileHashes, readStartupCache, writeStartupCache } from '@mockstack/core/startup-cache';
import { convertSwagger } from '@mockstack/openapi/swagger';
import type { ErrorObject } from 'ajv';
import { type Bundled, readCachedDocument, writeCachedDocument } from './document-cache.js';
import { deref, getPointer, isObject, type JsonObject, toPointer } from './pointer.js';
import { SchemaConflicts } from './schema-conflicts.js';
import { sequenceItemsOf } from './sequences.js';
import { specValidator } from './spec-check.js';
import { isXmlMediaType } from './xml.js';

/** One problem of a document, at a JSON pointer into it (`/paths/~1pets/get/responses`). */
export interface DocumentProblem {
  pointer: string;
  message: string;
}

/** A document that is not valid OpenAPI 3.0/3.1/3.2; `documentProblems` lists each with its JSON pointer. */
export class OpenApiDocumentError extends MockstackError {
  readonly documentProblems: readonly DocumentProblem[];
  readonly file: string;

  /** `source`: where the scenario names the document, when known; `swagger`: it was Swagger 2.0, converted before the check. */
  constructor(file: string, problems: readonly DocumentProblem[], cause?: unknown, source?: SourceLocation, swagger = false) {
    const lines = problems.map((p) => `  - ${p.pointer || '/'}: ${p.message}`);
    const what = swagger
      ? 'a Swagger 2.0 document that is not a valid OpenAPI 3.0 document once converted (swagger2openapi; the pointers are into the converted document)'
      : 'not a valid OpenAPI 3.0/3.1/3.2 document';
    super(ErrorCode.ContractLoad, `${file} is ${what} (${problems.length} problem(s)):\n${lines.join('\n')}`, { cause, source });
    this.name = 'OpenApiDocumentError';
    this.file = file;
    this.documentProblems = problems;
  }
}

export type OpenApiVersion = '3.0' | '3.1' | '3.2';

/** An operation's method: a Path Item's fixed fields (3.2 adds `query`), or a method of 3.2's `additionalOperations` (`COPY`, `PURGE`…). */
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE' | 'QUERY' | (string & {});
/** How long a `$ref` to another address (`https://…/problem.yaml`) may take to download. */
const REMOTE_REF_TIMEOUT_MS = 30_000;
const METHODS: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE', 'QUERY'];

/** The operations of a Path Item: its fixed fields (`get`…`query`), then 3.2's `additionalOperations` by method. */
function operationsOf(item: JsonObject): Array<{ method: HttpMethod; node: unknown; pointer: (string | number)[] }> {
  const listed: Array<{ method: HttpMethod; node: unknown; pointer: (string | number)[] }> = METHODS.map((method) => ({
    method,
    node: item[method.toLowerCase()],
    pointer: [method.toLowerCase()],
  }));
  const more = isObject(item.additionalOperations) ? item.additionalOperations : {};
  for (const [method, node] of Object.entries(more)) listed.push({ method, node, pointer: ['additionalOperations', method] });
  return listed;
}

/** A parameter with its `$ref` resolved. */
export interface ApiParameter {
  name: string;
  /** `querystring` (OpenAPI 3.2): the whole query string as one value, its `content` schema an object of every query parameter. */
  in: 'path' | 'query' | 'header' | 'cookie' | 'querystring';
  required: boolean;
  schema: unknown;
  /** Query arrays as `?a=1&a=2` (form, explode) unless the document says otherwise. */
  explode: boolean;
  style: string | undefined;
  /** The media type of a parameter declared with `content` instead of `schema` (its value is, e.g., JSON text). */
  contentType?: string | undefined;
}

/** A credential a request must carry, from `components.securitySchemes`. */
export type SecurityScheme =
  | { name: string; type: 'apiKey'; in: 'header' | 'query' | 'cookie'; parameter: string }
  | { name: string; type: 'http'; scheme: string }
  | { name: string; type: 'other' };

/** One operation of the document, ready to route. */
export interface ApiOperation {
  method: HttpMethod;
  /** The path as the document writes it: `/rates/{id}`. */
  path: string;
  /** The router's template with the server's base path: `/v2/rates/:id`. */
  route: string;
  /** Router names of path parameters renamed to fit it (`user_id` → `user-id`); empty when none were. */
  routeParams: Readonly<Record<string, string>>;
  operationId: string | undefined;
  /** JSON pointer to the operation object. */
  pointer: string;
  parameters: readonly ApiParameter[];
  requestBody: JsonObject | undefined;
  responses: JsonObject;
  /** Alternatives of credentials the operation accepts (any one suffices); empty: none needed. */
  security: readonly (readonly SecurityScheme[])[];
  /** The operation object itself (refs unresolved). */
  node: JsonObject;
  /**
   * False when none of its parameters (its own or its path item's) and none of its request body's media
   * types gives `examples`: no request example can pair with a response example. Undefined: not known.
   */
  requestExamples?: boolean | undefined;
}

/** A loaded, bundled, checked OpenAPI document. */
export interface OpenApi {
  file: string;
  /** The document's OpenAPI version: its schemas are JSON Schema draft-04-like in 3.0, 2020-12 from 3.1 on. */
  version: OpenApiVersion;
  /** The document with every `$ref` local (`#/…`); external files are bundled in. */
  document: JsonObject;
  /** From the first server URL: `/v2`, or '' for none. */
  basePath: string;
  operations: readonly ApiOperation[];
  /** Features served in a reduced way (XML bodies, odd paths), said once at load. */
  warnings: readonly string[];
  /** Follows local `$ref`s. */
  resolve(node: unknown): unknown;
  /** The other local files the document's `$ref`s bundled in (what a watcher must watch besides `file`). */
  refs: readonly string[];
}

export interface LoadOptions {
  /** Skip checking the document against the OpenAPI JSON schema (faster for huge trusted documents). Default false. */
  skipSchemaCheck?: boolean | undefined;
  /**
   * Load a document with small validity problems (schema violations, duplicate operationIds,
   * undeclared path parameters) as real providers publish them: each problem becomes a warning
   * (with its JSON pointer) instead of an error. Unparseable documents and `$ref`s to nothing
   * still fail. Default false.
   */
  lenient?: boolean | undefined;
  /** The document's text, already read (a browser bundle has no files): `file` then only names it. */
  text?: string | undefined;
}

/**
 * Reads an OpenAPI 3.0/3.1/3.2 document (JSON or YAML, with `$ref`s into other local files), checks it
 * and lists its operations. Throws an OpenApiDocumentError (with JSON pointers) when it is invalid.
 */
export async function loadOpenApi(file: string, options: LoadOptions = {}): Promise<OpenApi> {
  // One hash of the text names both cache entries below. A file unchanged since its hash was taken
  // (same stamp) is not read at all when its parsed document is cached (GitHub's: 13 MB read and hashed).
  const { stamp, changedAt } = (options.text === undefined && fileStamp(file)) || { stamp: '', changedAt: Number.POSITIVE_INFINITY };
  const known = stamp ? readStartupCache(hashMemoName(file), isHashMemo) : undefined;
  let textHash = known && known.stamp === stamp ? known.hash : undefined;
  let bundled = textHash === undefined ? undefined : readCachedDocument(file, textHash);
  if (!bundled) {
    let read: { hash: string; text: () => string };
    try {
      read = options.text === undefined ? await readHashedTextFile(file) : { hash: contentHash(options.text), text: () => options.text as string };
    } catch (error) {
      throw new MockstackError(ErrorCode.ContractLoad, `cannot read OpenAPI document ${file}: ${(error as Error).message}`, { cause: error });
    }
    textHash = read.hash;
    // Every document is cached parsed (and bundled), also plain JSON: its cache entry is compact ASCII,
    // which parses several times faster than a pretty-printed document with non-ASCII text (GitHub's).
    bundled = readCachedDocument(file, textHash) ?? (await readDocument(file, read.text(), textHash));
    // Only for a file that had settled (see fileStamp): a write within a tick of this one could leave the same stamp.
    if (stamp && known?.stamp !== stamp && Date.now() - changedAt > SETTLED_MS)
      writeStartupCache(hashMemoName(file), { stamp, hash: textHash } satisfies HashMemo);
  }
  const { document, refHashes, swagger } = bundled;
  const refs = Object.keys(refHashes);
  const version = versionOf(file, document);
  // A document this text (and these $ref'd files) made passed every check before: its warnings are kept
  // and the checks (JSON schema, unsatisfiable schemas, dangling $refs) are not run again.
  // The version in the name changes with what the checks find or say (v4: event streams described by an object schema): a cache
  // written by an older mockstack would otherwise repeat its old warnings and skip the new checks.
  const checkedName = `openapi-checked-v4-${contentHash(`${version}\n${options.lenient === true}\n${options.skipSchemaCheck === true}\n${textHash}\n${JSON.stringify(refHashes)}`)}`;
  const checked = readStartupCache(checkedName, isCheckedDocument);
  const problems: DocumentProblem[] = options.skipSchemaCheck || checked ? [] : await checkAgainstSpec(version, document);
  const resolve = (node: unknown): unknown => deref(document, node);
  const warnings: string[] = swagger
    ? ['a Swagger 2.0 document, converted to OpenAPI 3.0 at load (swagger2openapi): pointers in messages are into the converted document']
    : [];
  const basePath = basePathOf(document);
  const operations = collectOperations(document, basePath, resolve, problems, warnings, !checked);
  if (checked) return { file, version, document, basePath, operations, warnings: checked.warnings, resolve, refs };
  if (options.lenient && problems.length) {
    warnings.unshift(...problems.map((p) => `loaded leniently despite ${p.pointer || '/'}: ${p.message}`));
    problems.length = 0;
  }
  checkRefs(document, problems);
  if (problems.length) throw new OpenApiDocumentError(file, problems, undefined, undefined, swagger);
  writeStartupCache(checkedName, { warnings } satisfies CheckedDocument);
  return { file, version, document, basePath, operations, warnings, resolve, refs };
}

/**
 * Parses the document and bundles the files its `$ref`s point into, and keeps the result (see
 * readCachedDocument). The YAML and `$ref` libraries load only here.
 */
async function readDocument(file: string, text: string, textHash: string): Promise<Bundled> {
  const swagger = isSwagger(text);
  const read = await parseText(file, text);
  if (!isObject(read)) throw new OpenApiDocumentError(file, [{ pointer: '', message: 'the document must be an object with `openapi`, `info` and `paths`' }]);
  const parsed = read.swagger === '2.0' ? await fromSwagger(file, read) : read;
  versionOf(file, parsed);
  if (!hasExternalRef(text)) {
    const bundled = { document: parsed, refHashes: {}, swagger };
    writeCachedDocument(file, textHash, bundled);
    return bundled;
  }
  const { $RefParser } = await import('@apidevtools/json-schema-ref-parser');
  const parser = new $RefParser();
  let document: JsonObject;
  try {
    // Schemas shared by address (`$ref: https://opensource.zalando.com/problem/schema.yaml#/Problem`) are fetched, as Prism
    // does; a company's schema registry on a private address too (the parser's SSRF guard refuses those by default).
    const http = { timeout: REMOTE_REF_TIMEOUT_MS, safeUrlResolver: false };
    document = (await parser.bundle(file, parsed, { resolve: { external: true, http } } as never)) as unknown as JsonObject;
  } catch (error) {
    throw new OpenApiDocumentError(file, [{ pointer: pointerOfRefError(error), message: `cannot resolve a $ref: ${(error as Error).message}` }], error);
  }
  const refs = parser.$refs.paths('file').filter((path) => path !== file);
  let refHashes: Record<string, string>;
  try {
    refHashes = fileHashes(refs);
  } catch (error) {
    // Read a moment ago by the bundler: removed or made unreadable since.
    throw new MockstackError(ErrorCode.ContractLoad, `cannot read a file that OpenAPI document ${file} $refs: ${(error as Error).message}`, { cause: error });
  }
  const bundled = { document, refHashes, swagger };
  writeCachedDocument(file, textHash, bundled);
  return bundled;
}

/** A Swagger 2.0 document as OpenAPI 3.0, converted by swagger2openapi (small errors patched, as Swagger tools accept them). */
async function fromSwagger(file: string, swagger: JsonObject): Promise<JsonObject> {
  try {
    return (await convertSwagger(swagger, file)) as JsonObject;
  } catch (error) {
    throw new OpenApiDocumentError(
      file,
      [{ pointer: '', message: `cannot convert this Swagger 2.0 document to OpenAPI 3.0: ${(error as Error).message}` }],
      error,
    );
  }
}

/** `"swagger": "2.0"` near the top, JSON or YAML. */
function isSwagger(text: string): boolean {
  return /^\s*\{?\s*["']?swagger["']?\s*:\s*["']?2\.0/m.test(text.slice(0, 4096));
}

/** The hash of a document's text, and the stamp (fileStamp) its file had when it was read. */
interface HashMemo {
  stamp: string;
  hash: string;
}

/** A file unchanged this long is remembered by its stamp: any later write changes its change time. */
const SETTLED_MS = 2000;

function hashMemoName(file: string): string {
  return `openapi-hash-v1-${contentHash(file)}`;
}

function isHashMemo(value: unknown): value is HashMemo {
  return isObject(value) && typeof value.stamp === 'string' && typeof value.hash === 'string';
}

/** What a document that passed every check said at load (see loadOpenApi). */
interface CheckedDocument {
  warnings: string[];
}

function isCheckedDocument(value: unknown): value is CheckedDocument {
  return isObject(value) && Array.isArray(value.warnings) && value.warnings.every((w) => typeof w === 'string');
}

function isJson(file: string, text: string): boolean {
  return file.toLowerCase().endsWith('.json') || /^\s*\{/.test(text);
}

async function parseText(file: string, text: string): Promise<unknown> {
  const json = isJson(file, text);
  const yaml = json ? undefined : await import('./yaml.js');
  try {
    return yaml ? yaml.parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const where = yaml?.yamlErrorPosition(error) ?? '';
    throw new OpenApiDocumentError(
      file,
      [{ pointer: '', message: `cannot parse ${json ? 'JSON' : 'YAML'}${where}: ${(error as Error).message.split('\n')[0]}` }],
      error,
    );
  }
}

function versionOf(file: string, document: JsonObject): OpenApiVersion {
  const declared = document.openapi;
  if (typeof declared === 'string' && /^3\.0\.\d+/.test(declared)) return '3.0';
  if (typeof declared === 'string' && /^3\.1\.\d+/.test(declared)) return '3.1';
  if (typeof declared === 'string' && /^3\.2\.\d+/.test(declared)) return '3.2';
  if (document.swagger !== undefined) {
    throw new OpenApiDocumentError(file, [
      {
        pointer: '/swagger',
        message: `expected "swagger": "2.0" (converted at load) or "openapi": "3.0.x"/"3.1.x"/"3.2.x", found ${JSON.stringify(document.swagger)}`,
      },
    ]);
  }
  throw new OpenApiDocumentError(file, [
    { pointer: '/openapi', message: `expected "openapi": "3.0.x", "3.1.x" or "3.2.x", found ${declared === undefined ? 'nothing' : JSON.stringify(declared)}` },
  ]);
}

/**
 * Whether a `$ref` key holds a reference into another file (only then is the slower bundler needed): a
 * string not starting with `#`. Microsoft
 * Graph's OData paths end in `/$ref` (`"/applications/{id}/owners/$ref": {`), which is no reference:
 * taking it for one bundled its 20 MB document for 10 s.
 */
function hasExternalRef(text: string): boolean {
  return /(?:^|[\s{,"'])\$ref["']?\s*:\s*["']?(?!#)[^\s"'#{[]/m.test(text);
}

function pointerOfRefError(error: unknown): string {
  const path = (error as { path?: unknown }).path;
  return Array.isArray(path) ? toPointer(path as string[]) : '';
}

/** Structural problems, from the official OpenAPI JSON schemas, reduced to the deepest per place. */
/**
 * A document that passed once is remembered by content hash (in the start-up cache) and not
 * checked again.
 */
async function checkAgainstSpec(version: OpenApiVersion, document: JsonObject): Promise<DocumentProblem[]> {
  const validate = await specValidator(version);
  return validate(document) ? [] : reduceErrors(validate.errors ?? []);
}

function reduceErrors(errors: readonly ErrorObject[]): DocumentProblem[] {
  const noise = new Set([
    "must have required property '$ref'",
    'must match exactly one schema in oneOf',
    'must match a schema in anyOf',
    'must match "then" schema',
  ]);
  const kept = errors.filter((e) => !noise.has(e.message ?? ''));
  const useful = kept.length ? kept : errors;
  const byPath = new Map<string, ErrorObject>();
  for (const error of useful) {
    // Keep the deepest error of a branch: a problem at /a/b explains the one at /a.
    const deeper = useful.some((other) => other !== error && other.instancePath.startsWith(`${error.instancePath}/`));
    if (deeper || byPath.has(error.instancePath)) continue;
    byPath.set(error.instancePath, error);
  }
  return [...byPath.values()].slice(0, 50).map((e) => ({ pointer: e.instancePath, message: describeError(e) }));
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `unexpected property "${String(params.additionalProperty)}"`;
  if (error.keyword === 'unevaluatedProperties') return `unexpected property "${String(params.unevaluatedProperty)}"`;
  if (error.keyword === 'enum') return `${error.message}: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? error.keyword;
}

function basePathOf(document: JsonObject): string {
  const servers = document.servers;
  const first = Array.isArray(servers) ? servers[0] : undefined;
  if (!isObject(first) || typeof first.url !== 'string') return '';
  const variables = isObject(first.variables) ? first.variables : {};
  const url = first.url.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const variable = variables[name];
    return isObject(variable) && variable.default !== undefined ? String(variable.default) : '';
  });
  let path: string;
  try {
    path = new URL(url, 'http://localhost').pathname;
  } catch {
    return '';
  }
  return decodeURI(path).replace(/\/+$/, '');
}

/**
 * The absolute URLs of the document's servers (`https://api.example.com/v2`, variables at their
 * defaults, no trailing slash), longest first: the provider's own addresses, which examples and
 * documented `Link`/`Location` headers name.
 */
export function serverUrlsOf(document: JsonObject): string[] {
  const servers = Array.isArray(document.servers) ? document.servers : [];
  const urls = new Set<string>();
  for (const server of servers) {
    if (!isObject(server) || typeof server.url !== 'string') continue;
    const variables = isObject(server.variables) ? server.variables : {};
    const url = server.url.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const variable = variables[name];
      return isObject(variable) && variable.default !== undefined ? String(variable.default) : '';
    });
    if (/^https?:\/\/[^/]/i.test(url)) urls.add(url.replace(/\/+$/, ''));
  }
  return [...urls].sort((a, b) => b.length - a.length);
}

/**
 * The router's name for a path parameter: letters, digits and `_` only (`{user-id}` → `:user_id`);
 * handlers see `params.user_id`, the request check maps it back to the document's name.
 */
export function routeParamName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(safe) ? `_${safe}` : safe;
}

/**
 * The document's operations. With `analyse`, also its problems and warnings; a document that passed
 * every check before skips them (loadOpenApi uses the warnings cached with that pass).
 */
function collectOperations(
  document: JsonObject,
  basePath: string,
  resolve: (node: unknown) => unknown,
  problems: DocumentProblem[],
  warnings: string[],
  analyse = true,
): ApiOperation[] {
  const operations: ApiOperation[] = [];
  const paths = isObject(document.paths) ? document.paths : {};
  const operationIds = new Map<string, string>();
  const conflicts = new SchemaConflicts(resolve);
  /** Routes by method and shape (`GET /a/:`): the router tells `/a/{id}` and `/a/{key}` of one method apart no more than a client could. */
  const routed = new Map<string, string>();
  const schemes = isObject(document.components) && isObject(document.components.securitySchemes) ? document.components.securitySchemes : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = resolve(rawItem);
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    // A path key with a query string (ClickSend's `/uploads?convert={convert}`, icons8's) or a fragment (AWS's
    // `/tags/{resourceArn}#tagKeys`, telling operations on one path apart): routed by its path; a parameter it
    // declares `in: path` but names only after the path is a query parameter.
    const query = path.search(/[?#]/);
    const routedPath = query === -1 ? path : path.slice(0, query);
    const templateNames = templateNamesOf(routedPath);
    const queryNames = query === -1 ? [] : templateNamesOf(path.slice(query));
    // The same for each of the item's operations (Microsoft Graph's 7,400 paths have 11,400): made once.
    let routeOfItem: { route: string | undefined } | undefined;
    for (const { method, node: listed, pointer: at } of operationsOf(item)) {
      const node = resolve(listed);
      if (!isObject(node)) continue;
      const pointer = toPointer(['paths', path, ...at]);
      const operationId = typeof node.operationId === 'string' ? node.operationId : undefined;
      if (operationId !== undefined) {
        const other = operationIds.get(operationId);
        if (other)
          problems.push({ pointer: `${pointer}/operationId`, message: `operationId "${operationId}" is also used at ${other}; operationIds must be unique` });
        else operationIds.set(operationId, pointer);
      }
      const given = { examples: false };
      const parameters = mergeParameters(shared, Array.isArray(node.parameters) ? node.parameters : [], resolve, given).map((p) =>
        p.in === 'path' && !templateNames.includes(p.name) && queryNames.includes(p.name) ? { ...p, in: 'query' as const, explode: true } : p,
      );
      if (analyse) checkPathParameters(routedPath, pointer, templateNames, parameters, problems);
      const where = `${method} ${basePath}${path}`;
      if (analyse && query !== -1)
        warnings.push(`${where}: the path has a ${path[query] === '?' ? 'query string' : 'fragment'}; it is served at ${basePath}${routedPath}`);
      if (method === 'TRACE') {
        warnings.push(`${where}: TRACE operations are not served`);
        continue;
      }
      if (!METHODS.includes(method) && !EXTENSION_HTTP_METHODS.has(method)) {
        if (analyse)
          warnings.push(`${where}: ${method} is not a method an HTTP/1.1 server here can receive (node's parser refuses it); the operation is not served`);
        continue;
      }
      routeOfItem ??= { route: toRoute(basePath, routedPath, templateNames) };
      const route = routeOfItem.route;
      if (!route) {
        const why = hasEmptySegment(`${basePath}${routedPath}`)
          ? 'the path has an empty segment ("//")'
          : 'the path template cannot be routed (a wildcard, a space, a stray brace, two parameters side by side, or a `(` right after one)';
        if (analyse) warnings.push(`${where}: ${why}; the operation is not served`);
        continue;
      }
      const shape = `${method} ${routeShape(route)}`;
      const first = routed.get(shape);
      if (first !== undefined) {
        // The OpenAPI specification forbids this; published documents (Google's, Xero's) have it.
        if (analyse)
          warnings.push(`${where}: a request for it cannot be told from one for ${first} (the same path, other parameter names); ${first} answers it`);
        continue;
      }
      routed.set(shape, where);
      const requestBody = resolve(node.requestBody);
      const responses = isObject(node.responses) ? node.responses : {};
      if (analyse) {
        const body = isObject(requestBody) ? requestBody : undefined;
        warnUnsupported(where, body, responses, resolve, warnings);
        warnUnsatisfiable(where, body, responses, conflicts, resolve, warnings);
      }
      const renamed = templateNames.filter((n) => routeParamName(n) !== n).map((n) => [routeParamName(n), n]);
      operations.push({
        method,
        path,
        route,
        routeParams: Object.fromEntries(renamed),
        operationId,
        pointer,
        parameters,
        requestBody: isObject(requestBody) ? requestBody : undefined,
        security: securityOf(node.security ?? document.security, schemes, resolve),
        responses,
        node,
        requestExamples: given.examples || bodyGivesExamples(requestBody, resolve),
      });
    }
  }
  return operations;
}

/** Whether a media type of the request body gives `examples`. */
function bodyGivesExamples(requestBody: unknown, resolve: (node: unknown) => unknown): boolean {
  const content = isObject(requestBody) && isObject(requestBody.content) ? requestBody.content : undefined;
  if (!content) return false;
  for (const raw of Object.values(content)) {
    const media = resolve(raw);
    if (isObject(media) && media.examples !== undefined) return true;
  }
  return false;
}

/** Each `{name}` of the path is a declared path parameter, and each declared one is in the path. */
function checkPathParameters(
  path: string,
  pointer: string,
  templateNames: readonly string[],
  parameters: readonly ApiParameter[],
  problems: DocumentProblem[],
): void {
  for (const name of templateNames) {
    if (!parameters.some((p) => p.in === 'path' && p.name === name)) {
      problems.push({ pointer: `${pointer}/parameters`, message: `path ${path} has {${name}} but the operation declares no path parameter "${name}"` });
    }
  }
  for (const p of parameters) {
    if (p.in === 'path' && !templateNames.includes(p.name)) {
      problems.push({ pointer: `${pointer}/parameters`, message: `path parameter "${p.name}" does not appear in the path ${path}` });
    }
  }
}

/** Whether a path has an empty segment (`/a//b`, `/wms//`; one final `/` is none): the router cannot serve it. */
function hasEmptySegment(path: string): boolean {
  const trimmed = path.replace(/\/$/, '');
  return trimmed !== '' && trimmed.slice(1).split('/').includes('');
}

/**
 * The router's template for a document path (`/v2/rates/:rateId`), or undefined when it cannot be
 * routed. A parameter that fills a segment is a plain parameter; one inside a segment (Google's custom
 * methods `/v1/{name}:cancel`, `/t/{slug}.json`, OData's `/synonymmaps('{name}')`) is a find-my-way
 * regex parameter that takes the shortest text the rest of the segment allows. A literal `:` is escaped
 * as find-my-way reads it (`::`).
 */
export function toRoute(basePath: string, path: string, names: readonly string[] = templateNamesOf(path)): string | undefined {
  if (names.some((n) => n === '') || new Set(names.map(routeParamName)).size !== names.length) return undefined;
  const full = `${basePath}${path}`;
  if (hasEmptySegment(full)) return undefined;
  const segments = full.split('/').map(segmentRoute);
  if (segments.some((s) => s === undefined)) return undefined;
  const route = segments.join('/');
  return route.startsWith('/') ? route : `/${route}`;
}

/** A parameter inside a segment: the shortest text before what follows it in the segment. */
const IN_SEGMENT = '(^.+?)';

function segmentRoute(segment: string): string | undefined {
  if (/^\{[^{}]+\}$/.test(segment)) return `:${routeParamName(segment.slice(1, -1))}`;
  // A wildcard, a space, a stray brace; two parameters side by side or a `(` after one (find-my-way reads it as a regex).
  if (/[*?#\s]/.test(segment) || /\}[{(]/.test(segment)) return undefined;
  let route = '';
  for (const part of segment.split(/(\{[^{}]*\})/)) {
    if (part.startsWith('{') && part.endsWith('}')) route += `:${routeParamName(part.slice(1, -1))}${IN_SEGMENT}`;
    else if (/[{}]/.test(part)) return undefined;
    else route += part.replaceAll(':', '::');
  }
  return route;
}

/** The parameter names of a path template (`/a/{id}` gives `id`). */
function templateNamesOf(path: string): string[] {
  return [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '');
}

/** A route's shape: the template without its parameter names (`GET /a/:` for `/a/:id` and `/a/:key`); two routes of one shape clash. */
function routeShape(route: string): string {
  return route.replace(/::|:[A-Za-z0-9_]+/g, (token) => (token === '::' ? token : ':'));
}

function securityOf(requirements: unknown, schemes: JsonObject, resolve: (node: unknown) => unknown): SecurityScheme[][] {
  if (!Array.isArray(requirements) || requirements.length === 0) return [];
  const alternatives: SecurityScheme[][] = [];
  for (const requirement of requirements) {
    if (!isObject(requirement)) continue;
    // `{}` among the alternatives: anonymous access is allowed.
    if (Object.keys(requirement).length === 0) return [];
    alternatives.push(
      Object.keys(requirement).map((name): SecurityScheme => {
        const scheme = resolve(schemes[name]);
        if (!isObject(scheme)) return { name, type: 'other' };
        if (scheme.type === 'apiKey' && typeof scheme.name === 'string' && (scheme.in === 'header' || scheme.in === 'query' || scheme.in === 'cookie')) {
          return { name, type: 'apiKey', in: scheme.in, parameter: scheme.in === 'header' ? scheme.name.toLowerCase() : scheme.name };
        }
        if (scheme.type === 'http' && typeof scheme.scheme === 'string') return { name, type: 'http', scheme: scheme.scheme.toLowerCase() };
        if (scheme.type === 'oauth2' || scheme.type === 'openIdConnect') return { name, type: 'http', scheme: 'bearer' };
        return { name, type: 'other' };
      }),
    );
  }
  return alternatives;
}

/** The operation's parameters, its own replacing its path item's (`shared`); `given.examples` is set when one of either list gives `examples`. */
function mergeParameters(
  shared: readonly unknown[],
  own: readonly unknown[],
  resolve: (node: unknown) => unknown,
  given: { examples: boolean },
): ApiParameter[] {
  const byKey = new Map<string, ApiParameter>();
  for (const raw of [...shared, ...own]) {
    const p = resolve(raw);
    if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
    if (p.examples !== undefined) given.examples = true;
    const location = p.in as ApiParameter['in'];
    const name = location === 'header' ? p.name.toLowerCase() : p.name;
    let schema = p.schema;
    const contentType = schema === undefined && isObject(p.content) ? Object.keys(p.content)[0] : undefined;
    if (contentType !== undefined && isObject(p.content)) schema = (resolve(p.content[contentType]) as JsonObject | undefined)?.schema;
    // Swagger 2.0's `collectionFormat: tsv` has no OpenAPI 3 style; swagger2openapi keeps it as `x-collectionFormat`.
    const style = typeof p.style === 'string' ? p.style : p['x-collectionFormat'] === 'tsv' ? 'tabDelimited' : undefined;
    byKey.set(`${location}:${name}`, {
      name,
      in: location,
      required: p.required === true || location === 'path',
      schema: schema ?? {},
      // Only `form` explodes by default; path and header parameters default to `simple` (OpenAPI 3 §4.8.12.4).
      explode: typeof p.explode === 'boolean' ? p.explode : (style ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple')) === 'form',
      style,
      contentType,
    });
  }
  return [...byKey.values()];
}

/**
 * Text the mock makes from a schema: `text/plain`; any other `text/*` (csv, html, markdown) whose
 * schema is a string; and any other type whose schema is a non-binary string with its own example,
 * which is then the body (Directus's ping: `application/text`, `type: string, example: pong`).
 */
export function isGeneratedText(type: string, schema: unknown, resolve: (node: unknown) => unknown): boolean {
  if (/^text\/plain\b/i.test(type)) return true;
  const resolved = resolve(schema);
  if (!isObject(resolved) || !(resolved.type === 'string' || (Array.isArray(resolved.type) && resolved.type.includes('string')))) return false;
  if (/^text\//i.test(type)) return true;
  const example = resolved.example !== undefined ? resolved.example : Array.isArray(resolved.examples) ? resolved.examples[0] : undefined;
  return typeof example === 'string' && resolved.format !== 'binary' && resolved.format !== 'byte';
}

export function isJsonMediaType(type: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(type) || type === '*/*';
}

function warnUnsupported(
  where: string,
  requestBody: JsonObject | undefined,
  responses: JsonObject,
  resolve: (node: unknown) => unknown,
  warnings: string[],
): void {
  const requestTypes = isObject(requestBody?.content) ? Object.keys(requestBody.content) : [];
  const unchecked = requestTypes.filter((t) => !isJsonMediaType(t) && !/^(?:application\/x-www-form-urlencoded|multipart\/form-data)/i.test(t));
  if (unchecked.length && unchecked.length === requestTypes.length) {
    warnings.push(`${where}: request bodies of type ${unchecked.join(', ')} are not validated (only JSON, form-encoded and multipart are)`);
  }
  for (const [status, raw] of Object.entries(responses)) {
    const response = resolve(raw);
    if (!isObject(response) || !isObject(response.content)) continue;
    const types = Object.entries(response.content);
    if (
      types.some(
        ([t, media]) =>
          isJsonMediaType(t) ||
          isXmlMediaType(t) ||
          (isObject(media) && (isGeneratedText(t, media.schema, resolve) || sequenceItemsOf(t, media, resolve) !== undefined)),
      )
    )
      continue;
    for (const [type, media] of types) {
      const hasExample = isObject(media) && (media.example !== undefined || isObject(media.examples));
      if (!hasExample)
        warnings.push(
          `${where}: response ${status} (${type}) has no example and mockstack generates only JSON, XML, plain text and (from an itemSchema or an object schema) event streams and JSON Lines; it answers with an empty body`,
        );
    }
  }
}

/**
 * Schemas no value can satisfy (see SchemaConflicts), said at load with the property they trip on:
 * such a request is always refused, and such a response cannot be generated valid.
 */
function warnUnsatisfiable(
  where: string,
  requestBody: JsonObject | undefined,
  responses: JsonObject,
  conflicts: SchemaConflicts,
  resolve: (node: unknown) => unknown,
  warnings: string[],
): void {
  const bodies: [string, unknown][] = [['request body', requestBody]];
  for (const [status, response] of Object.entries(responses)) bodies.push([`response ${status} body`, resolve(response)]);
  for (const [what, holder] of bodies) {
    const content = isObject(holder) && isObject(holder.content) ? holder.content : {};
    for (const raw of Object.values(content)) {
      const media = resolve(raw);
      if (!isObject(media) || media.schema === undefined) continue;
      for (const problem of conflicts.of(media.schema, what)) warnings.push(`${where}: ${problem}; no value can satisfy this schema`);
      break; // one media type says it: they share their schemas in practice
    }
  }
}

/** Every local `$ref` must point at something. */
function checkRefs(document: JsonObject, problems: DocumentProblem[]): void {
  const seen = new Set<string>();
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) visit(node[i], `${pointer}/${i}`);
      return;
    }
    if (!isObject(node)) return;
    for (const key in node) {
      const value = node[key];
      if (key === '$ref' && typeof value === 'string') {
        if (value.startsWith('#') && !seen.has(value)) {
          if (getPointer(document, value) === undefined) problems.push({ pointer: `${pointer}/$ref`, message: `$ref "${value}" points at nothing` });
          else seen.add(value);
        }
      } else if (typeof value === 'object' && value !== null && key !== 'example' && key !== 'examples') {
        visit(value, `${pointer}${toPointer([key])}`);
      }
    }
  };
  visit(document, '');
}
