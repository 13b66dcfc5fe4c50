import {
  Code,
  type CoreRequest,
  displayPath,
  ErrorCode,
  type ExpandContext,
  escapeRegExp,
  type Fault,
  formatSource,
  type HandlerContext,
  MockstackError,
  type Model,
  makeFault,
  makeReply,
  nearest,
  type OperationDefinition,
  type Problem,
  type Reply,
  type RuleDefinition,
  resolveContractPath,
  type Service,
  type ServiceDefinition,
} from '@mockstack/core';
import { fileVersion } from '@mockstack/core/platform';
import {
  type ApiOperation,
  bodyCursorsOf,
  type ContractResponse,
  cursorParametersOf,
  documentedError,
  type ExampleDispatch,
  exampleDispatchOf,
  forwardCursor,
  isPreferenceProblem,
  linkToNextPage,
  loadOpenApi,
  type OpenApi,
  OpenApiDocumentError,
  type PreferenceProblem,
  parsePrefer,
  RequestValidator,
  type ResponseExample,
  ResponseMaker,
  routeParamName,
  serverUrlsOf,
  toRoute,
  type Violation,
} from '@mockstack/openapi';
import { type CallbackMaker, callbacksOf, documentWebhookNames, documentWebhookOf } from './openapi-callbacks.js';
import {
  type ContractResponder,
  headerSafe,
  OPENAPI_INFO,
  type OpenApiServiceInfo,
  type RealAnswerCheck,
  type RequestCheck,
  VIOLATION_HEADER,
} from './openapi-info.js';
import { paginationLinksFor } from './pagination-links.js';
import { answerCheckOf, checkResponses, shapeFaults } from './response-check.js';

export { OPENAPI_INFO, type OpenApiServiceInfo };

/**
 * Loaded documents by path, reused while the file and the files it `$ref`s are unchanged (watch
 * mode reloads scenarios often, and reloads when a `$ref`'d file changes).
 */
const documents = new Map<string, { version: string; api: Promise<{ api: OpenApi; refs: string }> }>();

// An unreadable file has version '': loadOpenApi reports it.
const refVersions = (api: OpenApi): string => api.refs.map(fileVersion).join('\n');

async function loadCached(path: string, lenient: boolean): Promise<OpenApi> {
  const version = fileVersion(path);
  const key = lenient ? `${path}\0lenient` : path;
  const cached = documents.get(key);
  if (cached && cached.version === version && version) {
    const loaded = await cached.api.catch(() => undefined);
    if (loaded && refVersions(loaded.api) === loaded.refs) return loaded.api;
  }
  const api = loadOpenApi(path, { lenient }).then((api) => ({ api, refs: refVersions(api) }));
  documents.set(key, { version, api });
  api.catch(() => documents.delete(key));
  return (await api).api;
}

/**
 * A REST service that names an OpenAPI document becomes one route per operation, each with three
 * kinds of ordinary rules: request validation (answers 400/422 when the request breaks the
 * contract), the scenario's own overrides, and a responder made from the contract.
 */
