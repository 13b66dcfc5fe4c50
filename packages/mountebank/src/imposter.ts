import { isRecord } from '@mockstack/core';
import { badData, type MountebankError } from './errors.js';
import { FIELDS, OPERATORS, PARAMETERS } from './predicates.js';
import type { MountebankProxy } from './proxy-recording.js';
import { xpathProblem } from './xpath.js';

/** A Mountebank imposter as `POST /imposters`, `mb save` and `mb --configfile` have it (the http/https parts mockstack serves). */
export interface MountebankImposter {
  protocol: string;
  port?: number;
  name?: string;
  stubs?: MountebankStub[];
  /** What a request no stub matches is answered (Mountebank: 200, no body), field by field under each response. */
  defaultResponse?: MountebankIs;
  recordRequests?: boolean;
}

/** A stub: every predicate must hold (none: every request); its responses answer in turn, round-robin. */
export interface MountebankStub {
  predicates?: unknown[];
  responses?: MountebankResponse[];
}

/** One response of a stub: `is`, `proxy` or `fault`, with behaviours (`wait`, `copy`) and `repeat`. */
export interface MountebankResponse {
  is?: MountebankIs;
  proxy?: MountebankProxy;
  fault?: string;
  repeat?: number;
  behaviors?: Record<string, unknown>[];
  _behaviors?: Record<string, unknown>;
}

export interface MountebankIs {
  statusCode?: number | string;
  headers?: Record<string, string | string[]>;
  /** Text, or JSON (sent indented as Mountebank does). */
  body?: unknown;
  /** `binary`: the body is base64 of the bytes to send. */
  _mode?: 'text' | 'binary';
  /** How long the real service took: set on an answer a proxy recorded (`DELETE …/savedProxyResponses` removes those). */
  _proxyResponseTime?: number;
}

/** A `copy` behaviour: a value taken from the request (by regex, JSONPath or XPath) replaces a token in the response. */
export interface CopyBehavior {
  from: string | Record<string, unknown>;
  into: string;
  using: { method: 'regex' | 'jsonpath' | 'xpath'; selector: string; ns?: Record<string, string>; options?: { ignoreCase?: boolean; multiline?: boolean } };
}

/** The faults mockstack answers (Mountebank's http faults). */
export const FAULTS = ['CONNECTION_RESET_BY_PEER', 'RANDOM_DATA_THEN_CLOSE'] as const;
/** Imposter keys that change nothing mockstack serves (Mountebank's own output, CORS which mockstack answers anyway). */
const IGNORED_IMPOSTER_KEYS = ['_links', 'numberOfRequests', 'requests', 'allowCORS', 'savedRequests'];
const IMPOSTER_KEYS = ['protocol', 'port', 'name', 'stubs', 'defaultResponse', 'recordRequests', ...IGNORED_IMPOSTER_KEYS];
const NOT_HONOURED: Record<string, string> = {
  inject: 'JavaScript injection (inject) is not run by mockstack: write the logic as a handler in a scenario (rest.get(path, (ctx) => …))',
  shellTransform: 'the shellTransform behaviour is not run by mockstack: write the logic as a handler in a scenario',
  decorate: 'the decorate behaviour (JavaScript) is not run by mockstack: write the logic as a handler in a scenario',
  lookup: 'the lookup behaviour (CSV data sources) is not supported: put the rows in the scenario state and answer from a handler',
  endOfRequestResolver: 'endOfRequestResolver is JavaScript injection, not run by mockstack',
  key: 'https certificates of an imposter are not used: give the REST service `tls` in the scenario',
  cert: 'https certificates of an imposter are not used: give the REST service `tls` in the scenario',
  mutualAuth: 'mutualAuth is not supported',
};

