import type { CoreRequest, MatchSpec, RuleDefinition, ValueMatcher } from '@mockstack/core';
import { FRAMING_HEADERS, isRecord } from '@mockstack/core';
import { fault, type ProxyOptions, type RouteOptions, respond, rest, template, webhook } from '@mockstack/dsl';
import { bodyMeets, pathOf, requestUrlOf, urlTest, valueMatcher } from './conditions.js';
import { WiremockMappingInvalid, WiremockMappingMalformed } from './errors.js';
import { conditionsTest } from './matchers.js';
import { DEFAULT_SETTINGS, delayUnder, type WiremockSettings } from './settings.js';
import { type BodyFiles, type ParsedStub, parseStub, regexProblems, type StubAnswer, type StubProxy, type StubWebhook, type WiremockStub } from './stub.js';

/** A route of a REST service: its operation id, method and route path (`/orders/:id`). */
export interface RestRoute {
  operation: string;
  method: string;
  path: string;
}

/**
 * The operation the REST server routes a request to (method, path as sent), with its path
 * parameters, as the service's router picks it; undefined when no route takes it.
 */
export type RouteFinder = (service: string, method: string, path: string) => { operation: string; params: Record<string, string> } | undefined;

/** What a mapping is translated against: the scenario's REST services and machines. */
export interface LiveStubContext {
  /** Each REST service's routes. */
  services: ReadonlyMap<string, readonly RestRoute[]>;
  routeOf: RouteFinder;
  /** State machines the scenario declares: name → states. */
  declaredMachines: ReadonlyMap<string, readonly string[]>;
  /** States of the machines earlier mappings added. */
  addedMachines: ReadonlyMap<string, readonly string[]>;
  /** Where `bodyFileName` is read (WireMock's `__files`); without it a `bodyFileName` is refused. */
  bodyFiles?: BodyFiles | undefined;
  /** WireMock's global settings (`POST /__admin/settings`): the delays every stub adds. */
  settings?: WiremockSettings | undefined;
  /** The services that answer HEAD only with HEAD routes (`config.headAsGet: false`): a stub of method ANY takes HEAD there too, as in WireMock. */
  headRoutes?: ReadonlySet<string> | undefined;
}

/** A mapping as live rules of one service. */
export interface LiveStub {
  service: string;
  rules: RuleDefinition[];
  /** WireMock's priority (lower answers first; default 5). */
  priority: number;
  /** A machine the rules use that the scenario does not declare, with every state known for it ('Started' first). */
  machine?: { name: string; states: string[] };
}

/** The methods a stub of method ANY is served for (HEAD takes GET's, unless the service says not to; OPTIONS is CORS's). */
const ANY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
type RouteFactory = (path: string, options: RouteOptions, responder: unknown) => RuleDefinition;
const ROUTE_FACTORIES: Readonly<Record<string, RouteFactory>> = {
  GET: rest.get as unknown as RouteFactory,
  POST: rest.post as unknown as RouteFactory,
  PUT: rest.put as unknown as RouteFactory,
  PATCH: rest.patch as unknown as RouteFactory,
  DELETE: rest.delete as unknown as RouteFactory,
  HEAD: rest.head as unknown as RouteFactory,
  OPTIONS: rest.options as unknown as RouteFactory,
};
const MAPPING_KEYS = [
  'id',
  'uuid',
  'name',
  'priority',
  'scenarioName',
  'requiredScenarioState',
  'newScenarioState',
  'request',
  'response',
  'metadata',
  'persistent',
  'insertionIndex',
  'postServeActions',
  'serveEventListeners',
];
const URL_KEYS = ['url', 'urlPath', 'urlPattern', 'urlPathPattern', 'urlPathTemplate'];
/** WireMock's first state of every scenario. */
export const WIREMOCK_START_STATE = 'Started';

/**
 * Translates one WireMock stub mapping into live rules of a REST service, doing what `mockstack import`
 * writes for it as code. A literal URL that a route of the scenario already takes (`/orders/ord_1`
 * under `GET /orders/:id`) goes to that route's operation with its parameters as a condition; a URL
 * pattern goes to a wildcard route and to every route that may take a path it matches, tested on the
 * whole URL. Throws WiremockMappingInvalid listing every problem (malformed parts, a service it cannot
 * go to, anything not translated) rather than serve something else.
 */