export async function expandOpenApi(service: ServiceDefinition, context: ExpandContext): Promise<ServiceDefinition> {
  const config = service.config ?? {};
  const documentPath = config.openapi;
  if (typeof documentPath !== 'string') {
    const byId = service.rules.find((r) => typeof r.meta?.operationId === 'string');
    if (byId) {
      throw new MockstackError(
        ErrorCode.OperationUnknown,
        `service "${context.name}" uses rest.operation('${String(byId.meta?.operationId)}'), which needs an OpenAPI document: rest({ openapi: 'schemas/api.yaml' }, [...])`,
        { source: byId.source },
      );
    }
    return service;
  }
  const file = resolveContractPath({ file: context.file, root: context.root }, documentPath);
  let api: OpenApi;
  try {
    const text = context.contracts?.get(file);
    api = text === undefined ? await loadCached(file, config.lenient === true) : await loadOpenApi(file, { lenient: config.lenient === true, text });
  } catch (error) {
    throw withSource(error, service);
  }
  const seed = { value: context.seed ?? 1 };
  const report = { warn: (_message: string): void => {} };
  const validator = config.validateRequests === false ? undefined : new RequestValidator(api, { onProblem: (message) => report.warn(message) });

  const byRoute = new Map(api.operations.map((op) => [`${op.method} ${op.route}`, op]));
  const byOperationId = new Map(api.operations.filter((op) => op.operationId).map((op) => [op.operationId as string, op]));
  const adopt = adopterOf(api, { byRoute, byOperationId }, context.name, documentPath, config.validateResponses !== false);
  const overrides = new Map<ApiOperation, RuleDefinition[]>();
  const unknown: Problem[] = [];
  for (const rule of service.rules) {
    const adopted = adopt(rule);
    if ('message' in adopted) {
      unknown.push(adopted);
      continue;
    }
    const list = overrides.get(adopted.operation) ?? [];
    list.push(adopted.rule);
    overrides.set(adopted.operation, list);
  }
  if (unknown.length) {
    const lines = unknown.map((u) => `  - ${u.source ? `${formatSource(u.source)}: ` : ''}${u.message.slice(`service "${context.name}": `.length)}`);
    throw new MockstackError(ErrorCode.OperationUnknown, `service "${context.name}":\n${lines.join('\n')}`, { source: unknown[0]?.source, problems: unknown });
  }

  const rules: RuleDefinition[] = [];
  const operations: OperationDefinition[] = [];
  const contract = new Map<string, ContractResponder>();
  const callbacks = new Map<string, CallbackMaker>();
  const realAnswerChecks = new Map<string, RealAnswerCheck>();
  const requestChecks = new Map<string, RequestCheck>();
  const proxied = typeof config.proxy === 'string';
  // A validation proxy refuses requests that break the document only with `checkProxied: 'fail'`; else it
  // sends them on, naming what they break ('warn'), or unchecked (false), as Prism's proxy does without --errors.
  const refuseInvalid = !proxied || config.checkProxied === 'fail';
  const pairingWarnings: string[] = [];
  for (const operation of api.operations) {
    const id = operationKey(operation);
    const meta = metaOf(operation);
    operations.push({ id, meta });
    if (validator && refuseInvalid) rules.push(validationRule(operation, id, meta, validator, api, service));
    else if (validator && config.checkProxied !== false) requestChecks.set(id, requestCheckOf(operation, validator));
    rules.push(...(overrides.get(operation) ?? []));
    const answers = contractAnswers(operation, api, seed, config.dynamic === true);
    // Request examples paired by name with response examples (Microcks' convention): after the scenario's own rules.
    // Not with a proxy: the real service answers what the scenario's rules do not, not the document's examples.
    // Nor when every answer is generated (`dynamic`): examples are left aside.
    const dispatch = proxied || config.dynamic === true ? undefined : exampleDispatchOf(api, operation, (message) => pairingWarnings.push(message));
    if (dispatch) rules.push(...exampleRules(dispatch, operation, id, meta, answers, service));
    // What no rule answers, the contract does (the engine's `fallback` outcome).
    contract.set(id, answers.responder);
    if (proxied) realAnswerChecks.set(id, answerCheckOf(operation, api, { formats: true }));
    const fired = callbacksOf(operation, api, seed);
    if (fired) callbacks.set(id, fired);
  }
  for (const [id, fired] of documentWebhooks(config.webhooks, api, seed, byRoute, byOperationId, context.name, documentPath, service)) {
    const own = callbacks.get(id);
    callbacks.set(id, own ? (request) => [...own(request), ...fired(request)] : fired);
  }
  const info: OpenApiServiceInfo = {
    file,
    operations: new Set(api.operations.map(operationKey)),
    contract,
    callbacks,
    realAnswerChecks,
    requestChecks,
    adopt: (rule) => {
      const adopted = adopt(rule);
      return 'message' in adopted ? adopted : adopted.rule;
    },
    warnings: pairingWarnings.length ? [...api.warnings, ...pairingWarnings] : api.warnings,
    seed,
    report,
  };
  return { ...service, config: { ...config, [OPENAPI_INFO]: info }, rules, operations };
}