/** How `checkImposter` judges an imposter. */
export interface CheckOptions {
  /**
   * Whether proxies may record (`proxyOnce`, `proxyAlways`): the live `/imposters` API keeps the answers
   * as new stubs; a scenario's imposter (`mountebank.rules`, `mockstack up`, `import`) has nowhere to. Default false.
   */
  records?: boolean;
}

/** What `checkImposter` found: problems of the imposter itself, of each stub by index, and keys ignored. */
export interface ImposterCheck {
  errors: MountebankError[];
  stubs: Map<number, MountebankError[]>;
  /** Keys neither mockstack nor Mountebank reads (a `comment`), ignored as Mountebank ignores them. */
  ignored: string[];
}

/** A key no one reads: ignored, as Mountebank ignores it (its documentation writes `comment`s into predicates). */
function ignoredKey(what: string): MountebankError {
  return { code: 'ignored', message: `${what} is ignored (neither Mountebank nor mockstack reads it)`, ignored: true };
}

/** The problems that refuse (those that are not merely ignored keys). */
export function refusing(problems: readonly MountebankError[]): MountebankError[] {
  return problems.filter((problem) => !problem.ignored);
}

/**
 * Checks an imposter as Mountebank's API would, and for what mockstack cannot honour: every problem
 * in words naming where it is (`stub 2, predicate 0`). An imposter with no problems is safe to serve.
 */
export function checkImposter(value: unknown, where = 'the imposter', options: CheckOptions = {}): ImposterCheck {
  const check: ImposterCheck = { errors: [], stubs: new Map(), ignored: [] };
  if (!isRecord(value)) {
    check.errors.push(badData(`${where} must be a JSON object with "protocol", "port" and "stubs"`));
    return check;
  }
  const { protocol, port } = value;
  if (protocol === undefined) check.errors.push(badData(`${where}: 'protocol' is a required field`));
  else if (protocol !== 'http' && protocol !== 'https')
    check.errors.push(
      badData(
        `${where}: the ${JSON.stringify(protocol)} protocol is not supported by mockstack (it serves http and https imposters as REST services; tcp and smtp are not)`,
      ),
    );
  if (port !== undefined && !(Number.isInteger(port) && Number(port) > 0 && Number(port) < 65536))
    check.errors.push(badData(`${where}: invalid value for 'port' (${JSON.stringify(port)}): a whole number from 1 to 65535`));
  if (value.name !== undefined && typeof value.name !== 'string') check.errors.push(badData(`${where}: 'name' must be a string`));
  if (value.recordRequests !== undefined && typeof value.recordRequests !== 'boolean')
    check.errors.push(badData(`${where}: 'recordRequests' must be true or false`));
  if (value.defaultResponse !== undefined) check.errors.push(...isProblems(value.defaultResponse, `${where}, defaultResponse`));
  for (const key of Object.keys(value)) {
    if (IMPOSTER_KEYS.includes(key)) continue;
    check.errors.push(NOT_HONOURED[key] ? badData(`${where}: ${NOT_HONOURED[key]}`) : ignoredKey(`${where}: '${key}'`));
  }
  check.ignored.push(...check.errors.filter((p) => p.ignored).map((p) => p.message));
  check.errors = refusing(check.errors);
  if (value.stubs !== undefined && !Array.isArray(value.stubs)) check.errors.push(badData(`${where}: 'stubs' must be an array`));
  else
    (value.stubs ?? []).forEach((stub: unknown, i: number) => {
      const problems = stubProblems(stub, `${where}, stub ${i}`, options);
      check.ignored.push(...problems.filter((p) => p.ignored).map((p) => p.message));
      if (refusing(problems).length) check.stubs.set(i, refusing(problems));
    });
  return check;
}