export function liveStub(mapping: unknown, context: LiveStubContext): LiveStub {
  if (!isRecord(mapping))
    throw new WiremockMappingInvalid([`a mapping is a JSON object with "request" and "response"; got ${JSON.stringify(mapping)?.slice(0, 80)}`]);
  const problems = malformed(mapping);
  if (problems.length) throw new WiremockMappingMalformed(problems);
  const stub = mapping as WiremockStub;
  const parsed = parseStub(stub, context.bodyFiles, true);
  problems.push(...parsed.untranslated);
  for (const key of Object.keys(mapping)) if (!MAPPING_KEYS.includes(key)) problems.push(`${key} is not translated`);
  problems.push(...regexProblems(parsed));
  const id = typeof stub.id === 'string' ? stub.id : typeof stub.uuid === 'string' ? stub.uuid : undefined;
  if (id !== undefined) parsed.answer.headers = { ...parsed.answer.headers, ...matchedStubHeaders(id, parsed.name) };
  if (isRecord(mapping.response)) {
    const delay = delayUnder(context.settings ?? DEFAULT_SETTINGS, mapping.response, problems);
    if (delay === undefined) delete parsed.answer.delay;
    else parsed.answer.delay = delay;
  }
  let methods = parsed.method === 'ANY' ? ANY_METHODS : [parsed.method];
  if (!ROUTE_FACTORIES[parsed.method] && parsed.method !== 'ANY')
    problems.push(`method ${parsed.method} is not served by REST services (${Object.keys(ROUTE_FACTORIES).join(', ')} and ANY are)`);
  const service = serviceOf(stub, parsed, methods, context, problems);
  const machine = machineOf(parsed, context, problems);
  if (problems.length || service === undefined) throw new WiremockMappingInvalid(problems);
  if (parsed.method === 'ANY' && context.headRoutes?.has(service)) methods = [...ANY_METHODS, 'HEAD'];

  const options = ruleOptions(parsed);
  const responder = withWebhooks(answerOf(parsed.answer), parsed.webhooks ?? []);
  const routes = context.services.get(service) ?? [];
  const rules: RuleDefinition[] = [];
  for (const method of methods) {
    for (const target of targetsOf(parsed, method, service, routes, context.routeOf)) {
      // A template reads path parameters by name: under the scenario's names it would render empty.
      const templateText = parsed.answer.template ? JSON.stringify([parsed.answer.body, parsed.answer.headers]) : '';
      const renamed = Object.entries(target.renamed ?? {}).filter(([from, to]) => from !== to && templateText.includes(`request.path.${from}`));
      if (renamed.length)
        throw new WiremockMappingInvalid([
          `the response template reads path parameters named ${renamed.map(([from]) => from).join(', ')}, which the scenario's route ${target.path} names ${renamed.map(([, to]) => to).join(', ')}: use those names in the template`,
        ]);
      const match = stubMatchSpec(parsed, target);
      const rule = (ROUTE_FACTORIES[method] as RouteFactory)(target.path, { ...options, ...(match && { match }) }, responder);
      rules.push(target.operation ? { ...rule, operation: target.operation } : rule);
    }
  }
  return { service, rules, priority: parsed.priority, ...(machine && { machine }) };
}

/**
 * The headers WireMock puts on every answer of a stub: `Matched-Stub-Id`, and `Matched-Stub-Name` when
 * it has a name a header can carry.
 */
function matchedStubHeaders(id: string, name: string | undefined): Record<string, string> {
  const sendable = (value: string) => /^[\x20-\x7e]*$/.test(value);
  if (!sendable(id)) return {};
  return { 'Matched-Stub-Id': id, ...(name !== undefined && sendable(name) && { 'Matched-Stub-Name': name }) };
}

