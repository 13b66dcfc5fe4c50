import type { Fault, Reply } from '@mockstack/core';
import { type CoreRequest, captureSource, type Headers, type RuleDefinition, type ValueMatcher } from '@mockstack/core';
import type {
  Control,
  Exact,
  ExactResponder,
  GraphqlFieldContract,
  GraphqlOperationContract,
  GraphqlOperationRegistry,
  GraphqlRegistry,
  GraphqlRootRegistry,
  IfInferred,
  IsStrict,
  IsTyped,
  MaybePromise,
  NameOf,
  NotInContract,
  UnionToIntersection,
} from './contracts.js';
import { type Duration, grpc, type Pause } from './grpc.js';
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

/** Field arguments or operation variables, as JSON gives them. */
export type GraphqlArgs = Record<string, unknown>;

/** What a field resolver and an operation handler receive besides args: the request and the shared state. */
export interface GraphqlContext<State> {
  state: State;
  /** HTTP headers of the GraphQL request, names lower-cased. */
  headers: Headers;
  variables: GraphqlArgs;
  /** The operation's name, or undefined for an anonymous operation. */
  operationName: string | undefined;
  /** How many times this rule has answered before (0 on the first call). */
  call: number;
  request: CoreRequest;
  /** Sends an event to the open subscriptions of a Subscription field (see {@link Publish}). */
  publish: Publish;
}

/**
 * A field resolver: `(parent, args, ctx, info) => value`. Return a value (objects may leave
 * fields out: those are auto-mocked), a `fault.*` for a field error with partial data, or a
 * promise of either. Parameters may be annotated with narrower types.
 */
export type FieldResolver<State> = {
  bivarianceHack(parent: unknown, args: GraphqlArgs, ctx: GraphqlContext<State>, info: unknown): unknown;
}['bivarianceHack'];

/** Per type, per field: a resolver, or a value, Fault or Sequence answered as is. */
export type GraphqlResolvers<State, Schema extends GraphqlSchemaName = GraphqlSchemaName> =
  IsTyped<GraphqlRegistry> extends true
    ? IsStrict extends true
      ? TypedResolvers<State, SchemaTypes<Schema>>
      : TolerantResolvers<State, SchemaTypes<Schema>>
    : LooseResolvers<State>;

/** Resolvers by any type and field name, typed loosely. */
export type LooseResolvers<State> = Record<string, Record<string, FieldResolver<State> | StaticResponse>>;

/**
 * The generated schemas a service's resolvers are typed by: those its `schema` names (as written,
 * `./` and `../` dropped), or every generated one when the service names none of them.
 */
type ServiceSchemas<Schema extends string> = string extends Schema
  ? GraphqlSchemaName
  : [SchemaKey<Schema> & GraphqlSchemaName] extends [never]
    ? GraphqlSchemaName
    : SchemaKey<Schema> & GraphqlSchemaName;

/** Whether a service's `schema` entries hold SDL written in the scenario (a brace or a line break: no path has one). */
type HasInlineSdl<Schema extends string> = string extends Schema
  ? false
  : true extends (Schema extends `${string}{${string}` | `${string}\n${string}` ? true : false)
    ? true
    : false;

/** The resolvers a service takes: typed by its generated schemas, loosely for SDL written in the scenario (no types are generated for it). */
type ServiceResolvers<State, Schema extends string> =
  HasInlineSdl<Schema> extends true ? LooseResolvers<State> : GraphqlResolvers<State, ServiceSchemas<Schema>>;

/** Known types and fields typed, others allowed (for schemas the registry does not have; `mockstack check` reports them). */
type TolerantResolvers<State, Types> = {
  [T in keyof Types]?: { [F in keyof Types[T]]?: TypedFieldResponder<State, Types[T][F]> } & Record<string, FieldResolver<State> | StaticResponse>;
} & LooseResolvers<State>;

/** A schema path `mockstack gen` found (`'schemas/catalog.graphql'`), or any string without generated types. */
export type GraphqlSchemaName = IsTyped<GraphqlRegistry> extends true ? keyof GraphqlRegistry & string : string;

/** The types of the given schemas (of all of them by default), merged. */
type SchemaTypes<Schema, G = GraphqlRegistry> = UnionToIntersection<Schema extends keyof G ? G[Schema] : never>;

/** Per type, per field of a generated schema: a resolver or a static value of the field's type. */
export type TypedResolvers<State, Types> = { [T in keyof Types]?: { [F in keyof Types[T]]?: TypedFieldResponder<State, Types[T][F]> } };

