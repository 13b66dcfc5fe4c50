import { decodeBody, isRecord, parseJsonOrUndefined } from '@mockstack/core';
import { compileMatcher, compileMultipartPattern, compileValuesMatcher, type MatcherCondition, plainJsonPath } from './matchers.js';

/**
 * WireMock's stub mapping JSON read as plain data: which requests it takes (method, URL, matchers on
 * query, headers and body) and what it answers. `mockstack import` writes the result as scenario code;
 * the admin API serves it as live rules. What a stub says that is not read is listed in words.
 */

/**
 * A value a matcher compares with: equal to it, matching a `{ regex }` (or, `negate`d, present and not
 * matching it), or `{ absent }`: missing (true) or there with any value (false).
 */
export type MatchValue = string | number | boolean | null | { regex: string; flags?: string; negate?: true } | { absent: boolean };

/** A test of a string: it holds, matches (a whole-text regex), or does not match. */
export type TextTest = { contains: string } | { matches: string } | { doesNotMatch: string } | { equalTo: string };

/** A condition on the body: on its text, or on the value at `path` in its JSON (present, or passing a test). */
export type BodyCondition = { text: TextTest } | { path: (string | number)[]; test?: TextTest; absent?: boolean };

/** What a request must have: path parameters, query, headers, and the body in one of several ways. */
export interface StubMatch {
  /** Path parameters, e.g. `'*'` of a wildcard route. */
  params?: Record<string, MatchValue>;
  query?: Record<string, MatchValue>;
  headers?: Record<string, MatchValue>;
  /** Partial match on the JSON body (or GraphQL variables, gRPC message). */
  body?: unknown;
  /** The body must equal this value exactly. */
  bodyEquals?: unknown;
  /** Conditions on the body's text or on a value at a path in its JSON (WireMock's contains, matches, matchesJsonPath). */
  bodyConditions?: BodyCondition[];
  /** WireMock matchers evaluated as WireMock does, where no form above says the same (and/or/not, hasExactly, dates, numbers, XML). */
  matchers?: MatcherCondition[];
}

/** One HTTP answer: status, headers, body (JSON value or text). */
export interface StubAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How long to wait before answering: milliseconds, a uniform range, or a long-tailed (lognormal) spread. */
  delay?: number | { min: number; max: number } | { median: number; sigma: number };
  /** The connection fails instead of answering: reset, closed empty, or cut by a malformed chunk after half the body. */
  fault?: 'drop' | 'empty' | 'malformedChunk';
  /** The body arrives in `chunks` pieces spread over `overMs`. */
  dribble?: { chunks: number; overMs: number };
  /** The body's strings and the header values are response templates, rendered per request (WireMock's response-template). */
  template?: boolean;
  /** The request is sent on to the real service at `baseUrl` and its answer is the answer (WireMock's `proxyBaseUrl`). */
  proxy?: StubProxy;
  /** Its `bodyFileName` is not there (see `BodyFiles.whenMissing`): it answers 500 with this message. */
  missingBodyFile?: string;
}

/** Where a stub proxies its requests to, and how it changes them on the way. */
export interface StubProxy {
  /** `http://host:port` (and a base path) the request's path and query are appended to. */
  baseUrl: string;
  /** Headers set on the request sent on. */
  headers?: Record<string, string>;
  /** Headers (lower-case) taken off the request sent on. */
  removeHeaders?: string[];
  /** A prefix taken off the request's path before it is appended. */
  stripPrefix?: string;
}

/** An outbound call WireMock makes after answering (its `webhook` post-serve action). */
export interface StubWebhook {
  url: string;
  /** Default POST. */
  method: string;
  headers?: Record<string, string>;
  /** Sent as it is. */
  body?: string;
  delay?: StubAnswer['delay'];
}

/** How a stub names the requests' URL. */
export type StubUrl =
  /** Path and query, exactly. */
  | { kind: 'url'; url: string }
  /** The path exactly, any query. */
  | { kind: 'urlPath'; path: string }
  /** WireMock 3's `/users/{id}`; its `pathParameters` are in the match's `params`. */
  | { kind: 'urlPathTemplate'; template: string }
  /** A regex over the whole path. */
  | { kind: 'urlPathPattern'; pattern: string }
  /** A regex over the path and query. */
  | { kind: 'urlPattern'; pattern: string }
  /** No URL: every path. */
  | { kind: 'any' };

