// The OpenAPI half of the real-world corpus (issue 13): public documents from exact-pinned
// devDependencies, served zero-config; every operation (a sample of huge documents unless
// `full`) gets a request generated from the contract, and its answer is checked against it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import {
  type AjvInstance,
  type ApiOperation,
  type ApiParameter,
  createAjv,
  generateValue,
  isObject,
  type JsonObject,
  loadOpenApi,
  type OpenApi,
  SchemaSet,
  seedFor,
  serverUrlsOf,
} from '@mockstack/openapi';
import { startStack } from '@mockstack/testing';
import type { ValidateFunction } from 'ajv';
import { rest, scenario } from 'mockstack';
import { stringify as stringifyQs } from 'qs';

const modules = new URL('../../node_modules/', import.meta.url).pathname;
const examples = (path: string) => join(modules, '@readme/oas-examples', path);

export interface CorpusEntry {
  /** Who publishes it, and which document. */
  name: string;
  file: string;
  /** Operations checked per `npm test` run; all in the full run. */
  sample?: number | undefined;
  /** Served as a minified copy (one line of JSON). */
  minify?: boolean | undefined;
  /** Why the document is served with `lenient: true` (it breaks the OpenAPI schema as published). */
  lenient?: string | undefined;
}

export const corpus: readonly CorpusEntry[] = [
  // Swagger 2.0 (OpenAPI Initiative's examples, as packaged by ReadMe)
  { name: 'swagger2 petstore (json)', file: examples('2.0/json/petstore.json') },
  { name: 'swagger2 petstore-expanded (yaml)', file: examples('2.0/yaml/petstore-expanded.yaml') },
  { name: 'swagger2 petstore-simple', file: examples('2.0/json/petstore-simple.json') },
  { name: 'swagger2 petstore-minimal (yaml)', file: examples('2.0/yaml/petstore-minimal.yaml') },
  { name: 'swagger2 api-with-examples', file: examples('2.0/json/api-with-examples.json') },
  { name: 'swagger2 petstore-with-external-docs', file: examples('2.0/json/petstore-with-external-docs.json') },
  { name: 'swagger2 schema-circular', file: examples('2.0/json/schema-circular.json') },
  // OpenAPI 3.0
  { name: 'GitHub REST API (@octokit/openapi, 13 MB)', file: join(modules, '@octokit/openapi/generated/api.github.com.json'), sample: 40 },
  {
    name: 'Blockfrost (yaml, 0.5 MB)',
    file: join(modules, '@blockfrost/openapi/openapi.yaml'),
    sample: 40,
    lenient: "`type: 'null'` in 3.0 anyOf branches, which 3.0 does not have",
  },
  { name: 'USPTO data set API', file: examples('3.0/json/uspto.json') },
  { name: '3.0 petstore (yaml)', file: examples('3.0/yaml/petstore.yaml') },
  { name: '3.0 petstore-expanded', file: examples('3.0/json/petstore-expanded.json') },
  { name: '3.0 star-trek (yaml)', file: examples('3.0/yaml/star-trek.yaml') },
  { name: '3.0 callbacks', file: examples('3.0/json/callbacks.json') },
  { name: '3.0 link-example', file: examples('3.0/json/link-example.json') },
  { name: '3.0 response-examples', file: examples('3.0/json/response-examples.json') },
  { name: '3.0 request-examples', file: examples('3.0/json/request-examples.json') },
  { name: '3.0 parameters-style', file: examples('3.0/json/parameters-style.json') },
  { name: '3.0 schema-encoding-style', file: examples('3.0/json/schema-encoding-style.json') },
  { name: '3.0 file-uploads', file: examples('3.0/json/file-uploads.json') },
  { name: '3.0 form-data', file: examples('3.0/json/form-data.json') },
  { name: '3.0 circular (yaml)', file: examples('3.0/yaml/circular.yaml') },
  { name: '3.0 polymorphism', file: examples('3.0/json/polymorphism.json') },
  { name: '3.0 discriminators', file: examples('3.0/json/discriminators.json') },
  { name: '3.0 complex-nesting', file: examples('3.0/json/complex-nesting.json') },
  { name: '3.0 response-multiple-mediatypes', file: examples('3.0/json/response-multiple-mediatypes.json') },
  { name: '3.0 security', file: examples('3.0/json/security.json') },
  { name: '3.0 schema-additional-properties', file: examples('3.0/json/schema-additional-properties.json') },
  { name: '3.0 schema-validation', file: examples('3.0/json/schema-validation.json') },
  // OpenAPI 3.1
  { name: 'Train Travel API (Bump.sh, 3.1 yaml)', file: examples('3.1/yaml/train-travel.yaml') },
  { name: 'Train Travel API (3.1, minified)', file: examples('3.1/json/train-travel.json'), minify: true },
  { name: 'Scalar Galaxy (3.1 yaml)', file: join(modules, '@scalar/galaxy/dist/3.1.yaml') },
  { name: '3.1 petstore', file: examples('3.1/json/petstore.json') },
  { name: '3.1 webhooks', file: examples('3.1/json/webhooks.json') },
  { name: '3.1 schema-types (yaml)', file: examples('3.1/yaml/schema-types.yaml') },
  { name: '3.1 parameters-style', file: examples('3.1/json/parameters-style.json') },
  { name: '3.1 security', file: examples('3.1/json/security.json') },
];