/** What is malformed in a mapping (wrong types, two URLs, a bad priority), in words. */
function malformed(mapping: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { request, response } = mapping;
  if (!isRecord(request)) problems.push('"request" must be an object (e.g. { "method": "GET", "urlPath": "/orders" })');
  if (response !== undefined && !isRecord(response)) problems.push('"response" must be an object (e.g. { "status": 200, "jsonBody": {} })');
  if (isRecord(request)) {
    if (request.method !== undefined && typeof request.method !== 'string') problems.push('request.method must be a string');
    const urls = URL_KEYS.filter((key) => request[key] !== undefined);
    if (urls.length > 1) problems.push(`request has ${urls.join(' and ')}: give one of ${URL_KEYS.join(', ')}`);
    for (const key of urls) if (typeof request[key] !== 'string') problems.push(`request.${key} must be a string`);
    for (const key of ['headers', 'queryParameters', 'pathParameters'])
      if (request[key] !== undefined && !isRecord(request[key])) problems.push(`request.${key} must be an object of matchers`);
    if (request.bodyPatterns !== undefined && !(Array.isArray(request.bodyPatterns) && request.bodyPatterns.every(isRecord)))
      problems.push('request.bodyPatterns must be a list of matchers (e.g. [{ "equalToJson": {…} }])');
  }
  if (
    isRecord(response) &&
    response.status !== undefined &&
    !(Number.isInteger(response.status) && Number(response.status) >= 100 && Number(response.status) <= 599)
  )
    problems.push(`response.status must be an HTTP status (100–599); got ${JSON.stringify(response.status)}`);
  if (mapping.priority !== undefined && !(Number.isInteger(mapping.priority) && Number(mapping.priority) >= 1))
    problems.push(`priority must be a whole number from 1 (highest); got ${JSON.stringify(mapping.priority)}`);
  for (const key of ['id', 'uuid', 'name', 'scenarioName', 'requiredScenarioState', 'newScenarioState'])
    if (mapping[key] !== undefined && typeof mapping[key] !== 'string') problems.push(`${key} must be a string`);
  if (mapping.scenarioName === undefined && (mapping.requiredScenarioState !== undefined || mapping.newScenarioState !== undefined))
    problems.push('requiredScenarioState and newScenarioState need a scenarioName');
  if (mapping.metadata !== undefined && !isRecord(mapping.metadata)) problems.push('metadata must be an object');
  return problems;
}

/**
 * The REST service a mapping goes to: the one its `metadata.service` names, the only one, or else the
 * one whose routes take the mapping's literal URL (`GET /orders/ord_1` under the orders service's
 * `/orders/:id`), so that a WireMock client, which has no way to send metadata (wiremock-captain), can
 * stub a scenario of several REST services.
 */
function serviceOf(stub: WiremockStub, parsed: ParsedStub, methods: readonly string[], context: LiveStubContext, problems: string[]): string | undefined {
  const names = [...context.services.keys()];
  const named = stub.metadata?.service;
  if (named !== undefined) {
    if (typeof named === 'string' && context.services.has(named)) return named;
    problems.push(`metadata.service ${JSON.stringify(named)} is not a REST service of the scenario; it has ${names.join(', ') || 'none'}`);
    return undefined;
  }
  if (names.length === 1) return names[0];
  if (names.length === 0) {
    problems.push('the scenario has no REST service to add it to');
    return undefined;
  }
  const routing = names.filter((name) => routes(parsed, methods, name, context));
  if (routing.length === 1) return routing[0];
  const which = parsed.url.kind === 'url' || parsed.url.kind === 'urlPath' || parsed.url.kind === 'urlPathTemplate' ? routedBy(routing) : '';
  problems.push(
    `the scenario has several REST services (${names.join(', ')})${which}: name one in the mapping's metadata, e.g. "metadata": { "service": "${routing[0] ?? names[0]}" }`,
  );
  return undefined;
}

function routedBy(routing: readonly string[]): string {
  return routing.length ? ` and routes of ${routing.join(' and ')} take its URL` : ' and no route of theirs takes its URL';
}

/** Whether a route of `service` takes the mapping's literal URL or path template, for one of its methods. */
function routes(parsed: ParsedStub, methods: readonly string[], service: string, context: LiveStubContext): boolean {
  const { url } = parsed;
  switch (url.kind) {
    case 'url':
    case 'urlPath': {
      const path = pathOf(url.kind === 'url' ? url.url : url.path);
      return methods.some((method) => context.routeOf(service, method, path) !== undefined);
    }
    case 'urlPathTemplate': {
      const shape = shapeOf(url.template.replace(/\{([^}/]+)\}/g, ':$1'));
      return (context.services.get(service) ?? []).some((route) => methods.includes(route.method) && shapeOf(route.path) === shape);
    }
    default:
      // A pattern or any URL may be meant for any of them.
      return false;
  }
}

/** The state machine of the stub's WireMock scenario: declared by the scenario (its states must exist) or added. */
function machineOf(parsed: ParsedStub, context: LiveStubContext, problems: string[]): LiveStub['machine'] {
  if (!parsed.scenario) return undefined;
  const { name, requiredState, newState } = parsed.scenario;
  const wanted = [requiredState, newState].filter((state) => state !== undefined);
  const declared = context.declaredMachines.get(name);
  if (declared) {
    const missing = wanted.filter((state) => !declared.includes(state));
    if (missing.length) problems.push(`the scenario's state machine ${name} has no state ${missing.join(' or ')}; its states are ${declared.join(', ')}`);
    return undefined;
  }
  const states = [...(context.addedMachines.get(name) ?? [WIREMOCK_START_STATE])];
  for (const state of wanted) if (!states.includes(state)) states.push(state);
  return { name, states };
}