/** A WireMock stub mapping as read: what it takes, what it answers, its scenario step, and what was not read. */
export interface ParsedStub {
  /** Upper-case; `ANY` for every method. */
  method: string;
  url: StubUrl;
  match: StubMatch;
  answer: StubAnswer;
  /** WireMock's priority: the lower answers first (default 5). */
  priority: number;
  name?: string;
  /** The WireMock scenario (a state machine) the stub belongs to: the state it needs, the state it moves to. */
  scenario?: { name: string; requiredState?: string; newState?: string };
  /** Webhooks called after the answer (`postServeActions` / `serveEventListeners` named `webhook`). */
  webhooks?: StubWebhook[];
  /** Each part of the stub that is not translated, in words. */
  untranslated: string[];
}

/** The stub mapping as WireMock's JSON has it (the parts read). */
export interface WiremockStub {
  id?: string;
  uuid?: string;
  name?: string;
  priority?: number;
  scenarioName?: string;
  requiredScenarioState?: string;
  newScenarioState?: string;
  request?: Record<string, unknown>;
  response?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** WireMock 2's listeners: `[{ name, parameters }]`, or `{ name: parameters }`. */
  postServeActions?: unknown;
  /** WireMock 3's listeners: `[{ name, parameters }]`. */
  serveEventListeners?: unknown;
}

/** Where a stub's `bodyFileName` is read from (WireMock's `__files`). */
export interface BodyFiles {
  /** The file's bytes, or undefined when there is none of that name. */
  read(name: string): Uint8Array | undefined;
  /** The folder, as messages name it. */
  where: string;
  /**
   * A `bodyFileName` that is not there: the mapping is refused (`refuse`, the default), or served
   * answering 500 naming the file (`answer`), as WireMock serves the mappings of its root.
   */
  whenMissing?: 'refuse' | 'answer';
}

const REQUEST_KEYS = [
  'method',
  'url',
  'urlPath',
  'urlPathPattern',
  'urlPattern',
  'urlPathTemplate',
  'pathParameters',
  'queryParameters',
  'headers',
  'cookies',
  'basicAuthCredentials',
  'formParameters',
  'bodyPatterns',
  'multipartPatterns',
];
const RESPONSE_KEYS = [
  'status',
  'headers',
  'jsonBody',
  'body',
  'bodyFileName',
  'base64Body',
  'fixedDelayMilliseconds',
  'delayDistribution',
  'fault',
  'chunkedDribbleDelay',
  'statusMessage',
  'transformers',
  'proxyBaseUrl',
  'additionalProxyRequestHeaders',
  'removeProxyRequestHeaders',
  'proxyUrlPrefixToRemove',
];

/**
 * Reads one WireMock stub mapping. `bodyFiles` is where `bodyFileName` is looked for; without it a
 * `bodyFileName` is untranslated. `binaryBodies`: a binary body (`base64Body`, a file that is not
 * text) is kept as bytes, for live rules; else (a scenario's code) it is untranslated.
 */