/**
 * The service's `webhooks` setting: each of the document's 3.1 top-level webhooks to fire at a URL after
 * an operation answers 2xx, by the operation's id. A name or operation the document lacks is an error with near names.
 */
function documentWebhooks(
  setting: unknown,
  api: OpenApi,
  seed: { value: number },
  byRoute: ReadonlyMap<string, ApiOperation>,
  byOperationId: ReadonlyMap<string, ApiOperation>,
  serviceName: string,
  documentPath: string,
  service: ServiceDefinition,
): [string, CallbackMaker][] {
  if (setting === undefined) return [];
  const fired: [string, CallbackMaker][] = [];
  for (const [name, spec] of Object.entries(setting as Record<string, { after: string; url: string }>)) {
    const maker = documentWebhookOf(name, spec.url, api, seed);
    if (!maker) {
      const near = nearest(name, documentWebhookNames(api), 3);
      throw new MockstackError(
        ErrorCode.OperationUnknown,
        `service "${serviceName}": webhook "${name}" is not in the webhooks of ${documentPath}${near.length ? `; near names: ${near.join(', ')}` : ' (the document has none: webhooks are OpenAPI 3.1)'}`,
        { source: service.source },
      );
    }
    const [method = '', path = ''] = spec.after.split(' ');
    const operation =
      byRoute.get(`${method.toUpperCase()} ${routeOf(path, api.basePath)}`) ??
      byRoute.get(`${method.toUpperCase()} ${routeOf(path, '')}`) ??
      byOperationId.get(spec.after);
    if (!operation) {
      const near = nearest(spec.after, [...byRoute.keys(), ...byOperationId.keys()], 3);
      throw new MockstackError(
        ErrorCode.OperationUnknown,
        `service "${serviceName}": webhook "${name}" fires after ${JSON.stringify(spec.after)}, which is not an operation of ${documentPath}${near.length ? `; near names: ${near.join(', ')}` : ''}`,
        { source: service.source },
      );
    }
    fired.push([operationKey(operation), maker]);
  }
  return fired;
}

/** The document's error, pointing at the `rest({ openapi })` call that names it. */
function withSource(error: unknown, service: ServiceDefinition): unknown {
  if (!service.source || !(error instanceof MockstackError) || error.source) return error;
  if (error instanceof OpenApiDocumentError) return new OpenApiDocumentError(error.file, error.documentProblems, error.cause, service.source);
  return new MockstackError(error.code, error.message, { source: service.source, cause: error.cause });
}

function operationKey(operation: ApiOperation): string {
  return `${operation.method} ${operation.route}`;
}

function metaOf(operation: ApiOperation): Record<string, unknown> {
  return { method: operation.method, path: operation.route, operationId: operation.operationId, openapi: operation.pointer };
}

/** `/rates/{id}`, `/rates/:id` and `/v2/rates/:id` all name the route `/v2/rates/:id`. */
function routeOf(path: string, basePath: string): string {
  const route = path.includes('{') ? (toRoute('', path) ?? path.replace(/\{([^}]+)\}/g, (_, name: string) => `:${routeParamName(name)}`)) : path;
  if (!basePath || route === basePath || route.startsWith(`${basePath}/`)) return route;
  return `${basePath}${route}`;
}

/**
 * Maps a rule written for the service to the document's operation it names (by operationId, or by
 * method and path with or without the base path), its faults shaped as the operation documents errors
 * and its handler's answers checked against the documented responses (unless `checkAnswers` is false).
 * A rule naming no operation of the document is a problem saying the nearest names.
 */
