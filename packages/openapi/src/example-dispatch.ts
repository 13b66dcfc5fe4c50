import { type DelaySpec, nearest } from '@mockstack/core';
import type { ApiOperation, OpenApi } from './document.js';
import { routeParamName } from './document.js';
import { getPointer, isObject, type JsonObject } from './pointer.js';
import type { RequestParts } from './request-validation.js';
import { exampleValue } from './responses.js';

/**
 * Example pairing as Microcks reads an OpenAPI document: a request example (in a parameter's or the
 * request body's `examples`) goes with the response example of the same name, under any status; the
 * operation's `x-microcks-operation` may choose how requests are told apart (its `dispatcher`).
 */

/** A response example a request can be answered with. */
export interface ResponseExample {
  name: string;
  /** The response's key in `responses`: `200`, `404`, `4XX`, `default`. */
  status: string;
  /** Undefined for a response without content that names its requests in `x-microcks-refs`. */
  mediaType: string | undefined;
}

/** How one operation's requests find their response example; made once per operation at load. */
export interface ExampleDispatch {
  /** What tells requests apart, as said in logs: `URI_PARTS`, `JSON_BODY`, or `example values` (no dispatcher named). */
  readonly dispatcher: string;
  /** Every response example a request can be paired with, in the order of the document. */
  readonly examples: readonly ResponseExample[];
  /** `x-microcks-operation.delay` (with its `delayStrategy`), applied to every answer of the operation. */
  readonly delay: DelaySpec | undefined;
  /** The name of the response example for this request, or undefined: the operation's usual answer. */
  pick(request: RequestParts): string | undefined;
}

/** The dispatchers of Microcks that mockstack runs on an OpenAPI operation. */
const SUPPORTED = ['URI_PARTS', 'SEQUENCE', 'URI_PARAMS', 'QUERY_ARGS', 'URI_ELEMENTS', 'QUERY_HEADER', 'JSON_BODY', 'FALLBACK', 'PROXY_FALLBACK'];
/** The dispatchers of Microcks that mockstack does not run, and why. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  GROOVY: 'a Groovy script, which mockstack does not run',
  SCRIPT: 'a Groovy script, which mockstack does not run',
  JS: 'a JavaScript script, which mockstack does not run (write a rule with a handler in a scenario instead)',
  PROXY: 'a proxy to the real service (use rest({ openapi, proxy }) instead)',
  RANDOM: 'a random pick, which a deterministic mock does not make (ask with Prefer: example=name)',
  QUERY_MATCH: 'an XPath match on SOAP bodies, which has no meaning for REST',
};
const OPERATION_KEYS = new Set(['delay', 'delayStrategy', 'dispatcher', 'dispatcherRules']);

/**
 * The example pairing of one operation, or undefined when it has none (no request example named like a
 * response example, no `x-microcks-operation`): such an operation costs nothing more per request.
 * Problems (an example pairing with nothing, a dispatcher mockstack does not run, malformed rules) go to
 * `warn`, each starting with the operation (`GET /products/{id}: …`); serving goes on without that part.
 */