export function parseStub(stub: WiremockStub, bodyFiles?: BodyFiles, binaryBodies = false): ParsedStub {
  const untranslated: string[] = [];
  const request = stub.request ?? {};
  const response = stub.response ?? {};
  const match: StubMatch = {};
  const url = stubUrl(request);
  if (url.kind === 'urlPathTemplate' && isRecord(request.pathParameters)) {
    for (const [name, pattern] of Object.entries(request.pathParameters)) {
      const value = valuePattern(pattern);
      if (value !== undefined) match.params = { ...match.params, [name]: value };
      else if (compileValuesMatcher(pattern, untranslated, `path parameter ${name}`))
        addMatcher(match, { on: 'params', name, matcher: pattern as MatcherCondition['matcher'] });
    }
  }
  for (const [kind, key] of [
    ['query', 'queryParameters'],
    ['headers', 'headers'],
  ] as const) {
    const patterns = request[key];
    if (!isRecord(patterns)) continue;
    for (const [name, pattern] of Object.entries(patterns)) {
      const value = valuePattern(pattern);
      if (value !== undefined) match[kind] = { ...match[kind], [name]: value };
      else if (compileValuesMatcher(pattern, untranslated, `${kind === 'query' ? 'query parameter' : 'header'} ${name}`))
        addMatcher(match, { on: kind, name, matcher: pattern as MatcherCondition['matcher'] });
    }
  }
  const cookie = cookiePattern(request.cookies, untranslated);
  const credentials = basicAuthorization(request.basicAuthCredentials, untranslated);
  for (const [name, value] of [
    ['cookie', cookie],
    ['authorization', credentials],
  ] as const) {
    if (value === undefined) continue;
    if (Object.keys(match.headers ?? {}).some((header) => header.toLowerCase() === name))
      untranslated.push(`the header ${name} is matched twice (headers and ${name === 'cookie' ? 'cookies' : 'basicAuthCredentials'}): give one`);
    else match.headers = { ...match.headers, [name]: value };
  }
  for (const condition of formConditions(request.formParameters, untranslated)) match.bodyConditions = [...(match.bodyConditions ?? []), condition];
  for (const pattern of Array.isArray(request.bodyPatterns) ? request.bodyPatterns : []) {
    if (!isRecord(pattern)) continue;
    if (pattern.equalToJson !== undefined) {
      const json = typeof pattern.equalToJson === 'string' ? parseJsonOrUndefined(pattern.equalToJson) : pattern.equalToJson;
      if (json === undefined) untranslated.push(`body pattern ${JSON.stringify(pattern)}: equalToJson must be JSON`);
      // json-unit's placeholders: evaluated by the matcher (a rule's body match is plain data).
      else if (JSON.stringify(json).includes('${json-unit')) {
        if (compileMatcher(pattern, untranslated, `body pattern ${JSON.stringify(pattern)}`)) addMatcher(match, { on: 'body', matcher: pattern });
      } else if (pattern.ignoreExtraElements || pattern.ignoreArrayOrder) match.body = json;
      else match.bodyEquals = json;
    } else {
      // `equalTo` too: on the text as sent (a JSON body's own spacing), not on the parsed value.
      const condition = bodyCondition(pattern);
      if (condition) match.bodyConditions = [...(match.bodyConditions ?? []), condition];
      else if (compileMatcher(pattern, untranslated, `body pattern ${JSON.stringify(pattern)}`)) addMatcher(match, { on: 'body', matcher: pattern });
    }
  }
  if (request.multipartPatterns !== undefined) {
    if (!Array.isArray(request.multipartPatterns)) untranslated.push('request.multipartPatterns must be a list of multipart patterns');
    else
      request.multipartPatterns.forEach((pattern, i) => {
        if (compileMultipartPattern(pattern, untranslated, `multipartPatterns[${i}]`))
          addMatcher(match, { on: 'multipart', matcher: pattern as MatcherCondition['matcher'] });
      });
  }
  for (const key of Object.keys(request)) if (!REQUEST_KEYS.includes(key)) untranslated.push(`request.${key} is not translated`);

  const answer = stubAnswer(response, bodyFiles, binaryBodies, untranslated);
  const parsed: ParsedStub = {
    method: typeof request.method === 'string' ? request.method.toUpperCase() : 'ANY',
    url,
    match,
    answer,
    priority: typeof stub.priority === 'number' ? stub.priority : 5,
    untranslated,
  };
  const webhooks = stubWebhooks(stub, untranslated);
  if (webhooks.length) parsed.webhooks = webhooks;
  if (typeof stub.name === 'string') parsed.name = stub.name;
  if (typeof stub.scenarioName === 'string') {
    parsed.scenario = {
      name: stub.scenarioName,
      ...(typeof stub.requiredScenarioState === 'string' && { requiredState: stub.requiredScenarioState }),
      ...(typeof stub.newScenarioState === 'string' && { newState: stub.newScenarioState }),
    };
  }
  return parsed;
}

function addMatcher(match: StubMatch, condition: MatcherCondition): void {
  match.matchers = [...(match.matchers ?? []), condition];
}