/** A resolver (or static value) of one field: typed parent and args, must return the field's type. */
export type TypedFieldResponder<State, C> = C extends GraphqlFieldContract
  ?
      | {
          bivarianceHack(parent: C['parent'], args: C['args'], ctx: GraphqlContext<State>, info: unknown): MaybePromise<C['result'] | Control>;
        }['bivarianceHack']
      | C['result']
      | Control
  : FieldResolver<State> | StaticResponse;

/** `'Query.product'` of every generated field, or any `Type.field` without generated types. */
export type GraphqlFieldName =
  IsTyped<GraphqlRegistry> extends true
    ? IsStrict extends true
      ? FieldNames<SchemaTypes<GraphqlSchemaName>>
      : FieldNames<SchemaTypes<GraphqlSchemaName>> | `${string}.${string}`
    : `${string}.${string}`;
type FieldNames<Types> = { [T in keyof Types]: `${T & string}.${keyof Types[T] & string}` }[keyof Types];
type FieldContractOf<Name extends string, Types = SchemaTypes<GraphqlSchemaName>> =
  IsTyped<GraphqlRegistry> extends false ? 'untyped' : [Name] extends [FieldNames<Types>] ? FieldOf<Name, Types> : 'untyped';
type FieldOf<Name extends string, Types> = Name extends `${infer T}.${infer F}`
  ? T extends keyof Types
    ? F extends keyof Types[T]
      ? Types[T][F]
      : 'untyped'
    : 'untyped'
  : 'untyped';

/** What an auto-mock function receives: where the value goes and a random source seeded from it. */
export interface MockContext {
  /** The object type and field being mocked (the scalar's or enum's own name when unknown). */
  type: string;
  field: string;
  args: GraphqlArgs;
  /** A float in [0, 1), the same for the same type, object, field and args in every run with the same seed. */
  random(): number;
}

/**
 * A mock for a scalar or enum: `(ctx) => value`. For an object type: an object of field values or
 * functions `(args) => value`, or a function returning such an object.
 */
export type MockDefinition = ((ctx: MockContext) => unknown) | Record<string, unknown>;

/** A GraphQL service's options; `Schema` is the schema path as written, which types the service's operation rules. */
export interface GraphqlOptions<Schema extends string = string> extends ServiceBehaviour, HttpServiceOptions {
  /** 0 (default) picks a free port, reported at start. */
  port?: number;
  host?: string;
  /**
   * Serve at `path` on the port of this REST (or GraphQL) service of the scenario, instead of a port
   * of its own: one origin for a frontend's REST and GraphQL calls. Requests for other paths go to that service.
   * @example graphql({ schema: 'schemas/catalog.graphql', on: 'orders' }) // http://…:8081/graphql beside the orders routes
   */
  on?: string;
  /**
   * SDL file(s) relative to the scenario or the project root, or SDL written here (as graphql-tools'
   * `typeDefs`); several are merged. Resolvers of a schema `mockstack gen` typed are type-checked.
   * @example graphql({ schema: 'type Query { hello: String! }' }, { Query: { hello: () => 'hi' } })
   */
  schema: Schema | readonly Schema[];
  /**
   * Endpoint path for POST and GET. Without it, the service answers GraphQL at every path of its
   * port (a client's `/graphql`, `/v1/graphql` or `/api/2025-01/graphql.json` alike) and lists `/graphql`.
   */
  path?: string;
  /** Overrides of the auto-mocks, per scalar, enum or object type. */
  mocks?: Record<string, MockDefinition>;
  /** Deepest selection nesting accepted, introspection excluded (default 15). */
  maxDepth?: number;
  /** Most field selections in one query, fragments expanded (default 2000). */
  maxFields?: number;
  /** Length of auto-mocked lists without `first`/`last`/`limit` args: a number or `[min, max]` (default [2, 4]). */
  listLength?: number | readonly [number, number];
  /** Largest accepted request body in bytes (default 16 MiB). */
  bodyLimit?: number;
  /** Serve SDL with small validity problems, logging each as a warning, instead of failing (as `mockstack up --lenient`). Default false. */
  lenient?: boolean;
  /**
   * How a Subscription field no rule answers is auto-mocked: `events` values generated from the schema
   * (default 3), `interval` apart (default `'1s'`), then complete; `open: true` stays subscribed
   * afterwards for what handlers {@link Publish publish}.
   */
  subscriptions?: { events?: number; interval?: Duration; open?: boolean };
  /**
   * The real GraphQL endpoint (`'http://localhost:4000/graphql'`) that answers the queries and mutations
   * no rule answers (neither an operation rule nor a rule of one of the fields they select): the
   * request is sent there as it came, its answer sent back and journaled under the rule
   * `proxy:<service>`; an unreachable service is a 502. Default: none (the schema's auto-mock answers).
   */
  proxy?: string;
  /**
   * The persisted documents manifest your client's build writes (Relay's `persisted_queries.json`, GraphQL
   * Codegen's `persisted-documents.json`, Apollo's persisted query manifest): a request that sends a
   * document's id instead of its text (`doc_id`, `documentId`, `id`, or APQ's `sha256Hash`) runs that document.
   * @example graphql({ schema: 'schemas/app.graphql', persistedDocuments: 'src/__generated__/persisted_queries.json' })
   */
  persistedDocuments?: string;
}