/** Every problem of one stub, in words naming where it is. */
export function stubProblems(stub: unknown, where: string, options: CheckOptions = {}): MountebankError[] {
  if (!isRecord(stub)) return [badData(`${where} must be an object with "predicates" and "responses"`)];
  const problems: MountebankError[] = [];
  for (const key of Object.keys(stub)) if (!['predicates', 'responses', '_links', 'matches'].includes(key)) problems.push(ignoredKey(`${where}: '${key}'`));
  if (stub.predicates !== undefined) {
    if (!Array.isArray(stub.predicates)) problems.push(badData(`${where}: 'predicates' must be an array`));
    else problems.push(...stub.predicates.flatMap((p: unknown, i: number) => predicateProblems(p, `${where}, predicate ${i}`)));
  }
  if (stub.responses !== undefined) {
    if (!Array.isArray(stub.responses)) problems.push(badData(`${where}: 'responses' must be an array`));
    else problems.push(...stub.responses.flatMap((r: unknown, i: number) => responseProblems(r, `${where}, response ${i}`, options)));
  }
  return problems;
}

/** Every problem of one predicate (and those it holds). */
export function predicateProblems(predicate: unknown, where: string): MountebankError[] {
  const invalid = (message: string) => ({ code: 'bad data', message: `${where}: ${message}` });
  if (!isRecord(predicate)) return [invalid('a predicate is an object such as { "equals": { "path": "/orders" } }')];
  const problems: MountebankError[] = [];
  const operators = Object.keys(predicate).filter((key) => (OPERATORS as readonly string[]).includes(key) || key === 'inject');
  if (operators.length === 0) return [invalid(`missing predicate: give one of ${OPERATORS.join(', ')}; got ${Object.keys(predicate).join(', ') || 'none'}`)];
  if (operators.length > 1) problems.push(invalid(`one operator per predicate; got ${operators.join(' and ')} (combine them with "and")`));
  for (const key of Object.keys(predicate)) {
    if (operators.includes(key)) continue;
    if (NOT_HONOURED[key]) problems.push(invalid(NOT_HONOURED[key]));
    else if (!(PARAMETERS as readonly string[]).includes(key)) problems.push(ignoredKey(`${where}: '${key}'`));
  }
  for (const flag of ['caseSensitive', 'keyCaseSensitive'])
    if (predicate[flag] !== undefined && typeof predicate[flag] !== 'boolean') problems.push(invalid(`'${flag}' must be true or false`));
  if (predicate.except !== undefined) {
    if (typeof predicate.except !== 'string') problems.push(invalid(`'except' must be a regular expression (a string)`));
    else problems.push(...regexProblems(predicate.except, where));
  }
  if (predicate.jsonpath !== undefined && !(isRecord(predicate.jsonpath) && typeof predicate.jsonpath.selector === 'string'))
    problems.push(invalid(`'jsonpath' must be { "selector": "$.path" }`));
  if (predicate.xpath !== undefined) {
    const problem = xpathProblem(predicate.xpath);
    if (problem) problems.push(invalid(problem));
  }
  const operator = operators[0] as string;
  const value = predicate[operator];
  switch (operator) {
    case 'inject':
      problems.push(invalid(NOT_HONOURED.inject as string));
      break;
    case 'not':
      problems.push(...predicateProblems(value, `${where}, not`));
      break;
    case 'or':
    case 'and':
      if (!Array.isArray(value)) problems.push(invalid(`'${operator}' takes an array of predicates`));
      else problems.push(...value.flatMap((sub: unknown, i: number) => predicateProblems(sub, `${where}, ${operator}[${i}]`)));
      break;
    default: {
      if (!isRecord(value)) {
        problems.push(invalid(`'${operator}' takes an object of request fields, e.g. { "${operator}": { "path": "/orders" } }; got ${JSON.stringify(value)}`));
        break;
      }
      for (const field of Object.keys(value))
        if (!(FIELDS as readonly string[]).includes(field))
          problems.push(invalid(`'${field}' is not a field of an http request (${FIELDS.join(', ')}; requestFrom and ip are not known to mockstack)`));
      if (operator === 'matches') for (const source of strings(value)) problems.push(...regexProblems(source, where));
    }
  }
  return problems;
}