/** Regexes of the stub that do not compile, in words. */
export function regexProblems(parsed: ParsedStub): string[] {
  const sources: string[] = [];
  if (parsed.url.kind === 'urlPattern' || parsed.url.kind === 'urlPathPattern') sources.push(parsed.url.pattern);
  for (const values of [parsed.match.params, parsed.match.query, parsed.match.headers])
    for (const value of Object.values(values ?? {})) if (typeof value === 'object' && value !== null && 'regex' in value) sources.push(value.regex);
  for (const condition of parsed.match.bodyConditions ?? []) {
    const test = 'text' in condition ? condition.text : condition.test;
    if (test && 'matches' in test) sources.push(test.matches);
    if (test && 'doesNotMatch' in test) sources.push(test.doesNotMatch);
  }
  return sources.flatMap((source) => {
    try {
      new RegExp(source);
      return [];
    } catch (error) {
      return [`the regex ${JSON.stringify(source)} does not compile in JavaScript: ${(error as Error).message}`];
    }
  });
}

/**
 * A body as its content type reads it (JSON parsed), sent again as written: JSON text that is a string or
 * `null` stays text (parsed, `"abc"` would be sent as `abc`, and `null` as no body).
 */
function bodyOfText(bytes: Uint8Array, type: string): unknown {
  const body = decodeBody(bytes, type);
  return typeof body === 'string' || body === null ? new TextDecoder().decode(bytes) : body;
}

function stubUrl(request: Record<string, unknown>): StubUrl {
  if (typeof request.url === 'string') return { kind: 'url', url: request.url };
  if (typeof request.urlPath === 'string') return { kind: 'urlPath', path: request.urlPath };
  if (typeof request.urlPathTemplate === 'string') return { kind: 'urlPathTemplate', template: request.urlPathTemplate };
  if (typeof request.urlPathPattern === 'string') return { kind: 'urlPathPattern', pattern: request.urlPathPattern };
  if (typeof request.urlPattern === 'string') return { kind: 'urlPattern', pattern: request.urlPattern };
  return { kind: 'any' };
}

function stubAnswer(response: Record<string, unknown>, bodyFiles: BodyFiles | undefined, binaryBodies: boolean, untranslated: string[]): StubAnswer {
  const answer: StubAnswer = { status: typeof response.status === 'number' ? response.status : 200 };
  const headers = isRecord(response.headers)
    ? Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]))
    : undefined;
  if (headers) answer.headers = headers;
  const type = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const bodyFile = (name: string): Uint8Array | undefined => {
    const bytes = bodyFiles?.read(name);
    if (!bytes && bodyFiles?.whenMissing === 'answer')
      answer.missingBodyFile = `Not found in blob store: ${name}. bodyFileName ${name}: no such file in ${bodyFiles.where}; add it there (--watch serves it once added)`;
    else if (!bytes)
      untranslated.push(
        bodyFiles
          ? `bodyFileName ${name}: no such file in ${bodyFiles.where}; answered without a body`
          : `bodyFileName ${name}: there is no __files folder here; send the body as body or jsonBody`,
      );
    return bytes;
  };
  const transformers = Array.isArray(response.transformers) ? response.transformers : [];
  if (transformers.includes('response-template')) {
    // Rendered per request (see `template`): the body stays the template's text, or a JSON value of templates.
    answer.template = true;
    if (response.jsonBody !== undefined) answer.body = response.jsonBody;
    else if (typeof response.body === 'string') answer.body = response.body;
    else if (typeof response.bodyFileName === 'string') {
      const bytes = bodyFile(response.bodyFileName);
      if (bytes) answer.body = new TextDecoder().decode(bytes);
    }
    for (const other of transformers) if (other !== 'response-template') untranslated.push(`transformer ${JSON.stringify(other)} is not translated`);
  } else if (response.jsonBody !== undefined) answer.body = response.jsonBody;
  else if (typeof response.body === 'string') answer.body = bodyOfText(new TextEncoder().encode(response.body), type ?? 'text/plain');
  else if (typeof response.bodyFileName === 'string') {
    const bytes = bodyFile(response.bodyFileName);
    if (bytes) answer.body = bodyOfText(bytes, type ?? (response.bodyFileName.endsWith('.json') ? 'application/json' : 'text/plain'));
  } else if (binaryBodies && typeof response.base64Body === 'string') {
    const bytes = base64Bytes(response.base64Body);
    if (bytes) answer.body = bytes;
    else untranslated.push('base64Body is not base64');
  } else if (response.base64Body !== undefined) untranslated.push('base64Body is not translated; answered without a body');
  if (response.proxyBaseUrl !== undefined) {
    const proxy = stubProxy(response, untranslated);
    if (proxy) answer.proxy = proxy;
  }
  if (answer.body instanceof Uint8Array && !binaryBodies) {
    untranslated.push('a binary body is not translated; answered without a body');
    delete answer.body;
  }
  if (typeof response.fixedDelayMilliseconds === 'number') answer.delay = response.fixedDelayMilliseconds;
  const distribution = wiremockDelay(response.delayDistribution);
  if (distribution) answer.delay = distribution;
  else if (response.delayDistribution !== undefined)
    untranslated.push(`delayDistribution ${JSON.stringify(response.delayDistribution)} is not translated (lognormal, uniform and fixed are)`);
  if (typeof response.fault === 'string') {
    const fault = WIREMOCK_FAULTS[response.fault];
    if (fault) answer.fault = fault;
    else untranslated.push(`fault ${response.fault} is not translated (${Object.keys(WIREMOCK_FAULTS).join(', ')} are)`);
  }
  const dribble = response.chunkedDribbleDelay;
  if (isRecord(dribble) && typeof dribble.numberOfChunks === 'number' && typeof dribble.totalDuration === 'number')
    answer.dribble = { chunks: dribble.numberOfChunks, overMs: dribble.totalDuration };
  for (const key of Object.keys(response)) {
    if (!RESPONSE_KEYS.includes(key)) untranslated.push(`response.${key} is not translated`);
  }
  return answer;
}