export interface FieldRuleOptions extends RuleBehaviour {
  /** Conditions on the call; `args` is partial: every key given must match. */
  match?: { args?: GraphqlArgs; headers?: Record<string, ValueMatcher>; when?: (request: CoreRequest) => boolean };
}

export interface OperationRuleOptions<Variables = GraphqlArgs> extends RuleBehaviour {
  /** Conditions on the request; `variables` is partial: every key given must match. */
  match?: { variables?: { [K in keyof Variables]?: unknown }; headers?: Record<string, ValueMatcher>; when?: (request: CoreRequest) => boolean };
}

/** What an operation handler receives. */
export interface OperationContext<State, Variables = GraphqlArgs> extends Omit<GraphqlContext<State>, 'variables'> {
  /** The variables as sent (a variable with a default may be missing). */
  variables: Variables;
  /** The query text. */
  query: string;
}

/**
 * An operation handler. Return the operation's data (an object for the root fields: fields it
 * leaves out are resolved and auto-mocked as usual), `undefined` to answer as without this rule,
 * `respond(body, { status })` for an exact HTTP response, or a `fault.*` for an HTTP-level failure.
 */
export type OperationResponder<State> = ((ctx: OperationContext<State>) => unknown) | StaticResponse;

/** `'query'` or `'mutation'`: the operations `graphql.query` and `graphql.mutation` answer. */
export type OperationKind = 'query' | 'mutation';

/** `./schemas/x.graphql` and `../schemas/x.graphql` (relative to the scenario) name the generated `schemas/x.graphql`. */
type SchemaKey<S extends string> = S extends `./${infer Rest}` ? SchemaKey<Rest> : S extends `../${infer Rest}` ? SchemaKey<Rest> : S;

/**
 * The generated schemas an operation rule may run against: those its service names (inferred from
 * `graphql({ schema })`), or every one for a rule written elsewhere (a variant) or in a service typed
 * `graphql<State>(…)`; `never` when the service's schema is not generated.
 */
type SchemasOf<Schema extends string, G = GraphqlRegistry> = string extends Schema ? keyof G & string : SchemaKey<Schema> & keyof G & string;

/** Operations of the generated operation documents of one kind that run against those schemas, by name. */
type OperationsOfKind<Kind extends OperationKind, Schemas, O = GraphqlOperationRegistry> =
  IsTyped<O> extends true ? (Kind extends keyof O ? { [N in keyof O[Kind] as O[Kind][N] extends { schema: Schemas } ? N : never]: O[Kind][N] } : never) : never;

/**
 * A query (or mutation) name of the project's operation documents (`schemas/*.graphql` holding
 * only operations), completed by the editor; in strict mode (`scenarios/`) others are type errors.
 * Any name without operation documents, or in a service whose schema is not generated.
 */
export type GraphqlOperationName<Kind extends OperationKind, Schema extends string = string> =
  IsTyped<GraphqlOperationRegistry> extends true
    ? [SchemasOf<Schema>] extends [never]
      ? string
      : NameOf<keyof OperationsOfKind<Kind, SchemasOf<Schema>> & string>
    : string;

/**
 * The fields of the schemas' root type of that kind (`Query`, `Mutation`), each optional: the
 * result of an operation the documents do not name (its selection set is unknown).
 */
type RootResult<Kind extends OperationKind, Schemas, Merged extends boolean = true, G = GraphqlRegistry, R = GraphqlRootRegistry> =
  IsTyped<R> extends true
    ? Merged extends true
      ? RootFields<UnionToIntersection<RootTypes<Kind, Schemas, G, R>>>
      : RootFieldsOfEach<RootTypes<Kind, Schemas, G, R>>
    : 'untyped';
/** The root type of that kind of each schema. */
type RootTypes<Kind extends OperationKind, Schemas, G, R> = {
  [S in keyof R & keyof G & Schemas]: R[S] extends Record<Kind, infer T> ? (T extends keyof G[S] ? G[S][T] : never) : never;
}[keyof R & keyof G & Schemas];
/** For a service whose schema is not known statically: the fields of any one schema's root type. */
type RootFieldsOfEach<Types> = [Types] extends [never] ? 'untyped' : Types extends unknown ? RootFields<Types> : never;
type RootFields<Fields> = [Fields] extends [never]
  ? 'untyped'
  : { [F in keyof Fields]?: Fields[F] extends GraphqlFieldContract ? Fields[F]['result'] : unknown };