/** Every problem of one response. */
export function responseProblems(response: unknown, where: string, options: CheckOptions = {}): MountebankError[] {
  const invalid = (message: string) => badData(`${where}: ${message}`);
  if (!isRecord(response)) return [invalid('a response is an object such as { "is": { "statusCode": 200 } }')];
  const problems: MountebankError[] = [];
  const kinds = ['is', 'proxy', 'fault', 'inject'].filter((key) => response[key] !== undefined);
  if (kinds.length > 1) problems.push(invalid(`a response has one of is, proxy, fault; got ${kinds.join(' and ')}`));
  for (const key of Object.keys(response))
    if (!['is', 'proxy', 'fault', 'inject', 'repeat', 'behaviors', '_behaviors'].includes(key)) problems.push(ignoredKey(`${where}: '${key}'`));
  if (response.inject !== undefined) problems.push(invalid(NOT_HONOURED.inject as string));
  const copies = JSON.stringify([response.behaviors, response._behaviors]).includes('"copy"');
  if (response.is !== undefined) problems.push(...isProblems(response.is, `${where}, is`, copies));
  if (response.fault !== undefined && !(FAULTS as readonly string[]).includes(response.fault as string))
    problems.push(invalid(`fault ${JSON.stringify(response.fault)}: mockstack answers ${FAULTS.join(' and ')}`));
  if (response.proxy !== undefined) problems.push(...proxyProblems(response.proxy, where, options.records === true));
  if (response.repeat !== undefined && !(Number.isInteger(response.repeat) && Number(response.repeat) > 0))
    problems.push(invalid(`'repeat' must be a whole number above 0; got ${JSON.stringify(response.repeat)}`));
  const behaviors: [string, unknown][] = [];
  if (response.behaviors !== undefined) {
    if (!Array.isArray(response.behaviors)) problems.push(invalid(`'behaviors' must be an array, e.g. [{ "wait": 500 }]`));
    else for (const item of response.behaviors) behaviors.push(...(isRecord(item) ? Object.entries(item) : [['?', item] as [string, unknown]]));
  }
  if (response._behaviors !== undefined) {
    if (!isRecord(response._behaviors)) problems.push(invalid(`'_behaviors' must be an object`));
    else behaviors.push(...Object.entries(response._behaviors));
  }
  for (const [name, config] of behaviors) problems.push(...behaviorProblems(name, config, where));
  return problems;
}

function behaviorProblems(name: string, config: unknown, where: string): MountebankError[] {
  const invalid = (message: string) => badData(`${where}: ${message}`);
  switch (name) {
    case 'wait':
      return waitMs(config) === undefined
        ? [
            invalid(
              typeof config === 'string'
                ? `a wait given as JavaScript (${config.slice(0, 40)}) is injection, not run by mockstack: give milliseconds`
                : `'wait' takes milliseconds; got ${JSON.stringify(config)}`,
            ),
          ]
        : [];
    case 'repeat':
      return Number.isInteger(config) && Number(config) > 0 ? [] : [invalid(`'repeat' must be a whole number above 0; got ${JSON.stringify(config)}`)];
    case 'copy':
      return (Array.isArray(config) ? config : [config]).flatMap((item) => copyProblems(item, where));
    default:
      return [invalid(NOT_HONOURED[name] ?? `'${name}' is not a behaviour mockstack knows (wait, repeat, copy)`)];
  }
}