function adopterOf(
  api: OpenApi,
  { byRoute, byOperationId }: { byRoute: ReadonlyMap<string, ApiOperation>; byOperationId: ReadonlyMap<string, ApiOperation> },
  serviceName: string,
  documentPath: string,
  checkAnswers: boolean,
): (rule: RuleDefinition) => { rule: RuleDefinition; operation: ApiOperation } | Problem {
  return (rule) => {
    const operation = findOperation(rule, api, byRoute, byOperationId);
    if (!operation) return { message: `service "${serviceName}": ${describeUnknown(rule, api, documentPath)}`, source: rule.source };
    const mapped = { ...rule, operation: operationKey(operation), meta: metaOf(operation), respond: shapeFaults(rule.respond, operation, api) };
    return { rule: checkAnswers ? checkResponses(mapped, operation, api) : mapped, operation };
  };
}

function findOperation(
  rule: RuleDefinition,
  api: OpenApi,
  byRoute: ReadonlyMap<string, ApiOperation>,
  byOperationId: ReadonlyMap<string, ApiOperation>,
): ApiOperation | undefined {
  const operationId = rule.meta?.operationId;
  if (typeof operationId === 'string') return byOperationId.get(operationId);
  const method = String(rule.meta?.method ?? '');
  const path = String(rule.meta?.path ?? '');
  return byRoute.get(`${method} ${routeOf(path, api.basePath)}`) ?? byRoute.get(`${method} ${routeOf(path, '')}`);
}

function describeUnknown(rule: RuleDefinition, api: OpenApi, documentPath: string): string {
  const operationId = rule.meta?.operationId;
  const candidates =
    typeof operationId === 'string'
      ? api.operations.flatMap((op) => (op.operationId ? [op.operationId] : []))
      : api.operations.map((op) => `${op.method} ${op.route}`);
  const wanted = typeof operationId === 'string' ? operationId : `${String(rule.meta?.method)} ${routeOf(String(rule.meta?.path ?? ''), api.basePath)}`;
  const near = nearest(wanted, candidates, 3);
  const what = typeof operationId === 'string' ? `operationId "${operationId}"` : `operation ${String(rule.meta?.method)} ${String(rule.meta?.path)}`;
  return `${what} is not in ${documentPath}${near.length ? `; near names: ${near.join(', ')}` : ' (the document has no operations)'}`;
}

/** What a request breaks of its operation, in one line (`body name: required`), or undefined when it fits. */
function requestCheckOf(operation: ApiOperation, validator: RequestValidator): RequestCheck {
  return (request) => {
    const violations = validator.validate(operation, request);
    return violations.length ? violations.map(describeViolation).join('; ') : undefined;
  };
}

function describeViolation(v: Violation): string {
  return `${v.in}${v.name ? ` ${v.name}` : v.pointer ? ` ${v.pointer}` : ''}: ${v.message}`;
}

function validationRule(
  operation: ApiOperation,
  id: string,
  meta: Record<string, unknown>,
  validator: RequestValidator,
  api: OpenApi,
  service: ServiceDefinition,
): RuleDefinition {
  // The engine hands `when` and the responder the same request; the result is cached by its
  // `headers` object: validation runs once per request.
  const results = new WeakMap<object, Violation[]>();
  const check = (request: Pick<CoreRequest, 'params' | 'query' | 'headers' | 'body'>): Violation[] => {
    let violations = results.get(request.headers);
    if (!violations) {
      violations = validator.validate(operation, request);
      results.set(request.headers, violations);
    }
    return violations;
  };
  const invalidRequest = (request: CoreRequest): boolean => check(request).length > 0;
  return {
    operation: id,
    meta,
    name: `contract request check of ${operation.operationId ?? id}`,
    match: { when: invalidRequest },
    respond: (ctx: HandlerContext) => {
      const violations = check(ctx);
      const status = violations.every((v) => v.in === 'security') ? 401 : violations.every((v) => v.in === 'body') ? 422 : 400;
      const summary = violations.map(describeViolation).join('; ');
      const message = `request does not match ${operation.method} ${operation.path} of ${displayPath(api.file)}: ${summary}`;
      const shaped = documentedError(api, operation, status, `request does not match the contract: ${summary}`, { violations });
      // Said in a header too: a provider's error shape may have no field the message fits (Slack's `error` is an enum).
      const violation = headerSafe(`request: ${summary}`);
      if (shaped) {
        const headers: Record<string, string> = { 'content-type': shaped.contentType, [VIOLATION_HEADER]: violation };
        if (shaped.status === 401) headers['www-authenticate'] = challengeOf(operation);
        return makeFault(status === 401 ? Code.Unauthenticated : Code.InvalidArgument, message, { httpStatus: shaped.status, headers, body: shaped.body });
      }
      return makeFault(Code.InvalidArgument, message, {
        httpStatus: status,
        headers:
          status === 401
            ? { 'content-type': 'application/problem+json', 'www-authenticate': challengeOf(operation), [VIOLATION_HEADER]: violation }
            : { 'content-type': 'application/problem+json', [VIOLATION_HEADER]: violation },
        body: {
          type: 'https://mockstack.dev/problems/request-validation',
          title: 'The request does not match the OpenAPI contract',
          status,
          detail: `${violations.length} violation(s) of ${operation.method} ${operation.path}${operation.operationId ? ` (${operation.operationId})` : ''}`,
          violations,
        },
      });
    },
    source: service.source,
  };
}