/** The contract of `graphql.query(name)`: the named operation of a document, else the root type's fields, else `'untyped'`. */
type OperationContractOf<Kind extends OperationKind, Name extends string, Schema extends string, Ops = OperationsOfKind<Kind, SchemasOf<Schema>>> = [
  SchemasOf<Schema>,
] extends [never]
  ? 'untyped'
  : // Without operation documents of that kind Ops is never, whose keys are every name: the root type's fields then.
    [Ops] extends [never]
    ? RootContract<Kind, Schema>
    : [Name] extends [keyof Ops]
      ? Name extends keyof Ops
        ? Ops[Name]
        : 'untyped'
      : RootContract<Kind, Schema>;
type RootContract<Kind extends OperationKind, Schema extends string> =
  RootResult<Kind, SchemasOf<Schema>, KnownSchema<Schema>> extends 'untyped'
    ? 'untyped'
    : { variables: GraphqlArgs; result: RootResult<Kind, SchemasOf<Schema>, KnownSchema<Schema>> };

/**
 * True when the service names its schema files (their root types merge); false when its `schema` is
 * not a literal (or the service is typed `graphql<State>(…)`): an answer then fits any one generated schema.
 */
type KnownSchema<Schema extends string> = string extends Schema ? false : true;

/** Variables of the operation `graphql.query(name)` names (for `match.variables`). */
type VariablesOf<C> = C extends GraphqlOperationContract ? C['variables'] : GraphqlArgs;

/**
 * A rule of a GraphQL service. `Schema` is the service's schema as written in `graphql({ schema })`,
 * inferred by `graphql.query`/`graphql.mutation` from the list they are written in, so that its
 * operations are the ones of that schema; `string` when not known.
 */
export interface GraphqlRuleOf<State, Schema extends string = string> extends RuleOf<State> {
  /** Phantom: never set, only carries the schema's name (a method, so that rules of any schema mix). */
  __schema?(schema: Schema): void;
}

/**
 * A handler (or static answer) of a typed operation: variables as declared, and the answer the
 * operation's root value, `undefined` (answer as without this rule), an exact HTTP reply
 * (`respond(body, { status })`) or a fault.
 */
export type TypedOperationResponder<State, C> = C extends GraphqlOperationContract
  ? ((ctx: OperationContext<State, C['variables']>) => MaybePromise<C['result'] | Reply | Control | undefined>) | C['result'] | Reply | Control
  : OperationResponder<State>;

interface FieldCall {
  parent: unknown;
  args: GraphqlArgs;
  variables: GraphqlArgs;
  operationName: string | undefined;
  info: unknown;
}

/**
 * The GraphQL adapter puts the field call on the request it hands the engine as `graphql`;
 * the engine passes it through to the rule's responder.
 */
type FieldHandlerContext = CoreRequest & { state: unknown; call: number; publish: Publish; graphql?: FieldCall };

function fieldRule(operation: string, options: FieldRuleOptions, responder: unknown, source = captureSource()): RuleDefinition {
  const [type = '', field = ''] = operation.split('.');
  const { args, ...match } = options.match ?? {};
  return Object.assign(ruleBehaviour(options), {
    operation,
    meta: { kind: 'field', type, field },
    match: options.match ? { ...match, ...(args !== undefined && { body: args }) } : undefined,
    respond: typeof responder === 'function' ? toFieldHandler(responder as FieldResolver<unknown>) : responder,
    source,
  });
}

function toFieldHandler(resolver: FieldResolver<unknown>) {
  return (ctx: FieldHandlerContext) => {
    const call = ctx.graphql;
    const context: GraphqlContext<unknown> = {
      state: ctx.state,
      headers: ctx.headers,
      variables: call?.variables ?? {},
      operationName: call?.operationName,
      call: ctx.call,
      request: ctx,
      publish: ctx.publish,
    };
    return resolver(call?.parent, call?.args ?? (ctx.body as GraphqlArgs), context, call?.info);
  };
}

function operationRule(kind: 'query' | 'mutation', name: string, options: OperationRuleOptions, responder: unknown): RuleDefinition {
  const { variables, ...match } = options.match ?? {};
  return Object.assign(ruleBehaviour(options), {
    operation: `${kind} ${name}`,
    meta: { kind: 'operation', type: kind, name },
    match: options.match ? { ...match, ...(variables !== undefined && { body: { variables } }) } : undefined,
    respond: typeof responder === 'function' ? toOperationHandler(responder as (ctx: OperationContext<unknown>) => unknown) : responder,
    source: captureSource(),
  });
}