export function exampleDispatchOf(api: OpenApi, operation: ApiOperation, warn: (message: string) => void): ExampleDispatch | undefined {
  const where = `${operation.method} ${api.basePath}${operation.path}`;
  const say = (message: string) => warn(`${where}: ${message}`);
  const extension = api.resolve(operation.node['x-microcks-operation']);
  // Known at load to have no request examples (most operations): nothing to pair, nothing to read.
  if (extension === undefined && operation.requestExamples === false) return undefined;
  const requests = requestExamplesOf(api, operation);
  if (requests.size === 0 && extension === undefined) return undefined;
  const settings = isObject(extension) ? extension : undefined;
  if (extension !== undefined && !settings) say('x-microcks-operation is not an object; it is ignored');
  // Names that do not pair are said for documents written for Microcks; in others request examples are
  // just examples, whatever their names (GitHub's `withPredicateType`, Scalar Galaxy's `Marc`).
  const written = writtenForMicrocks(api);
  const responses = responseExamplesOf(api, operation, written ? say : undefined, requests);
  if (written) {
    for (const example of requests.values()) {
      if (responses.has(example.name)) continue;
      // A path item's parameters serve all its operations: their examples may pair in a sibling (DELETE's, not GET's).
      if (example.shared && siblingResponseNames(api, operation).has(example.name)) continue;
      const near = nearest(example.name, [...responses.keys()], 1);
      say(
        `request example "${example.name}" (${example.where.join(', ')}) names no response example, so it pairs with nothing and such a request gets the usual answer; name a response example "${example.name}"${near.length ? ` (did you mean "${near[0]}"?)` : ''}`,
      );
    }
  }
  for (const key of Object.keys(settings ?? {})) {
    if (!OPERATION_KEYS.has(key)) say(`x-microcks-operation.${key} is not applied by mockstack (it reads ${[...OPERATION_KEYS].join(', ')})`);
  }
  const delay = settings ? delayOf(settings, say) : undefined;
  const context: DispatchContext = { api, operation, requests, responses, say };
  const dispatcherName = settings?.dispatcher;
  let chooser: Chooser;
  let dispatcher = 'example values';
  if (dispatcherName === undefined) chooser = byValues(context, undefined);
  else if (typeof dispatcherName !== 'string') {
    say('x-microcks-operation.dispatcher is not a string; examples are paired by their values');
    chooser = byValues(context, undefined);
  } else {
    dispatcher = dispatcherName;
    chooser = dispatcherChooser(context, dispatcherName, settings?.dispatcherRules) ?? byValues(context, undefined);
  }
  if (chooser.names.size === 0 && delay === undefined) return undefined;
  const examples = [...responses.values()].filter((example) => chooser.names.has(example.name));
  return { dispatcher, examples, delay, pick: chooser.pick };
}

interface RequestExample {
  name: string;
  /** Where the document gives it (`path parameter id`, `request body`), for messages. */
  where: string[];
  /** Given only by parameters of the path item, which its other operations share. */
  shared: boolean;
  /** By the router's name of the path parameter. */
  path: Map<string, string>;
  query: Map<string, string[]>;
  /** Lower-case names. */
  headers: Map<string, string>;
  body: { value: unknown } | undefined;
}

interface DispatchContext {
  api: OpenApi;
  operation: ApiOperation;
  requests: ReadonlyMap<string, RequestExample>;
  responses: ReadonlyMap<string, ResponseExample>;
  say: (message: string) => void;
}

/** A way of picking an example, and the names of the examples it can pick (none: it never pairs). */
interface Chooser {
  pick: (request: RequestParts) => string | undefined;
  names: ReadonlySet<string>;
}

/** The chooser of a named dispatcher, or undefined for examples paired by their values (said why). */
function dispatcherChooser(context: DispatchContext, name: string, rules: unknown): Chooser | undefined {
  const { say } = context;
  if (UNSUPPORTED[name] !== undefined) {
    say(`dispatcher ${name} is ${UNSUPPORTED[name]}; examples are paired by their values instead`);
    return undefined;
  }
  if (!SUPPORTED.includes(name)) {
    const near = nearest(name, [...SUPPORTED, ...Object.keys(UNSUPPORTED)], 1);
    say(`dispatcher "${name}" is not a Microcks dispatcher${near.length ? ` (did you mean ${near[0]}?)` : ''}; examples are paired by their values instead`);
    return undefined;
  }
  if (name === 'FALLBACK' || name === 'PROXY_FALLBACK') return fallbackChooser(context, name, rules);
  if (name === 'JSON_BODY') return jsonBodyChooser(context, rules);
  const text = typeof rules === 'string' ? rules : undefined;
  if (text === undefined && rules !== undefined) {
    say(`dispatcherRules of ${name} is not a string ("id && status"); examples are paired by their values instead`);
    return undefined;
  }
  const [partsText, paramsText] = text?.includes('??') ? text.split('??') : [text, text];
  const { operation } = context;
  // Without rules, a dispatcher compares every value of its kind the operation declares.
  const all = (place: 'path' | 'query' | 'header') => operation.parameters.filter((p) => p.in === place).map((p) => p.name);
  const path = () => namesOf(partsText) ?? all('path');
  const query = () => namesOf(paramsText) ?? all('query');
  if (name === 'URI_PARTS' || name === 'SEQUENCE') return byValues(context, { path: path() });
  if (name === 'URI_PARAMS' || name === 'QUERY_ARGS') {
    if (name === 'QUERY_ARGS')
      say('dispatcher QUERY_ARGS is for GraphQL and gRPC arguments in Microcks; mockstack reads it on a REST operation as URI_PARAMS (its query parameters)');
    return byValues(context, { query: namesOf(text) ?? all('query') });
  }
  if (name === 'URI_ELEMENTS') return byValues(context, { path: path(), query: query() });
  return byValues(context, { headers: (namesOf(text) ?? all('header')).map((h) => h.toLowerCase()) });
}

