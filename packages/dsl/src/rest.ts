import {
  type CoreRequest,
  captureSource,
  forwardHttp,
  type Headers,
  type MatchSpec,
  makeReply,
  type Query,
  type Reply,
  type RuleDefinition,
  type WebSocketEndpoint,
} from '@mockstack/core';
import type {
  Control,
  ExactResponder,
  IfInferred,
  IsTyped,
  MaybePromise,
  NameOf,
  OpenApiDocumentRegistry,
  OpenApiOperationContract,
  OpenApiRegistry,
  RestRouteRegistry,
  TypedReply,
} from './contracts.js';
import { crud } from './crud.js';
import type { Publish } from './graphql.js';
import {
  HTTP_SERVICE_OPTIONS,
  type HttpServiceOptions,
  httpTransport,
  optionsAndResponder,
  type RuleBehaviour,
  type RuleOf,
  ruleBehaviour,
  SERVICE_OPTIONS,
  type ServiceBehaviour,
  type ServiceOf,
  type StaticResponse,
  serviceBasics,
} from './scenario.js';

/**
 * The params a path template declares: `/orders/:id/items/:sku` → `{ id: string; sku: string }`.
 * Inside a segment too: `/files/:name.:ext`, `/v1/:name(^.+?)::cancel`, and the document's own form
 * `/v1/{name}:cancel`. A trailing `*` is available as `params['*']`.
 */
export type PathParams<Path extends string> = string extends Path
  ? Record<string, string>
  : Path extends `${infer Head}/${infer Tail}`
    ? PathParams<Head> & PathParams<Tail>
    : Path extends '*'
      ? { '*': string }
      : SegmentParams<Path>;

/** The params of one segment (`::` is a literal colon; in the document's form `{name}`, any colon is). */
type SegmentParams<S extends string> = S extends `${string}{${string}}${string}`
  ? DocumentParams<S>
  : S extends `${infer Before}::${infer After}`
    ? SegmentParams<Before> & SegmentParams<After>
    : S extends `${string}:${infer Rest}`
      ? ParamAt<Rest>
      : unknown;

type DocumentParams<S extends string> = S extends `${string}{${infer Name}}${infer After}` ? { [K in Name]: string } & DocumentParams<After> : unknown;

/** A `:name` whose name ends at `-`, `.` or a `(regex)`, and what follows it. */
type ParamAt<R extends string, Name extends string = ''> = R extends `${infer C}${infer Rest}`
  ? C extends '-' | '.'
    ? { [K in Name]: string } & SegmentParams<Rest>
    : C extends '('
      ? { [K in Name]: string } & (Rest extends `${string})${infer After}` ? SegmentParams<After> : unknown)
      : ParamAt<Rest, `${Name}${C}`>
  : { [K in Name]: string };

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** What a REST handler receives. */
export interface RestContext<Path extends string, State> {
  params: Simplify<PathParams<Path> & Record<never, never>>;
  query: Query;
  /** Lower-cased names. */
  headers: Headers;
  /** Parsed JSON (or text for other content types); undefined without a body. */
  body: unknown;
  state: State;
  /** How many times this rule has answered before (0 on the first call). */
  call: number;
  request: CoreRequest;
  /** Sends an event to the open subscriptions of a GraphQL Subscription field: `publish('orderUpdated', order)`. */
  publish: Publish;
}

/** A handler, or a value, Reply, Fault or Sequence to answer with as is. */
export type RestResponder<Path extends string, State> = ((ctx: RestContext<Path, State>) => unknown) | StaticResponse;

export interface RouteOptions extends RuleBehaviour {
  /** Conditions on the request; all must hold. */
  match?: MatchSpec;
}

/**
 * A REST service's options; `Document` is the `openapi` document's path as written, which types the
 * service's routes.
 */