function toOperationHandler(handler: (ctx: OperationContext<unknown>) => unknown) {
  return (ctx: CoreRequest & { state: unknown; call: number; publish: Publish }) => {
    const body = (ctx.body ?? {}) as { query?: string; variables?: GraphqlArgs; operationName?: string };
    return handler({
      state: ctx.state,
      headers: ctx.headers,
      variables: body.variables ?? {},
      operationName: body.operationName ?? undefined,
      query: body.query ?? '',
      call: ctx.call,
      request: ctx,
      publish: ctx.publish,
    });
  };
}

/** What an operation rule's responder must also be: exact when inferred (see {@link IfInferred}). */
type OperationExactness<Responder, State, Kind extends OperationKind, Name extends string, Schema extends string> = IfInferred<
  Responder,
  TypedOperationResponder<State, OperationContractOf<Kind, Name, Schema>>,
  ExactOperation<Responder, OperationContractOf<Kind, Name, Schema>, RootResult<Kind, SchemasOf<Schema>, KnownSchema<Schema>>>
>;

/**
 * `graphql.query` and `graphql.mutation`: `(name, responder)` or `(name, { match, times, delay }, responder)`,
 * typed by the operation documents (else by the root type's fields). A named type, so that the published
 * declarations keep these signatures as written: inferred from `operation(kind)`, TypeScript's declaration
 * output would resolve `OperationContractOf` against the registry as it is when mockstack is built (empty),
 * and a user's operation rules would lose their variables and answers.
 */
export interface OperationFactory<Kind extends OperationKind> {
  <
    State = unknown,
    Schema extends string = string,
    const Name extends GraphqlOperationName<Kind, Schema> = GraphqlOperationName<Kind, Schema>,
    const Responder extends TypedOperationResponder<State, OperationContractOf<Kind, Name, Schema>> = TypedOperationResponder<
      State,
      OperationContractOf<Kind, Name, Schema>
    >,
  >(
    name: Name,
    responder: Responder & NoInfer<OperationExactness<Responder, State, Kind, Name, Schema>>,
  ): GraphqlRuleOf<State, Schema>;
  <
    State = unknown,
    Schema extends string = string,
    const Name extends GraphqlOperationName<Kind, Schema> = GraphqlOperationName<Kind, Schema>,
    const Responder extends TypedOperationResponder<State, OperationContractOf<Kind, Name, Schema>> = TypedOperationResponder<
      State,
      OperationContractOf<Kind, Name, Schema>
    >,
  >(
    name: Name,
    options: OperationRuleOptions<VariablesOf<OperationContractOf<Kind, Name, Schema>>>,
    responder: Responder & NoInfer<OperationExactness<Responder, State, Kind, Name, Schema>>,
  ): GraphqlRuleOf<State, Schema>;
}

function operation<Kind extends OperationKind>(kind: Kind): OperationFactory<Kind> {
  function define(name: string, ...args: unknown[]): RuleOf<unknown> {
    const [options, responder] = optionsAndResponder<OperationRuleOptions>(args);
    return operationRule(kind, name, options, responder);
  }
  // The signatures are OperationFactory's; this one implementation serves both.
  return define as OperationFactory<Kind>;
}

/** Every option of `graphql(...)`, by name (checked complete by the type). */
const GRAPHQL_OPTIONS = {
  ...SERVICE_OPTIONS,
  ...HTTP_SERVICE_OPTIONS,
  on: true,
  schema: true,
  path: true,
  mocks: true,
  maxDepth: true,
  maxFields: true,
  listLength: true,
  bodyLimit: true,
  lenient: true,
  subscriptions: true,
  proxy: true,
  persistedDocuments: true,
} as const satisfies Record<keyof GraphqlOptions, true>;

/**
 * A GraphQL service from SDL: every field the scenario does not resolve is auto-mocked from its
 * type, deterministically from the scenario's seed. Served over POST and GET at `/graphql`.
 *
 * Operation rules (`graphql.query`, `graphql.mutation`) are typed by the operation documents of the
 * service's schema, whose name is inferred from `schema`; with `graphql<State>(…)` (every type
 * argument given) they are typed by the operations of every generated schema.
 *
 * @example
 * graphql<CheckoutState>({ port: 8082, schema: 'schemas/catalog.graphql' }, {
 *   Query: { product: (_, { sku }, { state }) => state.products.get(String(sku)) ?? fault.notFound(`product ${sku}`) },
 * }, [
 *   graphql.query('GetCart', { match: { variables: { id: 'empty' } } }, { cart: { id: 'empty', lines: [] } }),
 * ])
 */