/** `"id && status"` → ['id', 'status']; undefined (no rules) → every name. */
function namesOf(rules: string | undefined): string[] | undefined {
  if (rules === undefined) return undefined;
  return rules
    .split('&&')
    .map((n) => n.trim())
    .filter(Boolean);
}

/** Which values a dispatcher compares: path parts, query parameters, headers by name (undefined: all the example gives). */
interface Compared {
  path?: readonly string[] | undefined;
  query?: readonly string[] | undefined;
  headers?: readonly string[] | undefined;
}

/**
 * Pairs a request with the example whose values it carries. Without a dispatcher (`compared` undefined)
 * every value the example gives is compared: path parameters, query parameters (the operation's declared
 * ones the request carries must be exactly those the example gives, as Microcks' URI_PARAMS), headers
 * and the body. A dispatcher compares only what its rules name: URI_PARTS the path, URI_PARAMS the query,
 * QUERY_HEADER the headers. The example giving the most values is tried first.
 */
function byValues(context: DispatchContext, compared: Compared | undefined): Chooser {
  const { operation, requests, responses, say } = context;
  const declaredQuery = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const matchers: { name: string; weight: number; test: (request: RequestParts) => boolean }[] = [];
  for (const example of requests.values()) {
    if (!responses.has(example.name)) continue;
    const tests: ((request: RequestParts) => boolean)[] = [];
    let weight = 0;
    const pathNames = compared ? (compared.path ?? []).map(routeParamName) : [...example.path.keys()];
    if (compared?.path?.length && !pathNames.some((n) => example.path.has(n))) {
      say(`example "${example.name}" gives none of the path parameters ${compared.path.join(', ')} that the dispatcher compares; it is not paired`);
      continue;
    }
    for (const name of pathNames) {
      const value = example.path.get(name);
      if (value === undefined) continue;
      weight++;
      tests.push((request) => request.params[name] === value);
    }
    const queryNames = compared ? compared.query : [...new Set([...declaredQuery, ...example.query.keys()])];
    if (queryNames?.length) {
      weight += queryNames.filter((n) => example.query.has(n)).length;
      tests.push((request) => sameQuery(request.query, queryNames, example.query));
    }
    const headerNames = compared ? compared.headers : [...example.headers.keys()];
    if (headerNames?.length) {
      weight += headerNames.filter((n) => example.headers.has(n)).length;
      tests.push((request) => headerNames.every((n) => sameHeader(request.headers[n], example.headers.get(n))));
    }
    if (!compared && example.body) {
      const wanted = example.body.value;
      weight++;
      tests.push((request) => sameBody(wanted, request));
    }
    if (weight === 0) continue;
    matchers.push({ name: example.name, weight, test: (request) => tests.every((test) => test(request)) });
  }
  matchers.sort((a, b) => b.weight - a.weight);
  return {
    names: new Set(matchers.map((m) => m.name)),
    pick: (request) => {
      for (const matcher of matchers) if (matcher.test(request)) return matcher.name;
      return undefined;
    },
  };
}

/** The request carries exactly the example's values among these query parameters (none of those it does not give). */
function sameQuery(query: RequestParts['query'], names: readonly string[], wanted: ReadonlyMap<string, string[]>): boolean {
  for (const name of names) {
    const sent = query[name];
    const values = wanted.get(name);
    if (values === undefined) {
      if (sent !== undefined) return false;
      continue;
    }
    if (sent === undefined) return false;
    const got = Array.isArray(sent) ? [...sent].sort() : [sent];
    if (got.length !== values.length || got.some((v, i) => v !== values[i])) return false;
  }
  return true;
}

function sameHeader(sent: string | string[] | undefined, wanted: string | undefined): boolean {
  if (wanted === undefined) return sent === undefined;
  if (sent === undefined) return false;
  return (Array.isArray(sent) ? sent.join(', ') : sent).trim() === wanted;
}