/** `Bearer`, `Basic`… for a 401, from the operation's first http-like scheme (an API key has none: `ApiKey`). */
function challengeOf(operation: ApiOperation): string {
  const http = operation.security.flat().find((s) => s.type === 'http');
  return http && http.type === 'http' ? `${http.scheme[0]?.toUpperCase()}${http.scheme.slice(1)}` : 'ApiKey';
}

/** How each problem of a contract answer is answered (RFC 9457 problem details). */
const PROBLEMS = {
  400: { code: Code.InvalidArgument, type: 'https://mockstack.dev/problems/prefer', title: 'The Prefer header asks for something the contract lacks' },
  406: { code: Code.FailedPrecondition, type: 'https://mockstack.dev/problems/not-acceptable', title: 'None of the accepted media types can be answered' },
  501: { code: Code.Unimplemented, type: 'https://mockstack.dev/problems/no-final-answer', title: 'The operation documents only an informational status' },
} as const;

/** An operation's answers from the document: as the request's Prefer and Accept ask, or a given response example. */
interface ContractAnswers {
  /** Its examples or generated values, as the request's Prefer and Accept ask. */
  responder: ContractResponder;
  /** The response example `example` (with its status), in the media type Accept prefers. */
  example: (request: CoreRequest, url: URL, example: ResponseExample) => Reply | Fault;
}