function copyProblems(copy: unknown, where: string): MountebankError[] {
  const invalid = (message: string) => badData(`${where}, copy: ${message}`);
  if (!isRecord(copy)) return [invalid('copy takes { "from": "path", "into": "$ID", "using": { "method": "regex", "selector": ".*" } }')];
  const problems: MountebankError[] = [];
  if (!(typeof copy.from === 'string' || (isRecord(copy.from) && Object.keys(copy.from).length === 1)))
    problems.push(invalid(`'from' names a request field ("path", or { "query": "name" })`));
  if (typeof copy.into !== 'string' || copy.into === '') problems.push(invalid(`'into' is the token to replace in the response, e.g. "\${ID}"`));
  const using = copy.using;
  if (!isRecord(using) || typeof using.selector !== 'string')
    problems.push(invalid(`'using' is { "method": "regex", "jsonpath" or "xpath", "selector": "…" }`));
  else if (using.method === 'xpath') {
    const problem = xpathProblem(using);
    if (problem) problems.push(invalid(problem));
  } else if (using.method !== 'regex' && using.method !== 'jsonpath')
    problems.push(invalid(`using.method ${JSON.stringify(using.method)}: mockstack copies by regex, jsonpath or xpath`));
  else if (using.method === 'regex') problems.push(...regexProblems(using.selector, where));
  return problems;
}

function proxyProblems(proxy: unknown, where: string, records: boolean): MountebankError[] {
  const invalid = (message: string) => ({ code: 'invalid proxy', message: `${where}: ${message}` });
  if (!isRecord(proxy) || typeof proxy.to !== 'string') return [invalid(`a proxy is { "to": "http://host:port", "mode": "proxyTransparent" }`)];
  try {
    new URL(proxy.to);
  } catch {
    return [invalid(`proxy.to ${JSON.stringify(proxy.to)} is not a URL`)];
  }
  const problems: MountebankError[] = [];
  const mode = proxy.mode ?? 'proxyOnce';
  if (!PROXY_MODES.includes(mode as string)) problems.push(invalid(`proxy mode ${JSON.stringify(mode)}: one of ${PROXY_MODES.join(', ')}`));
  else if (mode !== 'proxyTransparent' && !records)
    problems.push(
      invalid(
        `proxy mode ${JSON.stringify(mode)} records answers into new stubs, which only the live /imposters API keeps: here use "mode": "proxyTransparent" (every request forwarded), or record with \`mockstack record --target ${proxy.to}\``,
      ),
    );
  if (proxy.injectHeaders !== undefined && !(isRecord(proxy.injectHeaders) && Object.values(proxy.injectHeaders).every((v) => typeof v === 'string')))
    problems.push(invalid(`proxy.injectHeaders maps header names to values, e.g. { "authorization": "Bearer x" }`));
  if (proxy.addWaitBehavior !== undefined && typeof proxy.addWaitBehavior !== 'boolean') problems.push(invalid(`proxy.addWaitBehavior must be true or false`));
  if (proxy.addDecorateBehavior !== undefined) problems.push(invalid(`proxy.addDecorateBehavior is JavaScript (a decorate behaviour), not run by mockstack`));
  if (proxy.predicateGenerators !== undefined) {
    if (!Array.isArray(proxy.predicateGenerators)) problems.push(invalid(`proxy.predicateGenerators must be an array, e.g. [{ "matches": { "path": true } }]`));
    else
      problems.push(
        ...proxy.predicateGenerators.flatMap((generator: unknown, i: number) => generatorProblems(generator, `${where}, predicateGenerators[${i}]`)),
      );
  }
  for (const key of Object.keys(proxy))
    if (!['to', 'mode', 'predicateGenerators', 'injectHeaders', 'addWaitBehavior', 'addDecorateBehavior'].includes(key))
      problems.push(invalid(`proxy.${key} is not supported (mockstack forwards requests as they came)`));
  return problems;
}

/** The proxy modes Mountebank has: forward every time, or record the first answer (per generated predicates) or every answer. */
const PROXY_MODES: readonly string[] = ['proxyOnce', 'proxyAlways', 'proxyTransparent'];