/** JSON bodies compare as JSON (key order aside); form fields arrive as text, so an example's numbers compare as text there. */
function sameBody(wanted: unknown, request: RequestParts): boolean {
  const type = request.headers['content-type'];
  const json = typeof type !== 'string' || /json/i.test(type);
  let body = request.body;
  if (typeof body === 'string' && json && typeof wanted !== 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return false;
    }
  }
  return sameValue(wanted, body, !json);
}

function sameValue(wanted: unknown, got: unknown, asText: boolean): boolean {
  if (Array.isArray(wanted)) return Array.isArray(got) && got.length === wanted.length && wanted.every((w, i) => sameValue(w, got[i], asText));
  if (isObject(wanted)) {
    if (!isObject(got)) return false;
    const keys = Object.keys(wanted);
    return keys.length === Object.keys(got).length && keys.every((key) => Object.hasOwn(got, key) && sameValue(wanted[key], got[key], asText));
  }
  if (asText && typeof got === 'string' && wanted !== null && typeof wanted !== 'object') return String(wanted) === got;
  return Object.is(wanted, got);
}

/**
 * JSON_BODY: `dispatcherRules` is `{ exp, operator, cases }`: the JSON pointer `exp` into the request body,
 * read as text and compared by `operator` (`equals`, `range` with keys like `[0;10[`, `regexp`, `size`
 * of an array, `presence`: `found`/`missing`) to the keys of `cases`, whose values name response
 * examples; `default` names the one for anything else.
 */
function jsonBodyChooser(context: DispatchContext, rules: unknown): Chooser | undefined {
  const { say, responses } = context;
  const parsed = parseRules(rules);
  const shape = '{ "exp": "/country", "operator": "equals", "cases": { "Belgium": "belgium", "default": "other" } }';
  if (!isObject(parsed)) {
    say(`dispatcherRules of JSON_BODY is not JSON like ${shape}; requests get the usual answer`);
    return undefined;
  }
  const { exp, operator, cases } = parsed;
  const operators = ['equals', 'range', 'regexp', 'size', 'presence'];
  if (typeof exp !== 'string' || (exp !== '' && !exp.startsWith('/'))) {
    say(`dispatcherRules of JSON_BODY has exp ${JSON.stringify(exp)}, which is no JSON pointer ("/country"); requests get the usual answer`);
    return undefined;
  }
  if (typeof operator !== 'string' || !operators.includes(operator)) {
    say(`dispatcherRules of JSON_BODY has operator ${JSON.stringify(operator)}; write one of ${operators.join(', ')}; requests get the usual answer`);
    return undefined;
  }
  if (!isObject(cases) || !Object.values(cases).every((v) => typeof v === 'string')) {
    say(`dispatcherRules of JSON_BODY needs cases naming response examples (${shape}); requests get the usual answer`);
    return undefined;
  }
  const named = cases as Record<string, string>;
  for (const [key, example] of Object.entries(named)) {
    if (!responses.has(example))
      say(`dispatcherRules of JSON_BODY: case ${JSON.stringify(key)} names "${example}", which is no response example of the operation`);
  }
  const evaluate = caseEvaluator(operator, named, say);
  return {
    names: new Set(Object.values(named).filter((example) => responses.has(example))),
    pick: (request) => {
      const body = typeof request.body === 'string' ? parseJson(request.body) : request.body;
      if (body === undefined || (typeof body !== 'object' && typeof request.body !== 'string')) return undefined;
      const found = evaluate(body === null ? undefined : getPointer(body, exp));
      return found !== undefined && responses.has(found) ? found : undefined;
    },
  };
}