/** `dynamic`: the service's `dynamic` setting, what a request whose Prefer does not say gets. */
function contractAnswers(operation: ApiOperation, api: OpenApi, seed: { value: number }, dynamic: boolean): ContractAnswers {
  const pointedBack = new WeakMap<object, Map<string, { headers: Record<string, string>; body: string | undefined }>>();
  const maker = new ResponseMaker(api, operation, () => seed.value);
  const cursors = cursorParametersOf(operation);
  const bodyCursors = bodyCursorsOf(operation, api.resolve);
  // Kubernetes' lists take `watch` (a boolean query parameter) to answer as a stream of changes.
  const watchable = operation.parameters.some((p) => p.in === 'query' && p.name === 'watch');
  // Its value is generated on the first request that needs it, not at start.
  let forward: ReturnType<typeof forwardCursor>;
  const forwardOf = () => (forward ??= forwardCursor(operation, api.resolve));
  const preferenceOf = (request: CoreRequest) => {
    const preference = parsePrefer(request.headers.prefer);
    if (dynamic && preference.dynamic === undefined) preference.dynamic = true;
    if (watchable && isTrue(request.query.watch)) preference.watch = true;
    const body = request.body;
    if (bodyCursors.length && typeof body === 'object' && body !== null && bodyCursors.some((name) => isGivenInBody((body as Record<string, unknown>)[name]))) {
      preference.lastPage = true;
      return preference;
    }
    if (cursors.length === 0) return preference;
    if (cursors.some((name) => isGiven(request.query[name]))) preference.lastPage = true;
    else if (forwardOf() !== undefined) preference.firstPage = true;
    return preference;
  };
  // A first page's next links name the request's own next page (made once, marked; see withNextPage).
  const paged = (body: string | undefined, url: URL) => {
    const cursor = cursors.length === 0 ? undefined : forwardOf();
    return body === undefined || cursor === undefined ? body : linkToNextPage(body, url, cursor);
  };
  const pointBack = pointBackAt(api);
  const acceptOf = (request: CoreRequest): string | undefined => {
    const streamed = maker.streamedType;
    if (streamed !== undefined && asksForStream(request.body)) return streamed;
    const accept = request.headers.accept;
    return Array.isArray(accept) ? accept.join(',') : accept;
  };
  const answer = (made: ContractResponse | PreferenceProblem, url: URL): Reply | Fault => {
    if (isPreferenceProblem(made)) {
      const status = made.status ?? 400;
      const detail = `${made.problem}${made.available.length ? ` (${status === 406 ? 'it can answer' : 'documented'}: ${made.available.join(', ')})` : ''}`;
      const { code, type, title } = PROBLEMS[status];
      return makeFault(code, detail, {
        httpStatus: status,
        headers: { 'content-type': 'application/problem+json' },
        body: { type, title, status, detail, available: made.available },
      });
    }
    if (!pointBack) return makeReply({ status: made.status, headers: withPaginationLinks(made.headers, url), body: paged(made.body, url) });
    const mock = `${url.origin}${api.basePath}`;
    // A cached answer (the same object while the seed holds) is rewritten once per mock address:
    // GitHub's 23 KB repository example names its server ~100 times.
    let byMock = pointedBack.get(made);
    if (!byMock) {
      byMock = new Map();
      pointedBack.set(made, byMock);
    }
    let rewritten = byMock.get(mock);
    if (!rewritten) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(made.headers)) headers[name] = pointBack(value, mock);
      rewritten = { headers, body: made.body === undefined ? undefined : pointBack(made.body, mock) };
      // A client may name the mock by many Host values; a few are kept.
      if (byMock.size < 8) byMock.set(mock, rewritten);
    }
    return makeReply({ status: made.status, headers: withPaginationLinks({ ...rewritten.headers }, url), body: paged(rewritten.body, url) });
  };
  return {
    responder: (request, url) => answer(maker.respond(preferenceOf(request), acceptOf(request), request), url),
    example: (request, url, example) => answer(maker.respondExample(example.status, example.mediaType && example.name, acceptOf(request)), url),
  };
}

/** A query value that is there and not empty. */
function isGiven(value: string | string[] | undefined): boolean {
  return Array.isArray(value) ? value.some((v) => v !== '') : value !== undefined && value !== '';
}

/** A boolean query flag set: `watch=true` or `watch=1`, as Kubernetes' clients send it. */
function isTrue(value: string | string[] | undefined): boolean {
  const first = Array.isArray(value) ? value[0] : value;
  return first === 'true' || first === '1';
}