export function graphql<State, const Schema extends string = string, const Resolvers extends ServiceResolvers<State, Schema> = ServiceResolvers<State, Schema>>(
  options: GraphqlOptions<Schema>,
  resolvers?: Resolvers & NoInfer<HasInlineSdl<Schema> extends true ? unknown : ExactResolvers<Resolvers, State, SchemaTypes<ServiceSchemas<Schema>>>>,
  operations?: readonly GraphqlRuleOf<State, Schema>[],
): ServiceOf<State>;
export function graphql<State, const Schema extends string = string>(
  options: GraphqlOptions<Schema>,
  resolvers: GraphqlResolvers<State> = {},
  operations: readonly GraphqlRuleOf<State, Schema>[] = [],
): ServiceOf<State> {
  const source = captureSource();
  const rules: RuleDefinition[] = [];
  for (const [type, fields] of Object.entries(resolvers as Record<string, Record<string, unknown> | undefined>)) {
    for (const [field, resolver] of Object.entries(fields ?? {})) rules.push(fieldRule(`${type}.${field}`, {}, resolver, source));
  }
  rules.push(...operations);
  return {
    protocol: 'graphql',
    ...serviceBasics(options, GRAPHQL_OPTIONS),
    mount: options.on === undefined ? undefined : { on: options.on, path: options.path ?? '/graphql' },
    config: {
      schema: typeof options.schema === 'string' ? [options.schema] : [...options.schema],
      // Without a path of its own, a standalone service answers GraphQL at every path (as MSW's handlers do).
      ...((options.path !== undefined || options.on !== undefined) && { path: options.path ?? '/graphql' }),
      mocks: options.mocks,
      maxDepth: options.maxDepth,
      maxFields: options.maxFields,
      listLength: options.listLength,
      bodyLimit: options.bodyLimit,
      cors: options.cors,
      ...httpTransport(options),
      ...(options.baseUrl !== undefined && { baseUrl: options.baseUrl }),
      ...(options.lenient !== undefined && { lenient: options.lenient }),
      ...(options.subscriptions !== undefined && { subscriptions: options.subscriptions }),
      ...(options.proxy !== undefined && { proxy: options.proxy }),
      ...(options.persistedDocuments !== undefined && { persistedDocuments: options.persistedDocuments }),
    },
    rules,
    source,
  };
}

/**
 * An operation rule, matched by operation name (and variables), like MSW's `graphql.query`.
 *
 * Typed from the contracts (`mockstack gen`): when the project has operation documents
 * (`schemas/*.graphql` holding only operations, e.g. `query GetCart($id: ID!) { cart(id: $id) { id } }`),
 * the editor completes their names, `variables` are typed as declared and the answer is shaped by
 * the selection set (fields by name; any may be left out: auto-mocked); in `scenarios/` a name the
 * documents lack is a type error. Otherwise the answer is typed by the schema's `Query` fields.
 *
 * @example graphql.query('GetCart', { match: { variables: { id: 'c1' } } }, ({ state, variables }) => ({ cart: state.carts.get(variables.id) }))
 */
graphql.query = operation('query');
/**
 * An operation rule for a mutation, typed like `graphql.query` (by the operation documents, else by the `Mutation` fields).
 * @example graphql.mutation('AddToCart', fault.unauthenticated())
 */
graphql.mutation = operation('mutation');

/**
 * The events of a subscription, sent `interval` apart after `delay`: values of the field's type (objects
 * may leave fields out: auto-mocked), `graphql.pause(…)` to wait, a `fault.*` to send one error and end,
 * `fault.drop()` to cut the connection. The subscription completes after the last event unless `open`.
 * @example graphql.subscription('orderUpdated', graphql.stream([{ status: 'PAID' }, { status: 'SHIPPED' }], { interval: '200ms' }))
 */
graphql.stream = <const Event>(
  events: Iterable<Event | Pause | Fault> | AsyncIterable<Event | Pause | Fault>,
  init: SubscriptionStreamInit<Event> = {},
): GraphqlStream<Event> => ({
  [GRAPHQL_STREAM]: { items: events, ...init },
});

/**
 * A pause between two events of a stream (the same as `grpc.pause`).
 * @example graphql.stream([{ n: 1 }, graphql.pause('1s'), { n: 2 }])
 */
graphql.pause = grpc.pause;

/**
 * A rule for a Subscription field: its events when a client subscribes over WebSocket (graphql-ws)
 * or SSE (graphql-sse). Answer `graphql.stream([...])`, an array or async iterable of events, or a
 * `fault.*` (the subscription is refused with that error; `fault.drop()` cuts the connection). While a
 * subscription is open, what any handler publishes on the field (`ctx.publish('orderUpdated', order)`)
 * is sent too. Typed by the schema's Subscription type (`mockstack gen`).
 * @example graphql.subscription('orderUpdated', { match: { args: { id: 'o1' } } }, ({ args }) => graphql.stream([{ id: args.id, status: 'PAID' }], { open: true }))
 */