/** Every problem of one `predicateGenerators` entry: `matches` (fields set to true) with predicate parameters. */
function generatorProblems(generator: unknown, where: string): MountebankError[] {
  const invalid = (message: string) => ({ code: 'invalid proxy', message: `${where}: ${message}` });
  if (!isRecord(generator)) return [invalid('a predicate generator is an object such as { "matches": { "path": true } }')];
  if (generator.inject !== undefined) return [invalid('a predicate generator given as JavaScript (inject) is not run by mockstack')];
  if (generator.predicateOperator !== undefined)
    return [invalid('predicateOperator is not supported: mockstack generates the equals and deepEquals predicates Mountebank does by default')];
  const problems: MountebankError[] = [];
  if (!isRecord(generator.matches)) problems.push(invalid(`'matches' is required: the request fields to match on, e.g. { "method": true, "path": true }`));
  else
    for (const field of Object.keys(generator.matches))
      if (!(FIELDS as readonly string[]).includes(field)) problems.push(invalid(`'${field}' is not a field of an http request (${FIELDS.join(', ')})`));
  for (const key of Object.keys(generator))
    if (key !== 'matches' && key !== 'ignore' && !(PARAMETERS as readonly string[]).includes(key)) problems.push(ignoredKey(`${where}: '${key}'`));
  if (generator.xpath !== undefined) {
    const problem = xpathProblem(generator.xpath);
    if (problem) problems.push(invalid(problem));
  }
  if (generator.jsonpath !== undefined && !(isRecord(generator.jsonpath) && typeof generator.jsonpath.selector === 'string'))
    problems.push(invalid(`'jsonpath' must be { "selector": "$.path" }`));
  if (generator.except !== undefined) {
    if (typeof generator.except !== 'string') problems.push(invalid(`'except' must be a regular expression (a string)`));
    else problems.push(...regexProblems(generator.except, where));
  }
  return problems;
}

function isProblems(is: unknown, where: string, copies = false): MountebankError[] {
  const invalid = (message: string) => badData(`${where}: ${message}`);
  if (!isRecord(is)) return [invalid(`must be an object such as { "statusCode": 200, "body": "…" }`)];
  const problems: MountebankError[] = [];
  for (const key of Object.keys(is))
    if (!['statusCode', 'headers', 'body', '_mode', '_proxyResponseTime'].includes(key)) problems.push(ignoredKey(`${where}: '${key}'`));
  // A statusCode of text may be a token a `copy` fills in ("${code}"): checked when answering.
  if (is.statusCode !== undefined && !(typeof is.statusCode === 'string' && !/^\s*\d+\s*$/.test(is.statusCode) && copies)) {
    const status = Number(is.statusCode);
    if (!(Number.isInteger(status) && status >= 100 && status <= 599))
      problems.push(invalid(`statusCode must be an HTTP status (100–599); got ${JSON.stringify(is.statusCode)}`));
  }
  if (is.headers !== undefined) {
    if (!isRecord(is.headers)) problems.push(invalid(`'headers' must be an object of names and values`));
    else
      for (const [name, value] of Object.entries(is.headers))
        if (!(typeof value === 'string' || typeof value === 'number' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))))
          problems.push(invalid(`header ${name} must be a string (or a list of strings)`));
  }
  if (is._mode !== undefined && is._mode !== 'text' && is._mode !== 'binary') problems.push(invalid(`_mode is "text" or "binary"`));
  if (is._mode === 'binary' && typeof is.body !== 'string' && is.body !== undefined) problems.push(invalid(`a binary body is a base64 string`));
  return problems;
}

/** Milliseconds of a `wait` (a number or a numeric string); undefined for anything else (JavaScript). */
export function waitMs(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function regexProblems(source: string, where: string): MountebankError[] {
  try {
    new RegExp(source);
    return [];
  } catch (error) {
    return [badData(`${where}: the regular expression ${JSON.stringify(source)} does not compile in JavaScript: ${(error as Error).message}`)];
  }
}

/** Every string inside a value (the regexes of a `matches`). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isRecord(value)) return Object.values(value).flatMap(strings);
  return [];
}