/** The case `operator` picks for the value at the pointer (undefined: the pointer names nothing). */
function caseEvaluator(operator: string, cases: Readonly<Record<string, string>>, say: (message: string) => void): (node: unknown) => string | undefined {
  const fallback = cases.default;
  const keys = Object.keys(cases).filter((k) => k !== 'default');
  if (operator === 'equals') return (node) => cases[textOf(node)] ?? fallback;
  if (operator === 'presence') return (node) => (node === undefined ? cases.missing : cases.found) ?? fallback;
  if (operator === 'regexp') {
    const patterns: [RegExp, string][] = [];
    for (const key of keys) {
      try {
        patterns.push([new RegExp(`^(?:${key})$`), cases[key] as string]);
      } catch (error) {
        say(`dispatcherRules of JSON_BODY: case ${JSON.stringify(key)} is no regular expression (${(error as Error).message}); it is left out`);
      }
    }
    return (node) => {
      const text = textOf(node);
      return patterns.find(([pattern]) => pattern.test(text))?.[1] ?? fallback;
    };
  }
  const ranges: [(n: number) => boolean, string][] = [];
  for (const key of keys) {
    const range = rangeOf(key);
    if (range) ranges.push([range, cases[key] as string]);
    else say(`dispatcherRules of JSON_BODY: case ${JSON.stringify(key)} is no range like [0;10[ or ]10;100]; it is left out`);
  }
  const inRange = (n: number) => ranges.find(([test]) => test(n))?.[1] ?? fallback;
  if (operator === 'size') return (node) => (Array.isArray(node) ? inRange(node.length) : fallback);
  return (node) => {
    const text = textOf(node).trim();
    const n = text === '' ? Number.NaN : Number(text);
    return Number.isNaN(n) ? fallback : inRange(n);
  };
}

/** `[1;10]`, `]1;10[`…: brackets facing the numbers include them. */
function rangeOf(key: string): ((n: number) => boolean) | undefined {
  const match = /^([[\]])\s*(-?[\d.]+(?:e-?\d+)?)\s*;\s*(-?[\d.]+(?:e-?\d+)?)\s*([[\]])$/i.exec(key);
  if (!match) return undefined;
  const [, open, low, high, close] = match;
  const min = Number(low);
  const max = Number(high);
  if (Number.isNaN(min) || Number.isNaN(max)) return undefined;
  return (n) => (open === '[' ? n >= min : n > min) && (close === ']' ? n <= max : n < max);
}

/** A JSON value as Microcks reads it as text: strings as is, numbers and booleans written out, containers and nothing as ''. */
function textOf(node: unknown): string {
  if (node === undefined || (typeof node === 'object' && node !== null)) return '';
  return String(node);
}

/**
 * FALLBACK: `dispatcherRules` is `{ dispatcher, dispatcherRules, fallback }`: the inner dispatcher picks
 * the example, and a request it pairs with none gets the response example named `fallback`.
 * PROXY_FALLBACK's inner dispatcher is applied too; its proxy is not.
 */
function fallbackChooser(context: DispatchContext, name: string, rules: unknown): Chooser | undefined {
  const { say, responses } = context;
  const parsed = parseRules(rules);
  const shape = '{ "dispatcher": "URI_PARTS", "dispatcherRules": "id", "fallback": "unknown" }';
  if (!isObject(parsed) || typeof parsed.dispatcher !== 'string') {
    say(`dispatcherRules of ${name} is not JSON like ${shape}; examples are paired by their values instead`);
    return undefined;
  }
  const inner =
    parsed.dispatcher === 'FALLBACK' || parsed.dispatcher === 'PROXY_FALLBACK'
      ? undefined
      : dispatcherChooser(context, parsed.dispatcher, parsed.dispatcherRules);
  const chooser = inner ?? byValues(context, undefined);
  if (name === 'PROXY_FALLBACK') {
    say('dispatcher PROXY_FALLBACK: its dispatcher is applied, its proxy is not (use rest({ openapi, proxy }) for that)');
    return chooser;
  }
  const fallback = parsed.fallback;
  if (typeof fallback !== 'string' || !responses.has(fallback)) {
    const near = typeof fallback === 'string' ? nearest(fallback, [...responses.keys()], 1) : [];
    say(
      `FALLBACK names ${JSON.stringify(fallback)} as its fallback, which is no response example of the operation${near.length ? ` (did you mean "${near[0]}"?)` : ''}; a request its dispatcher pairs with nothing gets the usual answer`,
    );
    return chooser;
  }
  return { names: new Set([...chooser.names, fallback]), pick: (request) => chooser.pick(request) ?? fallback };
}