export interface RestOptions<Document extends OpenApiDocumentName = OpenApiDocumentName> extends ServiceBehaviour, HttpServiceOptions {
  /** 0 (default) picks a free port, reported at start. */
  port?: number;
  host?: string;
  /** Largest accepted request body in bytes (default 16 MiB); larger gets 413. */
  bodyLimit?: number;
  /**
   * An OpenAPI 3.0/3.1/3.2 document (JSON or YAML, e.g. `'schemas/shipping-rates.yaml'`) to serve:
   * every operation becomes a route answering its documented example or a value generated from
   * its schema; the routes given to `rest()` override operations by method + path or by
   * `rest.operation(operationId, …)`. Default: none.
   *
   * With generated types (`mockstack gen`) the routes are typed by the document: `rest.get(path, …)`
   * completes the document's paths for GET (as the router writes them, `/v2/rates/:rateId`, or as the
   * document does, `/rates/{rateId}`), its handler gets the operation's params, query and body and must
   * answer a documented response; in `scenarios/` a path or operationId the document lacks is a type error.
   */
  openapi?: Document;
  /** With `openapi`: answer requests that break the contract with 400/422 problem+json. Default true. */
  validateRequests?: boolean;
  /**
   * With `openapi`: serve a document with small validity problems (as providers publish them),
   * logging each as a warning, instead of failing (as `mockstack up --lenient`). Default false.
   */
  lenient?: boolean;
  /**
   * With `openapi`: the contract answers each request with a value generated anew from the response
   * schema, examples left aside, as `prism mock -d` does (a request's `Prefer: dynamic=false` still
   * gets the documented example). Default false: the documented example, else one generated value per
   * status, the same every time (`Prefer: dynamic=true` asks for a new one). `mockstack up --dynamic` sets it.
   */
  dynamic?: boolean;
  /**
   * With `openapi`: what handlers answer is checked against the documented responses at serve
   * time, and an undocumented status or a body breaking its schema becomes a 500 naming the rule
   * and the field. `false` lets a scenario answer off-contract on purpose (negative tests). Default true.
   */
  validateResponses?: boolean;
  /**
   * With an OpenAPI 3.1 `openapi` document: fire its top-level `webhooks` after an operation answers 2xx,
   * at `url` (a URL, or a runtime expression such as `'{$request.body#/notifyUrl}'`), with the webhook's request
   * example or a value generated from its schema. Journaled like every webhook.
   * @example rest({ openapi: 'schemas/pets.yaml', webhooks: { newPet: { after: 'POST /pets', url: '{$request.body#/notifyUrl}' } } })
   */
  webhooks?: Record<string, { after: string; url: string }>;
  /**
   * Where requests that no rule answers go: the real service's URL (`'http://localhost:3000'`,
   * optionally with a base path). Its answer is sent back and journaled under the rule
   * `proxy:<service>`; an unreachable service is a 502. Default: none (no rule: 404 unmatched).
   * With `openapi`, the real service answers what no rule does (not the document), and the request is
   * checked against the document first: a validation proxy, as Prism's proxy mode (see `checkProxied`).
   */
  proxy?: string;
  /**
   * With `openapi` and `proxy`: what becomes of a request, and of a real answer, that breaks the document
   * (a request off its parameters or body schema; an undocumented status or content type, a body off its
   * schema, formats included). `'warn'` (default): sent and passed on, with the breach in the
   * `x-mockstack-contract-violation` header, the log and the journal, as Prism's proxy; `'fail'`: such a
   * request is refused (400/422) and such an answer is a 502 problem+json listing it; `false`: not checked.
   * @example rest({ openapi: 'schemas/pets.yaml', proxy: 'https://pets.example.com', checkProxied: 'fail' })
   */
  checkProxied?: 'warn' | 'fail' | false;
  /**
   * WebSocket handshakes on the service's port: the function serving each connection it takes
   * (others get 404). Each connection is journaled when it closes, as `GET /path (WebSocket)` with
   * status 101 and the messages both ways. `mswWebSocket(handlers)` serves MSW's `ws.link()`
   * handlers this way. Default: none (handshakes are refused).
   * @example rest({ port: 8090, webSocket: mswWebSocket([chat.addEventListener('connection', ({ client }) => client.send('hello'))]) })
   */
  webSocket?: WebSocketEndpoint;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** What a handler of a contract (OpenAPI) operation receives: params, query and body typed from the document. */
export interface RestOperationContext<C extends OpenApiOperationContract, State> extends Omit<RestContext<string, State>, 'params' | 'query' | 'body'> {
  params: C['params'];
  query: C['query'];
  body: C['body'];
}

/** The body answered without `respond()`: the operation's 200 (or first documented 2xx, or default) response. */
type PlainBody<R> = R extends { 200: infer B }
  ? B
  : R extends { 201: infer B }
    ? B
    : R extends { 202: infer B }
      ? B
      : R extends { default: infer B }
        ? B
        : never;

/** What a handler of an operation may answer: a documented response, with its status when not the default one. */
export type RestOperationAnswer<R> = PlainBody<R> | { [S in keyof R]: TypedReply<R[S], S extends number ? S : number> }[keyof R] | Control;

/** A handler or static answer of a contract operation. */
export type RestOperationResponder<C, State> = C extends OpenApiOperationContract
  ? // An operation whose response has no schema answers `unknown`: a union with it would lose the handler's parameter types.
      | ((ctx: RestOperationContext<C, State>) => MaybePromise<RestOperationAnswer<C['responses']>>)
      | (unknown extends RestOperationAnswer<C['responses']> ? StaticResponse : RestOperationAnswer<C['responses']>)
  : RestResponder<string, State>;

/** A document path `mockstack gen` found (`'schemas/shipping-rates.yaml'`), completed by the editor; any other path too. */
export type OpenApiDocumentName = IsTyped<OpenApiDocumentRegistry> extends true ? (keyof OpenApiDocumentRegistry & string) | (string & {}) : string;

/** `./schemas/x.yaml` and `../schemas/x.yaml` (relative to the scenario) name the generated `schemas/x.yaml`. */
type DocumentKey<D extends string> = D extends `./${infer Rest}` ? DocumentKey<Rest> : D extends `../${infer Rest}` ? DocumentKey<Rest> : D;

/** The generated entry of the document a service names, or `'none'` (no document, not generated, or not known statically). */
type DocumentOf<D extends string, R = OpenApiDocumentRegistry> =
  IsTyped<R> extends true ? (string extends D ? 'none' : DocumentKey<D> extends keyof R ? R[DocumentKey<D>] : 'none') : 'none';

/**
 * The paths a `method` route of a service may name: in a service whose `openapi` document has
 * generated types, the document's paths for that method (completed by the editor; others are type
 * errors in strict mode), otherwise any path.
 */
export type RoutePath<M extends string, Document extends string> =
  DocumentOf<Document> extends { paths: infer P } ? NameOf<(M extends keyof P ? keyof P[M] : never) & string> : string;

/**
 * The operation a route stands for: in a service with a typed document, the document's operation at
 * that method and path; elsewhere (a route of a variant, or of a service typed `rest<State>(…)`),
 * the operation of any generated document with that `METHOD path`; else `'none'`.
 */
type RouteContract<M extends string, Path extends string, Document extends string> =
  DocumentOf<Document> extends { paths: infer P }
    ? M extends keyof P
      ? Path extends keyof P[M]
        ? P[M][Path]
        : 'none'
      : 'none'
    : GlobalRouteContract<M, Path>;
type GlobalRouteContract<M extends string, Path extends string, R = RestRouteRegistry> =
  IsTyped<R> extends true ? (`${M} ${Path}` extends keyof R ? R[`${M} ${Path}`] : 'none') : 'none';

/** A route's responder: typed by its OpenAPI operation (see `RouteContract`), else by the path template. */
export type RouteResponder<M extends string, Path extends string, State, Document extends string = string> =
  RouteContract<M, Path, Document> extends OpenApiOperationContract
    ? RestOperationResponder<RouteContract<M, Path, Document>, State>
    : RestResponder<Path, State>;

/** An `operationId` of the service's document (or of any generated document outside one), or any string without generated types. */
export type OperationId<Document extends string = string> = IsTyped<OpenApiRegistry> extends true ? NameOf<keyof OperationsOf<Document> & string> : string;
type OperationContractOf<Id extends string, Document extends string, O = OperationsOf<Document>> =
  IsTyped<O> extends true ? ([Id] extends [keyof O] ? (Id extends keyof O ? O[Id] : 'untyped') : 'untyped') : 'untyped';
type OperationsOf<Document extends string> = DocumentOf<Document> extends { operations: infer O } ? O : OpenApiRegistry;

/**
 * A rule of a REST service. `Document` is the service's OpenAPI document as written in
 * `rest({ openapi })`, inferred by the route factories from the list they are written in, so that
 * the routes of a service are typed by its own document; `string` when not known.
 */
export interface RestRuleOf<State, Document extends string = string> extends RuleOf<State> {
  /** Phantom: never set, only carries the document's name (a method, so that rules of any document mix). */
  __openapi?(document: Document): void;
}

/**
 * `rest.get` and the other method factories: `(path, responder)` or `(path, { match, times, delay }, responder)`,
 * typed by the service's OpenAPI document when it has generated types. A named type, so that the published
 * declarations keep these signatures as written: inferred from `route(method)`, TypeScript's declaration
 * output would resolve `RouteResponder` against the registry as it is when mockstack is built (empty), and
 * a user's routes would lose their document's params, query, body and answers.
 */
export interface RouteFactory<M extends Method> {
  <
    const Path extends RoutePath<M, Document>,
    State = unknown,
    Document extends string = string,
    const Responder extends RouteResponder<M, Path, State, Document> = RouteResponder<M, Path, State, Document>,
  >(
    path: Path,
    responder: Responder & NoInfer<IfInferred<Responder, RouteResponder<M, Path, State, Document>, ExactRoute<Responder, RouteContract<M, Path, Document>>>>,
  ): RestRuleOf<State, Document>;
  <
    const Path extends RoutePath<M, Document>,
    State = unknown,
    Document extends string = string,
    const Responder extends RouteResponder<M, Path, State, Document> = RouteResponder<M, Path, State, Document>,
  >(
    path: Path,
    options: RouteOptions,
    responder: Responder & NoInfer<IfInferred<Responder, RouteResponder<M, Path, State, Document>, ExactRoute<Responder, RouteContract<M, Path, Document>>>>,
  ): RestRuleOf<State, Document>;
}

function route<M extends Method>(method: M): RouteFactory<M> {
  function define(path: string, ...args: unknown[]): RuleOf<unknown> {
    const [options, responder] = optionsAndResponder<RouteOptions>(args);
    return Object.assign(ruleBehaviour(options), {
      operation: `${method} ${path}`,
      meta: { method, path },
      match: options.match,
      respond: responder,
      source: captureSource(),
    });
  }
  // The signatures are RouteFactory's; this one implementation serves both.
  return define as RouteFactory<M>;
}

/**
 * A REST service: a port and its routes. Routes answer in the order declared; the first whose
 * `match` holds wins. A route's `params` follow its path template.
 *
 * With `openapi`, the service serves that document and, once `mockstack gen` has typed it, its
 * routes are typed by it: the editor completes the document's paths per method (`/v2/rates/:rateId`
 * or `/rates/{rateId}`), handlers get the operation's params, query and body, and must answer a
 * documented response (`respond(body, { status })` for another status than the first 2xx); in
 * `scenarios/` an undocumented path or method is a type error. The document's name is inferred from
 * `openapi`, so in a module of its own give the state type as an annotation
 * (`const shipping: ServiceOf<State> = rest({ openapi }, …)`): `rest<State>(…)` names every type
 * argument itself and leaves the routes typed by their templates.
 *
 * @example
 * rest({ port: 8081 }, [
 *   rest.get('/orders/:id', ({ params, state }) => state.orders.find((o) => o.id === params.id) ?? fault.notFound()),
 *   rest.post('/orders', { match: { body: { coupon: 'FREE' } } }, respond({ total: 0 }, { status: 201 })),
 * ])
 *
 * @example
 * const shipping: ServiceOf<CheckoutState> = rest({ port: 8083, openapi: 'schemas/shipping-rates.yaml' }, [
 *   rest.get('/v2/rates', ({ query }) => ({ rates: query.country === 'DE' ? [dhl] : [] })),
 *   rest.get('/rates/{rateId}', ({ params }) => respond({ title: `no rate ${params.rateId}`, status: 404 }, { status: 404 })),
 * ]);
 */
/** Every option of `rest(...)`, by name (checked complete by the type). */
const REST_OPTIONS = {
  ...SERVICE_OPTIONS,
  ...HTTP_SERVICE_OPTIONS,
  bodyLimit: true,
  openapi: true,
  validateRequests: true,
  lenient: true,
  dynamic: true,
  validateResponses: true,
  webhooks: true,
  proxy: true,
  checkProxied: true,
  webSocket: true,
} as const satisfies Record<keyof RestOptions, true>;

export function rest<State, const Document extends OpenApiDocumentName = string>(
  options: RestOptions<Document>,
  routes: readonly RestRuleOf<State, Document>[] = [],
): ServiceOf<State> {
  return {
    protocol: 'rest',
    ...serviceBasics(options, REST_OPTIONS),
    config: {
      bodyLimit: options.bodyLimit,
      cors: options.cors,
      ...httpTransport(options),
      ...(options.baseUrl !== undefined && { baseUrl: options.baseUrl }),
      ...(options.openapi !== undefined && { openapi: options.openapi }),
      ...(options.validateRequests !== undefined && { validateRequests: options.validateRequests }),
      ...(options.lenient !== undefined && { lenient: options.lenient }),
      ...(options.dynamic !== undefined && { dynamic: options.dynamic }),
      ...(options.validateResponses !== undefined && { validateResponses: options.validateResponses }),
      ...(options.webhooks !== undefined && { webhooks: options.webhooks }),
      ...(options.proxy !== undefined && { proxy: options.proxy }),
      ...(options.checkProxied !== undefined && { checkProxied: options.checkProxied }),
      ...(options.webSocket !== undefined && { webSocket: options.webSocket }),
    },
    rules: routes,
    source: captureSource(),
  };
}

rest.crud = crud;

/** How `rest.proxy` changes the request it sends on. */
export interface ProxyOptions {
  /** Headers set on the request sent on, e.g. the real service's credentials. */
  headers?: Readonly<Record<string, string>>;
  /** Headers taken off the request sent on (case-insensitive). */
  removeHeaders?: readonly string[];
  /** A path prefix taken off before the path is appended to `upstream` (`/api` of `/api/users` → `upstream/users`). */
  stripPrefix?: string;
}

/**
 * A rule's answer taken from the real service: the request is sent on to `upstream` as received
 * (method, path, query, headers, body; changed as `options` say) and its answer is sent back; the
 * journal names the rule. For every request no rule answers, use `rest({ proxy })` instead.
 *
 * @example
 * rest({ port: 8081 }, [
 *   rest.get('/orders/:id', { match: { params: { id: 'ord_1' } } }, { id: 'ord_1', status: 'PAID' }),
 *   rest.get('/orders/:id', rest.proxy('http://localhost:3000', { headers: { authorization: 'Bearer test' } })),
 * ])
 */
rest.proxy =
  (upstream: string, options: ProxyOptions = {}) =>
  async ({ request, body, headers }: { request: CoreRequest; body: unknown; headers: Headers }): Promise<Reply> => {
    const space = request.target.indexOf(' ');
    const method = request.target.slice(0, space);
    let url = request.target.slice(space + 1);
    const { stripPrefix } = options;
    if (stripPrefix && url.startsWith(stripPrefix)) url = url.slice(stripPrefix.length);
    if (!url.startsWith('/')) url = `/${url}`;
    let sent = headers;
    if (options.headers || options.removeHeaders) {
      const removed = new Set((options.removeHeaders ?? []).map((name) => name.toLowerCase()));
      sent = Object.fromEntries(Object.entries(headers).filter(([name]) => !removed.has(name)));
      for (const [name, value] of Object.entries(options.headers ?? {})) sent[name.toLowerCase()] = value;
    }
    const answer = await forwardHttp(upstream, { method, url, headers: sent, body }, request.signal, true);
    return makeReply({ status: answer.status, headers: answer.headers, body: answer.stream ?? answer.body });
  };

/** `rest.get(path, responder)` or `rest.get(path, { match, times, delay }, responder)`. */
rest.get = route('GET');
rest.post = route('POST');
rest.put = route('PUT');
rest.patch = route('PATCH');
rest.delete = route('DELETE');
rest.head = route('HEAD');
rest.options = route('OPTIONS');

/**
 * A route of `method` made from data rather than code (an imported or live stub: Mountebank's imposters),
 * untyped: the same rule `rest.get(path, options, responder)` and the others make.
 *
 * @example
 * rest.route('GET', '/*', { name: 'imposter stub 0' }, () => respond('hi'))
 */
rest.route = (method: Method, path: string, options: RouteOptions, responder: unknown): RuleDefinition =>
  (route(method) as unknown as (path: string, options: RouteOptions, responder: unknown) => RuleDefinition)(path, options, responder);

/**
 * Overrides one operation of the service's OpenAPI document by its `operationId`; the route
 * (method, path, base path) comes from the document.
 *
 * @example
 * rest({ port: 8083, openapi: 'schemas/shipping-rates.yaml' }, [
 *   rest.operation('getRates', { match: { query: { country: 'JP' } } }, fault.unavailable('no carrier for JP')),
 * ])
 */
function operation<
  const Id extends OperationId<Document>,
  State = unknown,
  Document extends string = string,
  const Responder extends RestOperationResponder<OperationContractOf<Id, Document>, State> = RestOperationResponder<OperationContractOf<Id, Document>, State>,
>(
  operationId: Id,
  responder: Responder &
    NoInfer<IfInferred<Responder, RestOperationResponder<OperationContractOf<Id, Document>, State>, ExactRoute<Responder, OperationContractOf<Id, Document>>>>,
): RestRuleOf<State, Document>;
function operation<
  const Id extends OperationId<Document>,
  State = unknown,
  Document extends string = string,
  const Responder extends RestOperationResponder<OperationContractOf<Id, Document>, State> = RestOperationResponder<OperationContractOf<Id, Document>, State>,
>(
  operationId: Id,
  options: RouteOptions,
  responder: Responder &
    NoInfer<IfInferred<Responder, RestOperationResponder<OperationContractOf<Id, Document>, State>, ExactRoute<Responder, OperationContractOf<Id, Document>>>>,
): RestRuleOf<State, Document>;
function operation(operationId: string, ...args: unknown[]): RuleOf<unknown> {
  const [options, responder] = optionsAndResponder<RouteOptions>(args);
  return Object.assign(ruleBehaviour(options), {
    // Resolved to `METHOD /path` from the document when the service is expanded.
    operation: `operationId ${operationId}`,
    meta: { operationId },
    match: options.match,
    respond: responder,
    source: captureSource(),
  });
}
rest.operation = operation;

/**
 * A route's handler or static answer as written, {@link ExactResponder exact} against its
 * operation's documented responses: an object with a property the schema does not declare is a type
 * error at the handler, unless the schema allows more (`additionalProperties: true` or a schema).
 */
export type ExactRoute<Responder, C> = C extends OpenApiOperationContract ? ExactResponder<Responder, RestOperationAnswer<C['responses']>> : unknown;
