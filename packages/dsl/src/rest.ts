import { type CoreRequest, captureSource, type Headers, type MatchSpec, type Query } from '@mockstack/core';
import type { Control, IsTyped, MaybePromise, NameOf, OpenApiOperationContract, OpenApiRegistry, RestRouteRegistry, TypedReply } from './contracts.js';
import { crud } from './crud.js';
import {
  type HttpServiceOptions,
  optionsAndResponder,
  type RuleBehaviour,
  type RuleOf,
  ruleBehaviour,
  type ServiceBehaviour,
  type ServiceOf,
  type StaticResponse,
  serviceBasics,
} from './scenario.js';

/**
 * The params a path template declares: `/orders/:id/items/:sku` → `{ id: string; sku: string }`.
 * A trailing `*` is available as `params['*']`.
 */
export type PathParams<Path extends string> = string extends Path
  ? Record<string, string>
  : Path extends `${infer Head}/${infer Tail}`
    ? PathParams<Head> & PathParams<Tail>
    : Path extends `:${infer Name}`
      ? { [K in Name]: string }
      : Path extends '*'
        ? { '*': string }
        : unknown;

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
}

/** A handler, or a value, Reply, Fault or Sequence to answer with as is. */
export type RestResponder<Path extends string, State> = ((ctx: RestContext<Path, State>) => unknown) | StaticResponse;

export interface RouteOptions extends RuleBehaviour {
  /** Conditions on the request; all must hold. */
  match?: MatchSpec;
}

export interface RestOptions extends ServiceBehaviour, HttpServiceOptions {
  /** 0 (default) picks a free port, reported at start. */
  port?: number;
  host?: string;
  /** Largest accepted request body in bytes (default 1 MiB); larger gets 413. */
  bodyLimit?: number;
  /**
   * An OpenAPI 3.0/3.1 document (JSON or YAML, e.g. `'schemas/shipping-rates.yaml'`) to serve:
   * every operation becomes a route answering its documented example or a value generated from
   * its schema; the routes given to `rest()` override operations by method + path or by
   * `rest.operation(operationId, …)`. Default: none.
   */
  openapi?: string;
  /** With `openapi`: answer requests that break the contract with 400/422 problem+json. Default true. */
  validateRequests?: boolean;
  /**
   * With `openapi`: serve a document with small validity problems (as providers publish them),
   * logging each as a warning, instead of failing (as `mockstack up --lenient`). Default false.
   */
  lenient?: boolean;
  /**
   * With `openapi`: what handlers answer is checked against the documented responses at serve
   * time, and an undocumented status or a body breaking its schema becomes a 500 naming the rule
   * and the field. `false` lets a scenario answer off-contract on purpose (negative tests). Default true.
   */
  validateResponses?: boolean;
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

/** The operation a `METHOD path` route stands for in a generated OpenAPI contract, or `'none'`. */
type RouteContract<M extends string, Path extends string, R = RestRouteRegistry> =
  IsTyped<R> extends true ? (`${M} ${Path}` extends keyof R ? R[`${M} ${Path}`] : 'none') : 'none';

/** A route's responder: typed by its OpenAPI operation when the contract has `METHOD path`, else by the path template. */
export type RouteResponder<M extends string, Path extends string, State> =
  RouteContract<M, Path> extends OpenApiOperationContract ? RestOperationResponder<RouteContract<M, Path>, State> : RestResponder<Path, State>;

/** An `operationId` of the generated OpenAPI contracts, or any string without generated types. */
export type OperationId = IsTyped<OpenApiRegistry> extends true ? NameOf<keyof OpenApiRegistry & string> : string;
type OperationContractOf<Id extends string, O = OpenApiRegistry> =
  IsTyped<O> extends true ? ([Id] extends [keyof O] ? (Id extends keyof O ? O[Id] : 'untyped') : 'untyped') : 'untyped';

function route<M extends Method>(method: M) {
  function define<const Path extends string, State = never>(path: Path, responder: RouteResponder<M, Path, State>): RuleOf<State>;
  function define<const Path extends string, State = never>(path: Path, options: RouteOptions, responder: RouteResponder<M, Path, State>): RuleOf<State>;
  function define(path: string, ...args: unknown[]): RuleOf<unknown> {
    const [options, responder] = optionsAndResponder<RouteOptions>(args);
    return {
      ...ruleBehaviour(options),
      operation: `${method} ${path}`,
      meta: { method, path },
      match: options.match,
      respond: typeof responder === 'function' ? toHandler(responder as (ctx: RestContext<string, unknown>) => unknown) : responder,
      source: captureSource(),
    };
  }
  return define;
}

function toHandler(handler: (ctx: RestContext<string, unknown>) => unknown) {
  return (ctx: CoreRequest & { state: unknown; call: number }) => handler({ ...ctx, params: ctx.params, request: ctx });
}

/**
 * A REST service: a port and its routes. Routes answer in the order declared; the first whose
 * `match` holds wins.
 *
 * @example
 * rest({ port: 8081 }, [
 *   rest.get('/orders/:id', ({ params, state }) => state.orders.find((o) => o.id === params.id) ?? fault.notFound()),
 *   rest.post('/orders', { match: { body: { coupon: 'FREE' } } }, respond({ total: 0 }, { status: 201 })),
 * ])
 */
export function rest<State>(options: RestOptions, routes: readonly RuleOf<State>[] = []): ServiceOf<State> {
  return {
    protocol: 'rest',
    ...serviceBasics(options),
    config: {
      bodyLimit: options.bodyLimit,
      cors: options.cors,
      ...(options.openapi !== undefined && { openapi: options.openapi }),
      ...(options.validateRequests !== undefined && { validateRequests: options.validateRequests }),
      ...(options.lenient !== undefined && { lenient: options.lenient }),
      ...(options.validateResponses !== undefined && { validateResponses: options.validateResponses }),
    },
    rules: routes,
    source: captureSource(),
  };
}

rest.crud = crud;

/** `rest.get(path, responder)` or `rest.get(path, { match, times, delay }, responder)`. */
rest.get = route('GET');
rest.post = route('POST');
rest.put = route('PUT');
rest.patch = route('PATCH');
rest.delete = route('DELETE');
rest.head = route('HEAD');
rest.options = route('OPTIONS');

/**
 * Overrides one operation of the service's OpenAPI document by its `operationId`; the route
 * (method, path, base path) comes from the document.
 *
 * @example
 * rest({ port: 8083, openapi: 'schemas/shipping-rates.yaml' }, [
 *   rest.operation('getRates', { match: { query: { country: 'JP' } } }, fault.unavailable('no carrier for JP')),
 * ])
 */
function operation<State = never, const Id extends OperationId = OperationId>(
  operationId: Id,
  responder: RestOperationResponder<OperationContractOf<Id>, State>,
): RuleOf<State>;
function operation<State = never, const Id extends OperationId = OperationId>(
  operationId: Id,
  options: RouteOptions,
  responder: RestOperationResponder<OperationContractOf<Id>, State>,
): RuleOf<State>;
function operation(operationId: string, ...args: unknown[]): RuleOf<unknown> {
  const [options, responder] = optionsAndResponder<RouteOptions>(args);
  return {
    ...ruleBehaviour(options),
    // Resolved to `METHOD /path` from the document when the service is expanded.
    operation: `operationId ${operationId}`,
    meta: { operationId },
    match: options.match,
    respond: typeof responder === 'function' ? toHandler(responder as (ctx: RestContext<string, unknown>) => unknown) : responder,
    source: captureSource(),
  };
}
rest.operation = operation;