/** Rules written as JSON text (as Microcks takes them), or already as a YAML/JSON object. */
function parseRules(rules: unknown): unknown {
  return typeof rules === 'string' ? parseJson(rules) : rules;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `delay` in milliseconds with its `delayStrategy`: `fixed` (default), `random` (0 to delay), `random-20` (±20%). */
function delayOf(settings: JsonObject, say: (message: string) => void): DelaySpec | undefined {
  const { delay, delayStrategy } = settings;
  if (delay === undefined) return undefined;
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
    say(`x-microcks-operation.delay is ${JSON.stringify(delay)}; write a number of milliseconds; no delay is applied`);
    return undefined;
  }
  if (delayStrategy === undefined || delayStrategy === 'fixed') return delay;
  if (delayStrategy === 'random') return { min: 0, max: delay };
  const ranged = typeof delayStrategy === 'string' ? /^random-(\d+)$/i.exec(delayStrategy) : null;
  if (ranged) {
    const percent = Math.min(100, Number(ranged[1]));
    return { min: Math.round((delay * (100 - percent)) / 100), max: Math.round((delay * (100 + percent)) / 100) };
  }
  say(`x-microcks-operation.delayStrategy ${JSON.stringify(delayStrategy)} is not fixed, random or random-N; the delay is fixed`);
  return delay;
}

/** The request examples by name: path, query and header parameters (of the path item and the operation) and the request body. */
function requestExamplesOf(api: OpenApi, operation: ApiOperation): Map<string, RequestExample> {
  const found = new Map<string, RequestExample>();
  const exampleNamed = (name: string): RequestExample => {
    let example = found.get(name);
    if (!example) {
      example = { name, where: [], shared: true, path: new Map(), query: new Map(), headers: new Map(), body: undefined };
      found.set(name, example);
    }
    return example;
  };
  const pathItem = api.resolve(isObject(api.document.paths) ? api.document.paths[operation.path] : undefined);
  // The operation's own parameters first: one of the same name and place hides the path item's.
  const lists = [
    { nodes: operation.node.parameters, shared: false },
    { nodes: isObject(pathItem) ? pathItem.parameters : undefined, shared: true },
  ];
  const seen = new Set<string>();
  for (const { nodes, shared } of lists) {
    if (!Array.isArray(nodes)) continue;
    for (const node of nodes) {
      const parameter = api.resolve(node);
      if (!isObject(parameter) || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') continue;
      const { name, in: place } = parameter;
      if (seen.has(`${place}:${name}`)) continue;
      seen.add(`${place}:${name}`);
      const examples = parameter.examples === undefined ? undefined : api.resolve(parameter.examples);
      if (!isObject(examples) || (place !== 'path' && place !== 'query' && place !== 'header')) continue;
      const declared = operation.parameters.find((p) => p.name === name && p.in === place);
      for (const [exampleName, exampleNode] of Object.entries(examples)) {
        const value = resolvedExampleValue(api, exampleNode);
        if (value === undefined) continue;
        const example = exampleNamed(exampleName);
        example.where.push(`${place} parameter ${name}`);
        if (!shared) example.shared = false;
        if (place === 'path') example.path.set(routeParamName(name), paramText(value, ','));
        else if (place === 'header') example.headers.set(name.toLowerCase(), paramText(value, ','));
        else addQueryValues(example.query, name, value, declared?.style, declared?.explode ?? true);
      }
    }
  }
  const content = isObject(operation.requestBody) && isObject(operation.requestBody.content) ? operation.requestBody.content : {};
  for (const raw of Object.values(content)) {
    const media = api.resolve(raw);
    const examples = isObject(media) ? api.resolve(media.examples) : undefined;
    if (!isObject(examples)) continue;
    for (const [exampleName, node] of Object.entries(examples)) {
      const value = resolvedExampleValue(api, node);
      if (value === undefined) continue;
      const example = exampleNamed(exampleName);
      if (example.body) continue;
      example.shared = false;
      example.where.push('request body');
      example.body = { value };
    }
  }
  return found;
}

/** How a query example arrives: an array as repeated parameters (or one joined text when not exploded), an object's properties as parameters of their own. */
function addQueryValues(query: Map<string, string[]>, name: string, value: unknown, style: string | undefined, explode: boolean): void {
  const add = (key: string, text: string) => query.set(key, [...(query.get(key) ?? []), text].sort());
  if (Array.isArray(value)) {
    if (explode) for (const item of value) add(name, paramText(item, ','));
    else add(name, value.map((item) => paramText(item, ',')).join(style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ','));
  } else if (isObject(value) && style === 'deepObject') {
    for (const [key, item] of Object.entries(value)) add(`${name}[${key}]`, paramText(item, ','));
  } else if (isObject(value) && explode) {
    for (const [key, item] of Object.entries(value)) add(key, paramText(item, ','));
  } else add(name, paramText(value, ','));
}

/** A parameter value as the text a client sends (`simple` style: arrays joined by commas). */
function paramText(value: unknown, separator: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => paramText(item, separator)).join(separator);
  if (isObject(value)) return JSON.stringify(value);
  return String(value);
}