export interface CorpusResult {
  name: string;
  version: string;
  /** Milliseconds from start to serving (load, check, routes, listen). */
  loadMs: number;
  operations: number;
  checked: number;
  /** Answers that are the document's own example although it breaks the document's schema. */
  badExamples: number;
  /** Operations whose request schema no value satisfies (flagged at load): refused as they must be. */
  unsatisfiable: number;
  failures: string[];
}

/** Serves one document and checks the operations picked; never throws for a contract's own failure. */
export async function runEntry(entry: CorpusEntry, full: boolean): Promise<CorpusResult> {
  const scratch = entry.minify ? mkdtempSync(join(tmpdir(), 'mockstack-corpus-')) : undefined;
  const file = scratch ? join(scratch, 'minified.json') : entry.file;
  if (scratch) writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(entry.file, 'utf8'))));
  const result: CorpusResult = { name: entry.name, version: '', loadMs: 0, operations: 0, checked: 0, badExamples: 0, unsatisfiable: 0, failures: [] };
  const started = performance.now();
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  try {
    const lenient = entry.lenient !== undefined;
    stack = await startStack(scenario('corpus', { seed: 11 }).services({ api: rest({ port: 0, openapi: file, lenient }) }));
    result.loadMs = Math.round(performance.now() - started);
    const api = await loadOpenApi(file, { skipSchemaCheck: true });
    result.version = api.version;
    result.operations = api.operations.length;
    const picked = full || entry.sample === undefined ? api.operations : sampleOf(api.operations, entry.sample);
    const base = stack.url('api');
    const checker = new AnswerChecker(api, result, base);
    for (const operation of picked) {
      result.checked++;
      const impossible = api.warnings.some(
        (w) => w.startsWith(`${operation.method} ${api.basePath}${operation.path}: request body`) && w.endsWith('no value can satisfy this schema'),
      );
      const problem = await checkOperation(api, operation, base, checker, impossible).catch((error: unknown) => `threw ${(error as Error).message}`);
      if (impossible && problem === 'refused') result.unsatisfiable++;
      else if (problem) result.failures.push(`${operation.method} ${operation.path}: ${problem}`);
    }
    // Whatever happened above, the mock still answers.
    const first = api.operations[0];
    if (
      first &&
      !(await fetch(`${base}${fill(first, api)}`, { method: first.method === 'HEAD' ? 'HEAD' : 'GET', redirect: 'manual' }).then(
        () => true,
        () => false,
      ))
    ) {
      result.failures.push('the server stopped answering');
    }
  } catch (error) {
    result.loadMs = Math.round(performance.now() - started);
    result.failures.push(`does not serve: ${(error as Error).message.split('\n').slice(0, 4).join(' | ')}`);
  } finally {
    await stack?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  return result;
}