function subscription<
  State = unknown,
  const Name extends SubscriptionFieldName = SubscriptionFieldName,
  const Responder extends SubscriptionResponder<State, SubscriptionContractOf<Name>> = SubscriptionResponder<State, SubscriptionContractOf<Name>>,
>(field: Name, responder: Responder): RuleOf<State>;
function subscription<
  State = unknown,
  const Name extends SubscriptionFieldName = SubscriptionFieldName,
  const Responder extends SubscriptionResponder<State, SubscriptionContractOf<Name>> = SubscriptionResponder<State, SubscriptionContractOf<Name>>,
>(field: Name, options: FieldRuleOptions, responder: Responder): RuleOf<State>;
function subscription(field: string, ...args: unknown[]): RuleOf<unknown> {
  const [options, responder] = optionsAndResponder<FieldRuleOptions>(args);
  const operation = field.includes('.') ? field : `Subscription.${field}`;
  const rule = fieldRule(operation, options, responder);
  if (typeof responder === 'function') {
    const handler = responder as (ctx: SubscriptionContext<unknown, GraphqlArgs>) => unknown;
    rule.respond = (ctx: FieldHandlerContext) =>
      handler({
        state: ctx.state,
        headers: ctx.headers,
        args: ctx.graphql?.args ?? (ctx.body as GraphqlArgs),
        variables: ctx.graphql?.variables ?? {},
        operationName: ctx.graphql?.operationName,
        call: ctx.call,
        request: ctx,
        publish: ctx.publish,
        signal: ctx.signal,
      });
  }
  return rule;
}
graphql.subscription = subscription;

/**
 * A field rule with conditions, a count or a delay; for plain resolvers use the resolver map.
 * Useful in variants: `{ catalog: [graphql.field('Query.product', fault.unavailable())] }`.
 * @example graphql.field('Query.product', { match: { args: { sku: 'SKU-GONE' } } }, fault.notFound('no such product'))
 */
function field<
  State = unknown,
  const Name extends GraphqlFieldName = GraphqlFieldName,
  const Responder extends TypedFieldResponder<State, FieldContractOf<Name>> = TypedFieldResponder<State, FieldContractOf<Name>>,
>(
  operation: Name,
  responder: Responder & NoInfer<IfInferred<Responder, TypedFieldResponder<State, FieldContractOf<Name>>, ExactField<Responder, FieldContractOf<Name>>>>,
): RuleOf<State>;
function field<
  State = unknown,
  const Name extends GraphqlFieldName = GraphqlFieldName,
  const Responder extends TypedFieldResponder<State, FieldContractOf<Name>> = TypedFieldResponder<State, FieldContractOf<Name>>,
>(
  operation: Name,
  options: FieldRuleOptions,
  responder: Responder & NoInfer<IfInferred<Responder, TypedFieldResponder<State, FieldContractOf<Name>>, ExactField<Responder, FieldContractOf<Name>>>>,
): RuleOf<State>;
function field(operation: string, ...args: unknown[]): RuleOf<unknown> {
  const [options, responder] = optionsAndResponder<FieldRuleOptions>(args);
  return fieldRule(operation, options, responder);
}
graphql.field = field;

/**
 * The resolvers as written, each answer {@link ExactResponder exact} against its field's type: an
 * object with a field the schema lacks is a type error at that resolver. Nothing to check when the
 * resolvers' type was given, not inferred.
 */
export type ExactResolvers<Resolvers, State, Types = SchemaTypes<GraphqlSchemaName>> =
  IsTyped<GraphqlRegistry> extends false
    ? unknown
    : LooseResolvers<State> extends Resolvers
      ? unknown
      : {
          [T in keyof Resolvers]: T extends keyof Types
            ? {
                [F in keyof Resolvers[T]]: F extends keyof Types[T]
                  ? Types[T][F] extends GraphqlFieldContract
                    ? ExactResponder<Resolvers[T][F], Types[T][F]['result'] | Control>
                    : unknown
                  : Unknown;
              }
            : Unknown;
        };

/** A field rule's resolver or static value as written, {@link ExactResponder exact} against the field's type. */
export type ExactField<Responder, C> = C extends GraphqlFieldContract ? ExactResponder<Responder, C['result'] | Control> : unknown;

/**
 * An operation rule's handler or static answer as written, {@link ExactResponder exact} against the
 * schema's root type (`Root`, the `Query` or `Mutation` fields): a field the schema lacks is a type
 * error, while a schema field the operation does not select may be answered (it is not sent), so
 * one view object serves several operations. `respond()` bodies are HTTP answers, not checked.
 */
