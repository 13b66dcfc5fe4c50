import {
  type CorsOptions,
  captureSource,
  type DelaySpec,
  type FallThrough,
  type Fault,
  type Headers,
  type MatchSpec,
  makeFault,
  makeReply,
  type TlsSetting,
} from '@mockstack/core';
import type {
  Control,
  ExactResponder,
  GrpcMethodContract,
  GrpcRegistry,
  IfInferred,
  IsStrict,
  IsTyped,
  MaybePromise,
  NameOf,
  NotInContract,
  StreamReply,
  TypedReply,
} from './contracts.js';
import type { Publish } from './graphql.js';
import {
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

/** Shared with the gRPC adapter by well-known symbols, so that neither package imports the other. */
const STREAM = Symbol.for('mockstack.grpc.stream');
const PAUSE = Symbol.for('mockstack.grpc.pause');

/**
 * A protobuf message as handlers read and write it: field names in lowerCamelCase, enums by
 * name, 64-bit integers as strings, bytes as base64, Timestamps as `{ seconds, nanos }` (a Date
 * or ISO string is accepted when answering).
 */
export type Message = Record<string, unknown>;

/** What a gRPC handler receives. */
export interface GrpcContext<State, Req = Message, Res = Message> {
  /** The request message; for client streaming, the last one received. */
  request: Req;
  /** What `match.body` sees and the journal records: the message; for client streaming and bidi, the list of messages. */
  body: unknown;
  /** Every message received so far: one for unary and server streaming, all of them for client streaming. */
  messages: readonly Req[];
  /**
   * The client's messages as they arrive (bidi): `for await (const m of incoming) write(…)`.
   * Ends when the client half-closes or cancels.
   */
  incoming: AsyncIterable<Req>;
  /** Sends a message now (server streaming and bidi); throws INTERNAL when it does not fit the proto. */
  write(message: Res): void;
  /** Request metadata, names lower-cased (`-bin` values as base64). Same as `headers`. */
  metadata: Headers;
  headers: Headers;
  state: State;
  /** How many times this rule has answered before (0 on the first call). */
  call: number;
  /** Sends an event to the open subscriptions of a GraphQL Subscription field: `publish('orderUpdated', order)`. */
  publish: Publish;
  /** `checkout.payments.v1.PaymentService/Authorize`. */
  method: string;
  /** Aborted when the client cancels or its deadline passes. */
  signal?: AbortSignal | undefined;
}

/**
 * A gRPC handler. Return a message, `respond(msg, { headers, trailers })`, a `fault.grpc(...)`,
 * or for server streaming an array, (async) generator or `grpc.stream(...)` of messages.
 * The parameter may be annotated with a narrower request type.
 */
export type GrpcHandler<State> = { bivarianceHack(ctx: GrpcContext<State, Message>): unknown }['bivarianceHack'];

/** A handler, or a message, Reply, Fault or Sequence answered as is. */
export type GrpcResponder<State> = GrpcHandler<State> | StaticResponse;

/** Per full service name, per method name: how the method answers. Methods left out are auto-mocked. */
export type GrpcServices<State> =
  IsTyped<GrpcRegistry> extends true
    ? IsStrict extends true
      ? TypedGrpcServices<State>
      : TypedGrpcServices<State> & LooseGrpcServices<State>
    : LooseGrpcServices<State>;

/** Services by any name, handlers typed loosely. */
export type LooseGrpcServices<State> = Readonly<Record<string, Readonly<Record<string, GrpcResponder<State>>>>>;

/** The services `mockstack gen` found: only their names and methods are accepted. */
export type TypedGrpcServices<State, G = GrpcRegistry> = {
  readonly [S in keyof G]?: { readonly [M in keyof G[S]]?: GrpcMethodResponder<State, G[S][M]> };
};

/** What a handler of a method may answer: its response message (a stream of them for server streaming). */
export type GrpcAnswer<C> = C extends { response: infer Res; responseStream: infer Streaming }
  ? Streaming extends true
    ? readonly (Res | Pause | Fault)[] | Iterable<Res | Pause | Fault> | AsyncIterable<Res | Pause | Fault> | StreamReply<Res> | Fault
    : Res | TypedReply<Res> | Fault
  : unknown;

/** A handler or static answer of one method, typed by its contract. */
export type GrpcMethodResponder<State, C> = C extends GrpcMethodContract
  ?
      | { bivarianceHack(ctx: GrpcContext<State, C['request'], C['response']>): MaybePromise<GrpcAnswer<C> | FallThrough> }['bivarianceHack']
      | GrpcAnswer<C>
      | Control
  : GrpcResponder<State>;

/** `'package.Service/Method'` of every generated method, or any string without generated types. */
export type GrpcMethodName = IsTyped<GrpcRegistry> extends true ? NameOf<MethodNames<GrpcRegistry>> : string;
type MethodNames<G> = { [S in keyof G]: `${S & string}/${keyof G[S] & string}` }[keyof G];

type GrpcContractOf<Name extends string, G = GrpcRegistry> =
  IsTyped<G> extends false
    ? 'untyped'
    : [Name] extends [MethodNames<G>]
      ? Name extends `${infer S}/${infer M}`
        ? S extends keyof G
          ? M extends keyof G[S]
            ? G[S][M]
            : 'untyped'
          : 'untyped'
        : 'untyped'
      : 'untyped';

export interface GrpcOptions extends ServiceBehaviour {
  /** 0 (default) picks a free port, reported at start. */
  port?: number;
  host?: string;
  /** The .proto file(s), relative to the scenario or the project root. Every service they define is served. */
  proto: string | readonly string[];
  /** Where imports are looked up (besides each proto's own directory and the well-known types). */
  includeDirs?: readonly string[];
  /** Methods without rules answer a seeded message built from the response type (default), or UNIMPLEMENTED when false. */
  autoMock?: boolean;
  /** Serve gRPC server reflection (default true), for grpcurl, grpcui and Postman. */
  reflection?: boolean;
  /** Serve grpc.health.v1.Health (default true), for Kubernetes probes. */
  health?: boolean;
  /** Largest accepted request message in bytes (default 4 MiB). */
  maxMessageBytes?: number;
  /**
   * The real gRPC server (`'localhost:50051'`, `'grpc://…'`, `'grpcs://…'` for TLS) that answers the calls no
   * rule answers, instead of the auto-mock: unary and streaming, metadata and status passed through,
   * journaled under the rule `proxy:<service>`; an unreachable one is UNAVAILABLE. Native gRPC calls only
   * (not those on the `web` port). Default: none.
   * @example grpc({ proto: 'protos/payments.proto', proxy: 'localhost:50051' }, [grpc.method('pkg.Svc/Refund', fault.unavailable())])
   */
  proxy?: string;
  /**
   * TLS: `true` serves a certificate generated at start, signed by a local CA written to
   * `.mockstack/tls/ca.pem` (clients: `credentials.createSsl(ca)`); or your own PEM files. Default off (on with `--tls`).
   */
  tls?: TlsSetting;
  /**
   * Also serve every method to browsers and Connect clients on an HTTP port of its own: the Connect
   * protocol (JSON and binary), gRPC-Web and gRPC, with the same rules, state and journal. HTTP/1.1
   * (browsers) and HTTP/2 with prior knowledge (h2c, needed for client and bidi streaming) on one port.
   * `true` picks a free port; CORS allows pages on this machine by default, as for REST.
   * @example grpc({ port: 50051, proto: 'protos/payments.proto', web: { port: 8083 } }, handlers)
   */
  web?: boolean | { port?: number; host?: string; cors?: boolean | CorsOptions };
}

export interface MethodOptions extends RuleBehaviour {
  /** Conditions: `body` (partial match on the message), `headers` (metadata), `when`. */
  match?: MatchSpec;
}

/** A server-stream answer with a pause between messages, and optional metadata. */
export interface StreamInit {
  /** Waited between two messages: `'200ms'`, `'1s'` or milliseconds. */
  interval?: Duration;
  /** Initial metadata. */
  headers?: Record<string, string>;
  /** Trailing metadata sent with the OK status. */
  trailers?: Record<string, string>;
  /** Waited before the first message. */
  delay?: DelaySpec;
}

/** A pause inside a stream's items. */
export interface Pause {
  readonly [PAUSE]: Duration;
}

/** `'200ms'`, `'1s'` or a number of milliseconds. */
export type Duration = Exclude<DelaySpec, object>;

function method<
  State = unknown,
  const Name extends GrpcMethodName = GrpcMethodName,
  const Responder extends GrpcMethodResponder<State, GrpcContractOf<Name>> = GrpcMethodResponder<State, GrpcContractOf<Name>>,
>(
  operation: Name,
  responder: Responder & NoInfer<IfInferred<Responder, GrpcMethodResponder<State, GrpcContractOf<Name>>, ExactMethod<Responder, GrpcContractOf<Name>>>>,
): RuleOf<State>;
function method<
  State = unknown,
  const Name extends GrpcMethodName = GrpcMethodName,
  const Responder extends GrpcMethodResponder<State, GrpcContractOf<Name>> = GrpcMethodResponder<State, GrpcContractOf<Name>>,
>(
  operation: Name,
  options: MethodOptions,
  responder: Responder & NoInfer<IfInferred<Responder, GrpcMethodResponder<State, GrpcContractOf<Name>>, ExactMethod<Responder, GrpcContractOf<Name>>>>,
): RuleOf<State>;
function method(operation: string, ...args: unknown[]): RuleOf<unknown> {
  const [options, responder] = optionsAndResponder<MethodOptions>(args);
  return rule(operation, options, responder, captureSource());
}

function rule(operation: string, options: MethodOptions, responder: unknown, source: ReturnType<typeof captureSource>): RuleOf<unknown> {
  return Object.assign(ruleBehaviour(options), {
    operation,
    meta: { rpc: operation },
    match: options.match,
    // A handler is called with the adapter's request (GrpcRequest), which carries every GrpcContext field.
    respond: responder,
    source,
  });
}

function servicesToRules<State>(
  services: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  source: ReturnType<typeof captureSource>,
): RuleOf<State>[] {
  const rules: RuleOf<State>[] = [];
  for (const [serviceName, methods] of Object.entries(services)) {
    for (const [methodName, responder] of Object.entries(methods)) rules.push(rule(`${serviceName}/${methodName}`, {}, responder, source));
  }
  return rules;
}

/** Every option of `grpc(...)`, by name (checked complete by the type). */
const GRPC_OPTIONS = {
  ...SERVICE_OPTIONS,
  proto: true,
  includeDirs: true,
  autoMock: true,
  reflection: true,
  health: true,
  maxMessageBytes: true,
  proxy: true,
  tls: true,
  web: true,
} as const satisfies Record<keyof GrpcOptions, true>;

/**
 * A gRPC service from .proto files: every service the protos define is served on one port, with
 * reflection and health. Methods the scenario leaves out answer a seeded auto-mock.
 * Give handlers per full service name and method, or a list of `grpc.method(...)` rules.
 *
 * @example
 * grpc({ port: 50051, proto: 'protos/payments.proto' }, {
 *   'checkout.payments.v1.PaymentService': {
 *     Authorize: ({ request }) => ({ paymentId: 'pay_1', status: 'AUTHORIZED' }),
 *     Capture: fault.grpc('UNAVAILABLE', 'bank is down'),
 *   },
 * })
 */
export function grpc<State, Implementation extends GrpcServices<State> | readonly RuleOf<State>[] = GrpcServices<State> | readonly RuleOf<State>[]>(
  options: GrpcOptions,
  implementation?: Implementation & NoInfer<ExactServices<Implementation, State>>,
): ServiceOf<State>;
export function grpc<State>(options: GrpcOptions, implementation: GrpcServices<State> | readonly RuleOf<State>[] = {}): ServiceOf<State> {
  const source = captureSource();
  return {
    protocol: 'grpc',
    ...serviceBasics(options, GRPC_OPTIONS),
    config: {
      proto: typeof options.proto === 'string' ? [options.proto] : [...options.proto],
      includeDirs: [...(options.includeDirs ?? [])],
      autoMock: options.autoMock ?? true,
      reflection: options.reflection ?? true,
      health: options.health ?? true,
      ...(options.maxMessageBytes !== undefined && { maxMessageBytes: options.maxMessageBytes }),
      ...(options.tls !== undefined && { tls: options.tls }),
      ...(options.web && { web: options.web === true ? {} : { ...options.web } }),
      ...(options.proxy !== undefined && { proxy: options.proxy }),
    },
    rules: Array.isArray(implementation)
      ? implementation
      : servicesToRules(implementation as Readonly<Record<string, Readonly<Record<string, unknown>>>>, source),
    source,
  };
}

/**
 * One rule for one method, `'package.Service/Method'`, with conditions on the message and metadata.
 * @example
 * grpc.method('checkout.payments.v1.PaymentService/Authorize', { match: { body: { amount: { currencyCode: 'USD' } } } },
 *   fault.grpc('INVALID_ARGUMENT', 'only EUR'))
 */
grpc.method = method;

/**
 * Rules for several methods of one service, to mix with `grpc.method` rules in a list.
 * @example grpc(options, [grpc.method('pkg.Svc/A', { times: 1 }, fault.unavailable()), ...grpc.service('pkg.Svc', { A: { ok: true } })])
 */
grpc.service = <
  State = unknown,
  const Service extends GrpcServiceName = GrpcServiceName,
  const Methods extends GrpcMethodsOf<State, Service> = GrpcMethodsOf<State, Service>,
>(
  service: Service,
  methods: Methods & NoInfer<ExactMethods<Methods, Service>>,
): RuleOf<State>[] => servicesToRules({ [service]: methods as Readonly<Record<string, unknown>> }, captureSource());

/**
 * A server-stream answer: messages (Faults end the stream with that status; `grpc.pause` waits),
 * sent with `interval` between them.
 * @example WatchPayment: grpc.stream([{ status: 'AUTHORIZED' }, { status: 'CAPTURED' }], { interval: '200ms' })
 */
grpc.stream = <const Item>(items: Iterable<Item | Pause | Fault> | AsyncIterable<Item | Pause | Fault>, init: StreamInit = {}): StreamReply<Item> =>
  makeReply({ body: { [STREAM]: { items, interval: init.interval } }, headers: init.headers, trailers: init.trailers, delay: init.delay });

/**
 * A pause between two messages of a stream.
 * @example grpc.stream([{ n: 1 }, grpc.pause('1s'), { n: 2 }])
 */
grpc.pause = (delay: Duration): Pause => ({ [PAUSE]: delay });

/** Answers every call of a method with UNIMPLEMENTED (instead of an auto-mock). */
grpc.unimplemented = (message?: string): Fault => makeFault('UNIMPLEMENTED', message ?? 'not implemented');

/** A full service name `mockstack gen` found, or any string without generated types. */
export type GrpcServiceName = IsTyped<GrpcRegistry> extends true ? NameOf<keyof GrpcRegistry & string> : string;

/** The methods of one service, typed by its contract when generated. */
export type GrpcMethodsOf<State, Service extends string, G = GrpcRegistry> =
  IsTyped<G> extends true
    ? [Service] extends [keyof G]
      ? IsStrict extends true
        ? { readonly [M in keyof G[Service]]?: GrpcMethodResponder<State, G[Service][M]> }
        : { readonly [M in keyof G[Service]]?: GrpcMethodResponder<State, G[Service][M]> } & Readonly<Record<string, GrpcResponder<State>>>
      : Readonly<Record<string, GrpcResponder<State>>>
    : Readonly<Record<string, GrpcResponder<State>>>;

/**
 * The answers of handlers as written, each {@link ExactResponder exact} against its method's
 * response: a field the proto lacks is a type error at that handler (protobuf would drop it).
 * Nothing to check for a list of rules, or when the implementation's type was given, not inferred.
 */
export type ExactServices<Implementation, State, G = GrpcRegistry> =
  IsTyped<G> extends false
    ? unknown
    : Implementation extends readonly unknown[]
      ? unknown
      : GrpcServices<State> extends Implementation
        ? unknown
        : { [S in keyof Implementation]: S extends keyof G ? ExactMethods<Implementation[S], S> : Unknown };

/** The methods of one service as written, each answer exact against its response. */
export type ExactMethods<Methods, Service, G = GrpcRegistry> = Methods extends object ? ExactMethodsOf<Methods, Service, G> : unknown;
type ExactMethodsOf<Methods, Service, G> = Service extends keyof G
  ? { [M in keyof Methods]: M extends keyof G[Service] ? ExactMethod<Methods[M], G[Service][M]> : Unknown }
  : unknown;

/** A service or method name the protos lack: a type error in strict mode (`mockstack check`, `scenarios/`), allowed otherwise. */
type Unknown = IsStrict extends true ? NotInContract : unknown;

/** One handler or static answer as written, exact against the method's response. */
export type ExactMethod<Responder, C> = C extends GrpcMethodContract ? ExactResponder<Responder, GrpcAnswer<C> | FallThrough> : unknown;