/** The stub's webhooks; other listeners, and templated webhooks (rendered per request by WireMock), are untranslated. */
function stubWebhooks(stub: WiremockStub, untranslated: string[]): StubWebhook[] {
  const listeners: { key: string; name: unknown; parameters: unknown }[] = [];
  for (const key of ['postServeActions', 'serveEventListeners'] as const) {
    const value = stub[key];
    if (Array.isArray(value))
      for (const item of value) listeners.push({ key, name: isRecord(item) ? item.name : item, parameters: isRecord(item) ? item.parameters : undefined });
    else if (isRecord(value)) for (const [name, parameters] of Object.entries(value)) listeners.push({ key, name, parameters });
    else if (value !== undefined) untranslated.push(`${key} ${JSON.stringify(value)} is not translated`);
  }
  const webhooks: StubWebhook[] = [];
  for (const { key, name, parameters } of listeners) {
    if (name !== 'webhook' || !isRecord(parameters) || typeof parameters.url !== 'string') {
      untranslated.push(`${key} ${JSON.stringify(name)} is not translated (a webhook with a url is)`);
      continue;
    }
    if (JSON.stringify(parameters).includes('{{')) {
      untranslated.push(`the webhook to ${parameters.url} is templated ({{…}}), which is not translated`);
      continue;
    }
    const webhook: StubWebhook = { url: parameters.url, method: typeof parameters.method === 'string' ? parameters.method.toUpperCase() : 'POST' };
    if (isRecord(parameters.headers))
      webhook.headers = Object.fromEntries(Object.entries(parameters.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
    if (typeof parameters.body === 'string') webhook.body = parameters.body;
    else if (parameters.base64Body !== undefined) untranslated.push(`the webhook to ${parameters.url}: base64Body is not translated`);
    if (parameters.delay !== undefined) {
      const delay = wiremockDelay(parameters.delay);
      if (delay === undefined) untranslated.push(`the webhook to ${parameters.url}: delay ${JSON.stringify(parameters.delay)} is not translated`);
      else webhook.delay = delay;
    }
    webhooks.push(webhook);
  }
  return webhooks;
}

/** A WireMock body pattern on the body's text, or a `matchesJsonPath` whose path is plain (`$.a.b[0]`), as a condition. */
function bodyCondition(pattern: Record<string, unknown>): BodyCondition | undefined {
  const text = textTest(pattern);
  if (text) return { text };
  const jsonPath = pattern.matchesJsonPath;
  if (typeof jsonPath === 'string') {
    const path = plainJsonPath(jsonPath);
    return path && { path };
  }
  if (isRecord(jsonPath) && typeof jsonPath.expression === 'string') {
    const path = plainJsonPath(jsonPath.expression);
    if (!path) return undefined;
    if (jsonPath.absent === true) return { path, absent: true };
    const test = textTest(jsonPath);
    return test ? { path, test } : Object.keys(jsonPath).length === 1 ? { path } : undefined;
  }
  return undefined;
}

function textTest(pattern: Record<string, unknown>): TextTest | undefined {
  for (const key of ['contains', 'matches', 'doesNotMatch', 'equalTo'] as const) {
    const value = pattern[key];
    if (typeof value === 'string') return { [key]: value } as TextTest;
  }
  return undefined;
}

/**
 * WireMock's faults as mockstack's: the connection reset, closed with nothing written, or cut by a
 * malformed chunk. RANDOM_DATA_THEN_CLOSE (garbage, then the connection closed) is the closest: a broken chunk.
 */
const WIREMOCK_FAULTS: Record<string, NonNullable<StubAnswer['fault']>> = {
  CONNECTION_RESET_BY_PEER: 'drop',
  EMPTY_RESPONSE: 'empty',
  MALFORMED_RESPONSE_CHUNK: 'malformedChunk',
  RANDOM_DATA_THEN_CLOSE: 'malformedChunk',
};

/** WireMock's `delayDistribution`: lognormal (median, sigma), uniform (lower, upper) or fixed (milliseconds). */
export function wiremockDelay(distribution: unknown): StubAnswer['delay'] | undefined {
  if (!isRecord(distribution)) return undefined;
  const { type } = distribution;
  if (type === 'lognormal' && typeof distribution.median === 'number' && typeof distribution.sigma === 'number')
    return { median: distribution.median, sigma: distribution.sigma };
  if (type === 'uniform' && typeof distribution.lower === 'number' && typeof distribution.upper === 'number')
    return { min: distribution.lower, max: distribution.upper };
  if (type === 'fixed' && typeof distribution.milliseconds === 'number') return distribution.milliseconds;
  return undefined;
}

/** The bytes of a base64 text (standard or URL alphabet), or undefined when it is not base64. */
function base64Bytes(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  try {
    return Uint8Array.from(atob(compact), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** A WireMock matcher of one value (`equalTo`, `matches`, `contains`, their negations, `absent`) as a match value; undefined for the others. */
export function valuePattern(pattern: unknown): MatchValue | undefined {
  if (!isRecord(pattern)) return undefined;
  if (typeof pattern.equalTo === 'string') return pattern.caseInsensitive ? { regex: `^${escapeRegex(pattern.equalTo)}$`, flags: 'i' } : pattern.equalTo;
  if (typeof pattern.matches === 'string') return { regex: `^(?:${pattern.matches})$` };
  if (typeof pattern.contains === 'string') return { regex: escapeRegex(pattern.contains) };
  if (typeof pattern.doesNotMatch === 'string') return { regex: `^(?:${pattern.doesNotMatch})$`, negate: true };
  if (typeof pattern.doesNotContain === 'string') return { regex: escapeRegex(pattern.doesNotContain), negate: true };
  if (typeof pattern.absent === 'boolean') return { absent: pattern.absent };
  return undefined;
}

/**
 * WireMock's `cookies` matchers as one regex on the Cookie header: a lookahead per cookie, each finding
 * `name=value` between separators. A cookie that must be absent is untranslated (with no Cookie
 * header at all the regex cannot hold, where WireMock matches).
 */
function cookiePattern(cookies: unknown, untranslated: string[]): MatchValue | undefined {
  if (!isRecord(cookies)) return undefined;
  const lookaheads: string[] = [];
  for (const [name, pattern] of Object.entries(cookies)) {
    const value = isRecord(pattern) ? pattern : {};
    const cookie = `(?:^|;)\\s*${escapeRegex(name)}=`;
    let valueRegex: string | undefined;
    if (typeof value.equalTo === 'string') valueRegex = `${escapeRegex(value.equalTo)}(?:;|$)`;
    else if (typeof value.matches === 'string') valueRegex = `(?:${value.matches})(?:;|$)`;
    else if (typeof value.contains === 'string') valueRegex = `[^;]*${escapeRegex(value.contains)}`;
    else if (value.absent === false) valueRegex = '';
    if (valueRegex === undefined)
      untranslated.push(`cookie ${name}: ${JSON.stringify(pattern)} is not translated (equalTo, matches, contains and absent: false are)`);
    else lookaheads.push(`(?=.*?${cookie}${valueRegex})`);
  }
  return lookaheads.length
    ? { regex: `^${lookaheads.join('')}`, ...(Object.values(cookies).some((p) => isRecord(p) && p.caseInsensitive) && { flags: 'i' }) }
    : undefined;
}

/**
 * WireMock's `formParameters` as conditions on the form body, which arrives parsed into fields (a
 * bracketed name, `metadata[plan]`, is the nested field): a text test, present, or absent.
 */
function formConditions(form: unknown, untranslated: string[]): BodyCondition[] {
  if (form === undefined) return [];
  if (!isRecord(form)) {
    untranslated.push('formParameters must be an object of matchers (e.g. { "grant_type": { "equalTo": "password" } })');
    return [];
  }
  const conditions: BodyCondition[] = [];
  for (const [name, pattern] of Object.entries(form)) {
    const path = name.split(/[[\]]+/).filter((part) => part !== '');
    const test = isRecord(pattern) && Object.keys(pattern).length === 1 ? textTest(pattern) : undefined;
    if (test) conditions.push({ path, test });
    else if (isRecord(pattern) && pattern.absent === true) conditions.push({ path, absent: true });
    else if (isRecord(pattern) && pattern.absent === false) conditions.push({ path });
    else untranslated.push(`form parameter ${name}: ${JSON.stringify(pattern)} is not translated (equalTo, matches, contains, doesNotMatch and absent are)`);
  }
  return conditions;
}

/** `basicAuthCredentials` as the Authorization header a client sends for them. */
function basicAuthorization(credentials: unknown, untranslated: string[]): MatchValue | undefined {
  if (credentials === undefined) return undefined;
  if (!isRecord(credentials) || typeof credentials.username !== 'string' || typeof credentials.password !== 'string') {
    untranslated.push('basicAuthCredentials must be { "username": "…", "password": "…" }');
    return undefined;
  }
  return `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${credentials.username}:${credentials.password}`)))}`;
}

/** WireMock's proxy stub: `proxyBaseUrl` with the headers it adds or removes and the path prefix it cuts. */
function stubProxy(response: Record<string, unknown>, untranslated: string[]): StubProxy | undefined {
  const { proxyBaseUrl, additionalProxyRequestHeaders, removeProxyRequestHeaders, proxyUrlPrefixToRemove } = response;
  if (typeof proxyBaseUrl !== 'string' || !/^https?:\/\/[^/]/.test(proxyBaseUrl)) {
    untranslated.push(`proxyBaseUrl must be an http(s) URL such as "http://localhost:8080"; got ${JSON.stringify(proxyBaseUrl)}`);
    return undefined;
  }
  const proxy: StubProxy = { baseUrl: proxyBaseUrl.replace(/\/+$/, '') };
  if (isRecord(additionalProxyRequestHeaders))
    proxy.headers = Object.fromEntries(Object.entries(additionalProxyRequestHeaders).map(([name, value]) => [name.toLowerCase(), String(value)]));
  else if (additionalProxyRequestHeaders !== undefined) untranslated.push('additionalProxyRequestHeaders must be an object of header values');
  if (Array.isArray(removeProxyRequestHeaders)) proxy.removeHeaders = removeProxyRequestHeaders.map((name) => String(name).toLowerCase());
  else if (removeProxyRequestHeaders !== undefined) untranslated.push('removeProxyRequestHeaders must be a list of header names');
  if (typeof proxyUrlPrefixToRemove === 'string') proxy.stripPrefix = proxyUrlPrefixToRemove;
  else if (proxyUrlPrefixToRemove !== undefined) untranslated.push('proxyUrlPrefixToRemove must be a string');
  return proxy;
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