/** The value of an Example Object (or a `$ref` to one), or undefined (an `externalValue` is not read). */
function resolvedExampleValue(api: OpenApi, node: unknown): unknown {
  const example = api.resolve(node);
  return isObject(example) ? exampleValue(example) : undefined;
}

/** Documents naming Microcks anywhere: `info.x-microcks`, an operation's `x-microcks-operation`, a response's `x-microcks-refs`. */
const microcksDocuments = new WeakMap<object, boolean>();

function writtenForMicrocks(api: OpenApi): boolean {
  let written = microcksDocuments.get(api.document);
  if (written === undefined) {
    const info = api.document.info;
    written =
      (isObject(info) && info['x-microcks'] !== undefined) ||
      api.operations.some(
        (op) =>
          op.node['x-microcks-operation'] !== undefined ||
          Object.values(op.responses).some((response) => {
            const resolved = api.resolve(response);
            return isObject(resolved) && resolved['x-microcks-refs'] !== undefined;
          }),
      );
    microcksDocuments.set(api.document, written);
  }
  return written;
}

/** The names of the response examples of the other operations of the operation's path item. */
function siblingResponseNames(api: OpenApi, operation: ApiOperation): Set<string> {
  const names = new Set<string>();
  const pathItem = api.resolve(isObject(api.document.paths) ? api.document.paths[operation.path] : undefined);
  if (!isObject(pathItem)) return names;
  for (const node of Object.values(pathItem)) {
    const sibling = api.resolve(node);
    if (sibling === operation.node || !isObject(sibling) || !isObject(sibling.responses)) continue;
    for (const raw of Object.values(sibling.responses)) {
      const response = api.resolve(raw);
      if (!isObject(response)) continue;
      if (Array.isArray(response['x-microcks-refs'])) for (const name of response['x-microcks-refs']) if (typeof name === 'string') names.add(name);
      const content = isObject(response.content) ? response.content : {};
      for (const media of Object.values(content)) {
        const examples = isObject(api.resolve(media)) ? api.resolve((api.resolve(media) as JsonObject).examples) : undefined;
        if (isObject(examples)) for (const name of Object.keys(examples)) names.add(name);
      }
    }
  }
  return names;
}

/** The response examples by name: each status's media types' `examples`, and `x-microcks-refs` of responses without content. */
function responseExamplesOf(
  api: OpenApi,
  operation: ApiOperation,
  say: ((message: string) => void) | undefined,
  requests: ReadonlyMap<string, RequestExample>,
): Map<string, ResponseExample> {
  const found = new Map<string, ResponseExample>();
  const add = (example: ResponseExample) => {
    const known = found.get(example.name);
    if (!known) found.set(example.name, example);
    else if (say && known.status !== example.status && requests.has(example.name)) {
      say(`response example "${example.name}" is under both ${known.status} and ${example.status}; a request paired with it gets ${known.status}`);
    }
  };
  for (const [status, raw] of Object.entries(operation.responses)) {
    const response = api.resolve(raw);
    if (!isObject(response)) continue;
    const content = isObject(response.content) ? response.content : {};
    for (const [mediaType, rawMedia] of Object.entries(content)) {
      const media = api.resolve(rawMedia);
      const examples = isObject(media) ? api.resolve(media.examples) : undefined;
      if (isObject(examples)) for (const name of Object.keys(examples)) add({ name, status, mediaType });
    }
    const refs = response['x-microcks-refs'];
    if (refs === undefined) continue;
    if (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string')) {
      say?.(`responses.${status}.x-microcks-refs is not a list of example names; it is ignored`);
      continue;
    }
    for (const name of refs as string[]) add({ name, status, mediaType: undefined });
  }
  return found;
}