/** Every n-th operation, so a sample spreads over the whole document. */
function sampleOf(operations: readonly ApiOperation[], count: number): ApiOperation[] {
  if (operations.length <= count) return [...operations];
  const step = operations.length / count;
  return Array.from({ length: count }, (_, i) => operations[Math.floor(i * step)] as ApiOperation);
}

/** Checks answers against the documented responses with an Ajv of its own. */
class AnswerChecker {
  readonly #api: OpenApi;
  readonly #ajv: AjvInstance;
  readonly #result: CorpusResult;

  readonly #pointBack: (example: unknown) => unknown;
  readonly #servers: string[];

  constructor(api: OpenApi, result: CorpusResult, base: string) {
    this.#api = api;
    this.#result = result;
    // Examples are served with the provider's URLs pointing at the mock (defect 5).
    const servers = serverUrlsOf(api.document);
    this.#servers = servers;
    this.#pointBack = (example) => {
      let text = JSON.stringify(example);
      for (const server of servers) text = text.split(server).join(`${base}${api.basePath}`);
      return JSON.parse(text);
    };
    this.#ajv = createAjv(api.version, { validateSchema: false });
  }

  /**
   * A redirect the client is not made to follow: one to the document's own server must point back at the
   * mock; one to another host (GitHub's codeload.github.com) is sent as documented.
   */
  checkLocation(status: number, location: string | null): string | undefined {
    if (status < 300 || status > 399 || location === null) return undefined;
    const provider = this.#servers.find((server) => location.toLowerCase().startsWith(server.toLowerCase()));
    return provider ? `answered ${status} with a Location on the provider's own server ${provider}: ${location}` : undefined;
  }

  /** The problem with an answer, or undefined when the contract allows it. */
  check(operation: ApiOperation, status: number, contentType: string | null, body: string): string | undefined {
    const statuses = Object.keys(operation.responses);
    // OpenAPI 3.1 lets an operation document no responses: any success will do.
    if (statuses.length === 0) return status < 300 ? undefined : `answered ${status} (${body.slice(0, 300)})`;
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => statuses.includes(k));
    if (!key) return `answered ${status}, documented: ${statuses.join(', ')} (${body.slice(0, 300)})`;
    const response = this.#api.resolve(operation.responses[key]);
    const content = isObject(response) && isObject(response.content) ? response.content : {};
    const types = Object.keys(content);
    if (types.length === 0 || body === '') return undefined;
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    // Documented types may carry parameters (eBay's `application/json;charset=UTF-8`): compared without them.
    const documented = types.find((t) => {
      const media = t.split(';')[0]?.trim().toLowerCase() ?? '';
      return media === type || media === '*/*' || (media.endsWith('/*') && type.startsWith(media.slice(0, -1)));
    });
    if (!documented) return `answered ${status} as ${type || 'no content type'}, documented: ${types.join(', ')}`;
    if (!/json/i.test(type)) return undefined;
    const media = this.#api.resolve(content[documented]);
    if (!isObject(media) || media.schema === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return `answered ${status} ${type} that is not JSON`;
    }
    let validate: ValidateFunction;
    try {
      validate = SchemaSet.of(this.#api).compile(this.#ajv, media.schema, 'response');
    } catch (error) {
      return `the ${key} schema cannot be compiled: ${(error as Error).message}`;
    }
    if (validate(value)) return undefined;
    // The mock serves documented examples as written; a provider's example may break its own schema.
    if (examplesOf(media, this.#api).some((example) => isDeepStrictEqual(this.#pointBack(example), value))) {
      this.#result.badExamples++;
      return undefined;
    }
    const errors = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
    return `answered a ${status} body that breaks its schema: ${errors.join('; ')}`;
  }
}

/** The media type's examples and its schema's own `example`, which the mock serves as written. */
function examplesOf(media: JsonObject, api: OpenApi): unknown[] {
  const named = isObject(media.examples) ? Object.values(media.examples).map((e) => api.resolve(e)) : [];
  const schema = api.resolve(media.schema);
  const own = isObject(schema) ? [schema.example, ...(Array.isArray(schema.examples) ? schema.examples : [])] : [];
  return [media.example, ...named.map((e) => (isObject(e) ? e.value : undefined)), ...own].filter((e) => e !== undefined);
}