export type ExactOperation<Responder, C, Root = 'untyped'> = C extends GraphqlOperationContract
  ? ExactOperationOf<Responder, Root extends 'untyped' ? C['result'] : Root>
  : unknown;
type ExactOperationOf<Responder, Shape> = Responder extends (...args: infer A) => infer R
  ? (...args: A) => R extends PromiseLike<infer X> ? Promise<ExactRootValue<X, Shape>> : ExactRootValue<R, Shape>
  : ExactRootValue<Responder, Shape>;
type ExactRootValue<V, Shape> = V extends Reply ? V : Exact<V, Shape | Control>;

/** A type or field name the schema lacks: a type error in strict mode (`mockstack check`, `scenarios/`), allowed otherwise. */
type Unknown = IsStrict extends true ? NotInContract : unknown;

const GRAPHQL_STREAM = Symbol.for('mockstack.graphql.stream');

/** How `graphql.stream` paces its events. */
export interface SubscriptionStreamInit<Event = unknown> {
  /** Waited between two events: `'200ms'`, `'1s'` or milliseconds (default 0). */
  interval?: Duration;
  /** Waited before the first event. */
  delay?: Duration;
  /** Stay subscribed after the last event, for what handlers publish (default false: complete). */
  open?: boolean;
  /**
   * Which published events this subscription takes (default: every event published on its field).
   * @example ({ args }) => graphql.stream([], { open: true, accept: (event) => event.sku === args.sku })
   */
  accept?(event: Event): boolean;
}

/** A subscription's events, made by `graphql.stream`. */
export interface GraphqlStream<Event = unknown> {
  readonly [GRAPHQL_STREAM]: { items: Iterable<Event | Pause | Fault> | AsyncIterable<Event | Pause | Fault> } & SubscriptionStreamInit<Event>;
}

/** What a subscription rule receives. */
export interface SubscriptionContext<State, Args = GraphqlArgs> extends Omit<GraphqlContext<State>, 'variables'> {
  /** The Subscription field's arguments. */
  args: Args;
  variables: GraphqlArgs;
  /** Aborted when the client unsubscribes or goes away. */
  signal: AbortSignal | undefined;
}

/** What a subscription rule may answer: events of the field's type (a stream, a list, an async iterable) or a fault. */
export type SubscriptionAnswer<Event> = GraphqlStream<Event> | readonly (Event | Pause | Fault)[] | AsyncIterable<Event | Pause | Fault> | Fault | Control;

/** A subscription rule's handler (or its static answer). */
export type SubscriptionResponder<State, C> = C extends GraphqlFieldContract
  ? ((ctx: SubscriptionContext<State, C['args']>) => MaybePromise<SubscriptionAnswer<C['result']>>) | SubscriptionAnswer<C['result']>
  : ((ctx: SubscriptionContext<State>) => unknown) | SubscriptionAnswer<unknown>;

/** Per Subscription field of the generated schemas, its contract: `{ orderUpdated: { args; result } }`. */
type SubscriptionFields<G = GraphqlRegistry, R = GraphqlRootRegistry> =
  IsTyped<R> extends true
    ? UnionToIntersection<
        {
          [S in keyof R & keyof G]: R[S] extends { subscription: infer T } ? (T extends keyof G[S] ? G[S][T] : never) : never;
        }[keyof R & keyof G]
      >
    : never;

/** A Subscription field of a generated schema (`'orderUpdated'`), or any name without generated types. */
export type SubscriptionFieldName = [SubscriptionFields] extends [never] ? string : NameOf<keyof SubscriptionFields & string>;

type SubscriptionContractOf<Name extends string> = [SubscriptionFields] extends [never]
  ? 'untyped'
  : Name extends keyof SubscriptionFields
    ? SubscriptionFields[Name]
    : 'untyped';

/** The event type of a Subscription field (what `publish` takes), `unknown` without generated types. */
export type SubscriptionEvent<Name extends string> =
  SubscriptionContractOf<Name> extends GraphqlFieldContract ? SubscriptionContractOf<Name>['result'] : unknown;

/**
 * Sends an event to every open subscription of a Subscription field, from a handler of any service
 * (a REST POST that creates an order tells the GraphQL subscribers). The event has the field's type
 * (fields left out are auto-mocked). Returns how many subscriptions got it.
 * @example rest.post('/orders', ({ body, state, publish }) => { const order = place(state, body); publish('orderUpdated', order); return order; })
 */
export type Publish = <const Name extends SubscriptionFieldName>(topic: Name, event: SubscriptionEvent<Name>) => number;
