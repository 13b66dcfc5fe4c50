import type { FallThrough, Fault, Reply, Sequence } from '@mockstack/core';

/**
 * The contract registry: empty here, filled by the file `mockstack gen` writes, which augments it
 * with every gRPC service, GraphQL schema and OpenAPI operation of the project's contracts. The
 * builders (`grpc`, `graphql`, `rest.operation`) are generic over its keys, so names complete in
 * the editor and handler signatures follow the contract. Without generated types every name is
 * accepted and handlers are typed loosely, as before.
 *
 * @example
 * declare module 'mockstack' {
 *   interface Contracts {
 *     grpc: { 'pkg.Svc': { Get: { request: { id: string }; response: { name?: string }; requestStream: false; responseStream: false } } };
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by generated files
export interface Contracts {}

/** One RPC as the registry describes it. */
export interface GrpcMethodContract {
  /** The request message as handlers read it (defaults filled in, enums by name, int64 as strings). */
  request: unknown;
  /** The response message as handlers may write it (every field optional). */
  response: unknown;
  requestStream: boolean;
  responseStream: boolean;
}

/** One GraphQL field as the registry describes it. */
export interface GraphqlFieldContract {
  parent: unknown;
  args: unknown;
  result: unknown;
}

/** One named GraphQL operation of a client document (`query GetCart($id: ID!) { … }`) as the registry describes it. */
export interface GraphqlOperationContract {
  /** The variables as sent (a variable with a default may be missing). */
  variables: unknown;
  /** The root value a handler answers: the selected fields by name, each optional (left out: auto-mocked). */
  result: unknown;
}

/** One OpenAPI operation as the registry describes it. */
export interface OpenApiOperationContract {
  method: string;
  route: string;
  params: unknown;
  query: unknown;
  body: unknown;
  /** Status (or `default`) → body. */
  responses: unknown;
}

/** The generated registries, or `never` while nothing is generated. */
export type GrpcRegistry = Contracts extends { grpc: infer G } ? G : never;
export type GraphqlRegistry = Contracts extends { graphql: infer G } ? G : never;
export type OpenApiRegistry = Contracts extends { openapi: infer O } ? O : never;
/** The same OpenAPI operations by `METHOD /route` (`'GET /v2/rates/:id'`). */
export type RestRouteRegistry = Contracts extends { rest: infer R } ? R : never;
/**
 * The same operations per document (`'schemas/shipping-rates.yaml'`): `operations` by
 * `operationId`, `paths` by method and every path a route may name the operation by.
 */
export type OpenApiDocumentRegistry = Contracts extends { openapiDocuments: infer D } ? D : never;
/** GraphQL operations of the project's operation documents, by kind (`query`, `mutation`) and name. */
export type GraphqlOperationRegistry = Contracts extends { graphqlOperations: infer O } ? O : never;
/** Each GraphQL schema's root type names: `{ query: 'Query'; mutation: 'Mutation' }`. */
export type GraphqlRootRegistry = Contracts extends { graphqlRoots: infer R } ? R : never;

/**
 * True when unknown names are type errors (`mockstack check` turns this on in its own program).
 * Otherwise names the contracts lack stay allowed and loosely typed, so scenarios and tests of
 * other contracts (fixtures) share one TypeScript program; `mockstack check` reports them.
 */
export type IsStrict = Contracts extends { strict: true } ? true : false;

/** Known names, completed by the editor; other strings too unless strict. */
export type NameOf<Known extends string> = IsStrict extends true ? Known : Known | (string & {});

/** True when `mockstack gen` has filled that part of the registry. */
export type IsTyped<R> = [R] extends [never] ? false : true;

/**
 * A reply that remembers its body and status at the type level (`respond()` returns one), so
 * handlers of a contract operation are checked against the documented responses.
 */
export interface TypedReply<Body, Status extends number = number> extends Reply {
  /** Phantom: never set. */
  readonly __body?: Body;
  /** Phantom: never set. */
  readonly __status?: Status;
}