/** A request made from the contract, sent; its answer checked. */
async function checkOperation(api: OpenApi, operation: ApiOperation, base: string, checker: AnswerChecker, impossible: boolean): Promise<string | undefined> {
  const seed = seedFor(5, operation.method, operation.path);
  const headers: Record<string, string> = {};
  const query = new URLSearchParams();
  for (const parameter of operation.parameters) {
    if (!parameter.required || parameter.in === 'path') continue;
    // OpenAPI: a header parameter named Accept, Content-Type or Authorization is ignored (VTEX's documents declare them).
    if (parameter.in === 'header' && /^(accept|content-type|authorization)$/i.test(parameter.name)) continue;
    const value = generate(api, parameter.schema, seed, parameter.name);
    if (parameter.in === 'query') appendQuery(query, parameter, value);
    else if (parameter.in === 'header') headers[parameter.name] = asList(value, parameter).join(',');
    else if (parameter.in === 'cookie') headers.cookie = `${headers.cookie ? `${headers.cookie}; ` : ''}${parameter.name}=${encodeURIComponent(String(value))}`;
  }
  for (const scheme of operation.security[0] ?? []) {
    if (scheme.type === 'apiKey' && scheme.in === 'header') headers[scheme.parameter] = 'corpus-key';
    else if (scheme.type === 'apiKey' && scheme.in === 'query') query.set(scheme.parameter, 'corpus-key');
    else if (scheme.type === 'apiKey') headers.cookie = `${headers.cookie ? `${headers.cookie}; ` : ''}${scheme.parameter}=corpus-key`;
    else if (scheme.type === 'http')
      headers.authorization = `${scheme.scheme === 'basic' ? 'Basic' : 'Bearer'} ${Buffer.from('corpus:key').toString('base64')}`;
  }
  let body: string | FormData | undefined;
  const content = isObject(operation.requestBody?.content) ? (operation.requestBody.content as JsonObject) : undefined;
  if (content && Object.keys(content).length && operation.method !== 'GET' && operation.method !== 'HEAD') {
    const type = Object.keys(content).find((t) => /json/i.test(t)) ?? Object.keys(content)[0] ?? 'application/json';
    const media = api.resolve(content[type]);
    const schema = isObject(media) ? media.schema : undefined;
    const value = schema === undefined ? {} : generateValue(schema, { seed, resolve: withoutExamples(api), direction: 'request' });
    if (/json/i.test(type) || type === '*/*') {
      headers['content-type'] = type === '*/*' ? 'application/json' : type;
      body = JSON.stringify(value);
    } else if (/x-www-form-urlencoded/i.test(type)) {
      headers['content-type'] = type;
      body = stringifyQs(value, { arrayFormat: 'repeat' });
    } else if (/multipart\/form-data/i.test(type)) {
      const form = new FormData();
      for (const [name, v] of new URLSearchParams(stringifyQs(value, { arrayFormat: 'repeat' }))) form.append(name, v);
      body = form;
    } else {
      headers['content-type'] = type;
      body = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  const q = query.toString();
  // A path key may carry its own query (OBS's `/worker?cmd=checkconstraints`): the parameters join it.
  const path = fill(operation, api);
  const url = `${base}${path}${q ? `${path.includes('?') ? '&' : '?'}${q}` : ''}`;
  // A redirect is checked, not followed: a documented one to another host would leave the machine.
  const answer = await fetch(url, { method: operation.method, headers, redirect: 'manual', ...(body !== undefined && { body }) });
  const text = operation.method === 'HEAD' ? '' : await answer.text();
  if (impossible) return answer.status === 422 ? 'refused' : `answered ${answer.status} to a body no value can satisfy, not 422`;
  return (
    checker.checkLocation(answer.status, answer.headers.get('location')) ?? checker.check(operation, answer.status, answer.headers.get('content-type'), text)
  );
}

/** The operation's path with generated values for its path parameters. */
function fill(operation: ApiOperation, api: OpenApi): string {
  const seed = seedFor(5, operation.method, operation.path);
  const parameters = new Map(operation.parameters.filter((p) => p.in === 'path').map((p) => [p.name, p]));
  // A path key's query string or fragment (ClickSend's `?convert={convert}`, AWS's `#tagKeys`) is not part of the served path.
  const path = operation.path.replace(/[?#].*$/, '').replace(/\{([^}]+)\}/g, (_, name: string) => {
    const parameter = parameters.get(name);
    const value = parameter ? generate(api, parameter.schema, seed, name) : 'x';
    return encodeURIComponent(parameter ? asList(value, parameter).join(',') : 'x');
  });
  return `${api.basePath}${path}`;
}

/**
 * A value made from the schema alone: a provider's own examples are not always valid (Train Travel's
 * trip ids are not UUIDs), and the request must be.
 */
function generate(api: OpenApi, schema: unknown, seed: number, name: string): unknown {
  return generateValue(schema, { seed: seedFor(seed, name), resolve: withoutExamples(api), direction: 'request' });
}

function withoutExamples(api: OpenApi): (node: unknown) => unknown {
  return (node) => {
    const resolved = api.resolve(node);
    if (!isObject(resolved) || (resolved.example === undefined && resolved.examples === undefined)) return resolved;
    const { example: _example, examples: _examples, ...rest } = resolved;
    return rest;
  };
}

/** A query parameter's fields: `filter[kind]=cat` (deepObject), an exploded form object's properties as fields, else asList. */
function appendQuery(query: URLSearchParams, parameter: ApiParameter, value: unknown): void {
  const text = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  if (parameter.contentType !== undefined && /json/i.test(parameter.contentType)) query.append(parameter.name, JSON.stringify(value));
  else if (isObject(value) && parameter.style === 'deepObject') for (const [k, v] of Object.entries(value)) query.append(`${parameter.name}[${k}]`, text(v));
  else if (isObject(value) && (parameter.style ?? 'form') === 'form' && parameter.explode) for (const [k, v] of Object.entries(value)) query.append(k, text(v));
  else for (const v of asList(value, parameter)) query.append(parameter.name, v);
}

/** A parameter's value as its style writes it (`.a.b`, `;id=a,b`, `a|b`…), one string per query field. */
function asList(value: unknown, parameter: ApiParameter): string[] {
  const text = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  const style = parameter.style ?? (parameter.in === 'query' || parameter.in === 'cookie' ? 'form' : 'simple');
  const explode = parameter.explode;
  let parts: string[];
  if (Array.isArray(value)) parts = value.map(text);
  else if (isObject(value)) {
    parts = explode && style !== 'form' ? Object.entries(value).map(([k, v]) => `${k}=${text(v)}`) : Object.entries(value).flatMap(([k, v]) => [k, text(v)]);
  } else return [style === 'label' ? `.${text(value)}` : style === 'matrix' ? `;${parameter.name}=${text(value)}` : text(value)];
  if (style === 'form' && explode && Array.isArray(value)) return parts;
  const delimited: Record<string, string> = { spaceDelimited: ' ', pipeDelimited: '|', tabDelimited: '\t' };
  const separator = delimited[style] ?? (style === 'label' && explode ? '.' : style === 'matrix' && explode ? ';' : ',');
  if (style === 'matrix' && explode && Array.isArray(value)) return [parts.map((p) => `;${parameter.name}=${p}`).join('')];
  const joined = parts.join(separator);
  return [style === 'label' ? `.${joined}` : style === 'matrix' ? (explode ? `;${joined}` : `;${parameter.name}=${joined}`) : joined];
}

/** The report line of one contract. */
export function reportLine(result: CorpusResult): string {
  return `${result.name.padEnd(44)} ${result.version.padEnd(4)} load ${String(result.loadMs).padStart(6)} ms  ops ${String(result.checked).padStart(4)}/${String(result.operations).padEnd(5)} failures ${result.failures.length}${result.unsatisfiable ? `  (${result.unsatisfiable} unsatisfiable request schema(s) flagged at load, refused)` : ''}${result.badExamples ? `  (served ${result.badExamples} documented example(s) that break their own schema)` : ''}`;
}