function ruleOptions(parsed: ParsedStub): RouteOptions {
  const options: RouteOptions = {};
  if (parsed.name) options.name = parsed.name;
  // On the rule, not the answer: WireMock waits before a fault too.
  if (parsed.answer.delay !== undefined) options.delay = parsed.answer.delay;
  if (parsed.scenario?.requiredState) options.whenState = { [parsed.scenario.name]: parsed.scenario.requiredState };
  if (parsed.scenario?.newState) options.setState = { [parsed.scenario.name]: parsed.scenario.newState };
  return options;
}

/** Where a stub's rule goes for one method: a route path (new or the scenario's), the route's parameters it needs, whether the URL test is needed. */
export interface RuleTarget {
  path: string;
  operation?: string;
  params?: Record<string, string>;
  /** The route alone takes exactly the stub's URLs: no test on the URL is needed. */
  urlChecked: boolean;
  /** The stub's path parameter names → the route's (a scenario route of the same shape names them its way). */
  renamed?: Record<string, string>;
}

function targetsOf(parsed: ParsedStub, method: string, service: string, routes: readonly RestRoute[], routeOf: RouteFinder): RuleTarget[] {
  const { url } = parsed;
  const own = routes.filter((route) => route.method === method);
  switch (url.kind) {
    case 'url':
    case 'urlPath': {
      const sent = pathOf(url.kind === 'url' ? url.url : url.path);
      return [literalTarget(sent, method, service, own, routeOf, url.kind === 'urlPath')];
    }
    case 'urlPathTemplate': {
      const path = url.template.replace(/\{([^}/]+)\}/g, ':$1');
      const same = own.find((route) => shapeOf(route.path) === shapeOf(path));
      if (!same) return [{ path, urlChecked: true }];
      return [{ path: same.path, operation: same.operation, urlChecked: true, renamed: renamedParams(path, same.path) }];
    }
    case 'urlPathPattern':
    case 'urlPattern': {
      const prefix = literalPrefix(url.pattern);
      // `/orders/ord_[0-9]+` → `/orders/*`; a pattern that does not start with a literal `/` (`.*/items`) → `/*`.
      const wildcard = prefix.startsWith('/') ? `${prefix.slice(0, prefix.lastIndexOf('/') + 1)}*` : '/*';
      const targets: RuleTarget[] = [];
      // Every route of the method that may take a path under the prefix; the URL test decides.
      for (const route of own) if (mayTakePathsUnder(route.path, prefix)) targets.push({ path: route.path, operation: route.operation, urlChecked: false });
      if (!own.some((route) => route.path === wildcard)) targets.push({ path: wildcard, urlChecked: false });
      return targets;
    }
    case 'any': {
      const targets: RuleTarget[] = own.map((route) => ({ path: route.path, operation: route.operation, urlChecked: true }));
      if (!own.some((route) => route.path === '/*')) targets.push({ path: '/*', urlChecked: true });
      return targets;
    }
  }
}

/**
 * A literal path's target (`sent`: the path as a client sends it, encoded): the scenario's route that
 * takes it (its parameters become a condition) or a new literal route. `pathAlone`: the stub tests the
 * path only (urlPath), so the route checks all of it.
 */
function literalTarget(sent: string, method: string, service: string, own: readonly RestRoute[], routeOf: RouteFinder, pathAlone: boolean): RuleTarget {
  const routed = routeOf(service, method, sent);
  const route = routed && own.find((r) => r.operation === routed.operation);
  if (routed && route) return { path: route.path, operation: route.operation, params: routed.params, urlChecked: pathAlone };
  return { path: routePath(decodePath(sent)), urlChecked: pathAlone };
}