/** A server-stream answer of `grpc.stream(...)`, typed by its messages. */
export interface StreamReply<Item> extends Reply {
  /** Phantom: never set. */
  readonly __stream?: Item;
}

/** `A | B` → `A & B` (to merge the types of several GraphQL schemas). */
export type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Anything a static answer may be besides the contract's own shape (`fallThrough()`: the contract's auto-mock answers). */
export type Control = Fault | Sequence | FallThrough;

/** `T` or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * What a field gets in place of its type when an answer has it but the contract does not: the type
 * error then reads `Types of property 'paymentID' are incompatible: Type 'string' is not assignable
 * to type 'NotInContract'` at the handler or the field.
 */
export interface NotInContract {
  /** Phantom: no value has it. */
  readonly 'this field is not in the contract': never;
}

type KeysOfUnion<T> = T extends unknown ? keyof T : never;
type PropertyOfUnion<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
type ElementOfUnion<T> = T extends readonly (infer E)[] ? E : never;
type BodyOfUnion<T> = T extends Reply
  ? '__stream' extends keyof T
    ? T extends StreamReply<infer I>
      ? I
      : never
    : T extends TypedReply<infer B>
      ? B
      : never
  : T;
/** The object types of a contract type that name their fields (not arrays, functions or DSL values). */
type RecordsOf<T> = Exclude<Extract<T, object>, readonly unknown[] | Control | Reply | ((...args: never) => unknown)>;

/**
 * `V` (an answer as written) where every field its contract type `T` lacks, at any depth, is
 * {@link NotInContract}: an answer assignable to `Exact<V, T>` has no unknown field. DSL values
 * (faults, `fallThrough()`, sequences), functions, iterables and untyped parts pass as they are.
 */
export type Exact<V, T> = 0 extends 1 & V
  ? V
  : unknown extends T
    ? V
    : V extends Control | ((...args: never) => unknown)
      ? V
      : V extends Reply
        ? ExactReply<V, T>
        : V extends readonly unknown[]
          ? { readonly [K in keyof V]: Exact<V[K], ElementOfUnion<NonNullable<T>> | BodyOfUnion<ElementOfUnion<NonNullable<T>>>> }
          : V extends Iterable<unknown> | AsyncIterable<unknown> | PromiseLike<unknown>
            ? V
            : V extends object
              ? [RecordsOf<BodyOfUnion<T>>] extends [never]
                ? V
                : string extends KeysOfUnion<RecordsOf<BodyOfUnion<T>>>
                  ? V
                  : {
                      [K in keyof V]: K extends KeysOfUnion<RecordsOf<BodyOfUnion<T>>>
                        ? Exact<V[K], PropertyOfUnion<RecordsOf<BodyOfUnion<T>>, K>>
                        : NotInContract;
                    }
              : V;

/** `respond(body)` and `grpc.stream(items)`, told apart by their phantom fields (both are Replies), with exact bodies. */
type ExactReply<V, T> = '__stream' extends keyof V
  ? V extends StreamReply<infer I>
    ? StreamReply<Exact<I, BodyOfUnion<T>>>
    : V
  : V extends TypedReply<infer B, infer S>
    ? TypedReply<Exact<B, BodyOfUnion<T>>, S>
    : V;

/**
 * A handler (or static answer) `H` as written, with its answer made {@link Exact} against the
 * contract's answer type `T`: the builders intersect what they infer with it, so an answer with a
 * field the contract lacks fails at the handler.
 */
export type ExactResponder<H, T> = H extends (...args: infer A) => infer R ? (...args: A) => ExactResult<R, T> : Exact<H, T>;
type ExactResult<R, T> = R extends PromiseLike<infer X> ? Promise<Exact<X, T>> : Exact<R, T>;

/**
 * `Exactness` for a responder the builder inferred; `unknown` when inference fell back to the whole
 * `Constraint` (the answer does not fit the contract at all): the plain constraint then reports the
 * wrong field, where an intersection with the exact form would accept it.
 */
export type IfInferred<Responder, Constraint, Exactness> = [Constraint] extends [Responder] ? unknown : Exactness;