/** A cursor sent in a JSON body: a value other than null or an empty string. */
function isGivenInBody(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A body asking for its answer as a stream: `"stream": true` (OpenAI's, Anthropic's, Ollama's APIs), or `stream=true` in a form (OpenAI's transcriptions). */
function asksForStream(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const stream = (body as { stream?: unknown }).stream;
  return stream === true || stream === 'true';
}

/**
 * The rules answering an operation's paired examples: one per response example a request can be paired
 * with (named after it, so the journal and `verify` say which answered), then, when the operation has an
 * `x-microcks-operation` delay, one answering every other request as the contract would, delayed. A
 * request asking `Prefer: code=` or `example=` skips the example rules: what it asks for wins.
 */
function exampleRules(
  dispatch: ExampleDispatch,
  operation: ApiOperation,
  id: string,
  meta: Record<string, unknown>,
  answers: ContractAnswers,
  service: ServiceDefinition,
): RuleDefinition[] {
  // The engine tries the rules' `when` one after another on the same request: the dispatch runs once per
  // request and is remembered for that request only (cheaper than a WeakMap entry per request; another
  // request in between just makes it run again). It is let go once the last rule is tried or one answers.
  let lastRequest: CoreRequest | undefined;
  let lastPick: string | undefined;
  const pick = (request: CoreRequest, forget: boolean): string | undefined => {
    const picked = request === lastRequest ? lastPick : asksForAnswer(request) ? undefined : dispatch.pick(request);
    lastRequest = forget ? undefined : request;
    lastPick = picked;
    return picked;
  };
  const label = operation.operationId ?? id;
  const last = dispatch.examples.length - 1;
  const rules: RuleDefinition[] = dispatch.examples.map((example, index) => ({
    operation: id,
    meta,
    name: `example "${example.name}" of ${label} (${dispatch.dispatcher})`,
    match: { when: (request: CoreRequest) => pick(request, index === last) === example.name },
    respond: (ctx: HandlerContext) => {
      lastRequest = undefined;
      return answers.example(ctx, requestedUrlOf(ctx), example);
    },
    delay: dispatch.delay,
    source: service.source,
  }));
  if (dispatch.delay !== undefined) {
    rules.push({
      operation: id,
      meta,
      name: `x-microcks-operation delay of ${label}`,
      respond: (ctx: HandlerContext) => answers.responder(ctx, requestedUrlOf(ctx)),
      delay: dispatch.delay,
      source: service.source,
    });
  }
  return rules;
}

/** A `Prefer: code=…` or `example=…` names the answer itself. */
function asksForAnswer(request: CoreRequest): boolean {
  const prefer = request.headers.prefer;
  if (prefer === undefined) return false;
  const preference = parsePrefer(prefer);
  return preference.code !== undefined || preference.example !== undefined;
}

/**
 * The URL the client asked for: the REST server's and MSW's requests know it (`requestedUrl`); else it
 * is made from the Host header and the request's target.
 */
function requestedUrlOf(request: CoreRequest): URL {
  const known = (request as Partial<Record<'requestedUrl', unknown>>).requestedUrl;
  if (known instanceof URL) return known;
  const host = request.headers.host;
  const path = request.target.slice(request.target.indexOf(' ') + 1);
  try {
    return new URL(path, `http://${Array.isArray(host) ? host[0] : (host ?? 'localhost')}`);
  } catch {
    return new URL('http://localhost/');
  }
}

/** `headers` with a documented `Link` header's pagination links made for this request (see paginationLinksFor). */
function withPaginationLinks(headers: Record<string, string>, url: URL): Record<string, string> {
  const link = headers.link;
  return link === undefined ? headers : { ...headers, link: paginationLinksFor(link, `${url.pathname}${url.search}`, url.origin) };
}

/**
 * Rewrites the document's own server URLs (in documented `Link`/`Location` headers and examples) to
 * the mock's, so a client following pagination links or a created resource's location stays on
 * the mock; undefined when the document names no absolute server.
 */
function pointBackAt(api: OpenApi): ((text: string, mock: string) => string) | undefined {
  const servers = serverUrlsOf(api.document);
  if (servers.length === 0) return undefined;
  const pattern = new RegExp(servers.map(escapeRegExp).join('|'), 'gi');
  return (text, mock) => (text.includes('://') ? text.replace(pattern, mock) : text);
}

/**
 * Variant rules are compiled as written (they do not pass through `expand`); one that names an
 * operation the document lacks would add a route nobody meant, so it is reported with near names.
 */
export function validateOpenApiVariants(service: Service, model: Model): Problem[] {
  const info = service.config[OPENAPI_INFO] as OpenApiServiceInfo | undefined;
  if (!info) return [];
  const problems: Problem[] = [];
  for (const variant of model.variants.values()) {
    for (const [operation, rules] of variant.services.get(service.name)?.rules ?? []) {
      if (info.operations.has(operation)) continue;
      const near = nearest(operation, [...info.operations], 3);
      problems.push({
        message: `variant "${variant.name}" of service "${service.name}" overrides ${operation}, which ${info.file} does not have; write the served route${near.length ? `, e.g. ${near.join(', ')}` : ''}`,
        source: rules[0]?.source,
      });
    }
  }
  return problems;
}