/** The match of a rule: the stub's conditions, the route parameters the target needs, the URL test when the route does not make it. */
export function stubMatchSpec(parsed: ParsedStub, { params, urlChecked, renamed }: RuleTarget): MatchSpec | undefined {
  const { match } = parsed;
  const spec: MatchSpec = {};
  const routeParams: Record<string, ValueMatcher> = { ...params };
  for (const [name, value] of Object.entries(match.params ?? {})) routeParams[renamed?.[name] ?? name] = valueMatcher(value);
  if (Object.keys(routeParams).length) spec.params = routeParams;
  if (match.query) spec.query = Object.fromEntries(Object.entries(match.query).map(([name, value]) => [name, valueMatcher(value)]));
  if (match.headers) spec.headers = Object.fromEntries(Object.entries(match.headers).map(([name, value]) => [name.toLowerCase(), valueMatcher(value)]));
  if (match.body !== undefined) spec.body = match.body;
  if (match.bodyEquals !== undefined) spec.bodyEquals = match.bodyEquals;
  const conditions: ((request: CoreRequest) => boolean)[] = [];
  const onUrl = urlChecked ? undefined : urlTest(parsed.url);
  if (onUrl) conditions.push((request) => onUrl(requestUrlOf(request.target)));
  for (const condition of match.bodyConditions ?? []) conditions.push(({ body }) => bodyMeets(body, condition));
  if (match.matchers?.length) conditions.push(conditionsTest(match.matchers));
  if (conditions.length) spec.when = (request) => conditions.every((holds) => holds(request));
  return Object.keys(spec).length ? spec : undefined;
}

/** The answer as `mockstack import` writes it: a connection fault, a dribbled or broken body, a template, or a reply. */
function answerOf(answer: StubAnswer): unknown {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers ?? {})) if (!FRAMING_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  const init = { ...(answer.status !== 200 && { status: answer.status }), ...(Object.keys(headers).length && { headers }) };
  if (answer.proxy) return rest.proxy(answer.proxy.baseUrl, proxyOptionsOf(answer.proxy));
  // As WireMock answers a stub of its root whose body file is not there: 500, its message in text (its is Jetty's HTML error page).
  if (answer.missingBodyFile !== undefined) return respond(answer.missingBodyFile, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (answer.fault === 'drop') return fault.drop();
  if (answer.fault === 'empty') return fault.empty();
  if (answer.fault === 'malformedChunk') return fault.malformedChunk(answer.body, init);
  if (answer.dribble) return fault.dribble(answer.body ?? '', { over: answer.dribble.overMs, chunks: answer.dribble.chunks, ...init });
  if (answer.template) return template({ ...init, ...(answer.body !== undefined && { body: answer.body as string | object }) });
  return respond(answer.body, { status: answer.status, ...(Object.keys(headers).length && { headers }) });
}

/** A proxy stub's changes to the request as `rest.proxy` takes them. */
export function proxyOptionsOf({ headers, removeHeaders, stripPrefix }: StubProxy): ProxyOptions {
  return { ...(headers && { headers }), ...(removeHeaders && { removeHeaders }), ...(stripPrefix !== undefined && { stripPrefix }) };
}

/** The answer with the stub's webhooks on it (a reply or fault carries them; the engine calls them once it answers). */
function withWebhooks(answer: unknown, hooks: readonly StubWebhook[]): unknown {
  if (hooks.length === 0) return answer;
  const webhooks = hooks.map((hook) =>
    webhook(hook.url, hook.body, {
      method: hook.method,
      ...(hook.headers && { headers: hook.headers }),
      ...(hook.delay !== undefined && { delay: hook.delay }),
    }),
  );
  const carrying = (value: unknown) => (typeof value === 'object' && value !== null ? { ...value, webhooks } : value);
  if (typeof answer !== 'function') return carrying(answer);
  return async (context: unknown) => carrying(await (answer as (context: unknown) => unknown)(context));
}

/** fastify reads `:` as a parameter: a literal one is written `::` (as `mockstack import` writes it). */
function routePath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.includes(':') ? segment.replace(/:/g, '::') : segment))
    .join('/');
}

/** `/orders/:id/items` → `/orders/:/items`: routes of one shape take the same paths. */
function shapeOf(path: string): string {
  return path.replace(/:[^/]+/g, ':');
}

/** The stub's parameter names as the scenario's route of the same shape has them, by position (`id` of `/users/:id` is `userId` of `/users/:userId`). */
function renamedParams(stubPath: string, route: string): Record<string, string> {
  const names = (path: string) => [...path.matchAll(/:([^/]+)/g)].map(([, name]) => name as string);
  const routeNames = names(route);
  return Object.fromEntries(names(stubPath).map((name, i) => [name, routeNames[i] ?? name]));
}

/** The part of a regex before its first special character. */
function literalPrefix(pattern: string): string {
  const unanchored = pattern.replace(/^\^/, '');
  const special = unanchored.search(/[.*+?^${}()|[\]\\]/);
  return special === -1 ? unanchored : unanchored.slice(0, special);
}

/** Whether a route may take some path starting with `prefix`: its literal head and the prefix agree as far as both go. */
function mayTakePathsUnder(route: string, prefix: string): boolean {
  const head = route.slice(0, route.search(/[:*]|$/));
  return head.startsWith(prefix) || prefix.startsWith(head);
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
