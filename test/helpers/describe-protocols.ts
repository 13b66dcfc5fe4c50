/**
 * One behaviour spec, run over REST, GraphQL and gRPC from one table (after connect-es's
 * `describeTransports`). Every row serves the same operation, "greet a name" (a POST /greet over
 * REST, the `Query.greet` field over GraphQL, `Greeter/SayHello` over gRPC), from rules written once
 * in protocol-neutral terms, and calls it with a real client over a real socket (fetch, a GraphQL POST
 * by fetch, @grpc/grpc-js). Each answer is reduced to one shape the spec compares: the greeting, or the
 * failure's core `Code` and message with how the protocol said it (`native`).
 *
 * A capability that does not apply to a protocol is named in the row's `skips` with the reason: the
 * spec's `protocol.test(capability, …)` then shows it as skipped, never silently left out.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { isFault } from '@mockstack/core';
import { startStack, type TestStack } from '@mockstack/testing';
import { type Fault, graphql, grpc, type RateLimit, type RuleOf, rest, type Sequence, type ServiceOf, scenario } from 'mockstack';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const PROTO = resolve(FIXTURES, 'contracts/greeter.proto');
const SDL = resolve(FIXTURES, 'greeter/greeter.graphql');
const OPENAPI = resolve(FIXTURES, 'greeter/greeter.openapi.json');
const GOOGLE_RPC_PROTOS = resolve(import.meta.dirname, '../../packages/grpc/protos');

export type ProtocolName = 'rest' | 'graphql' | 'grpc';

/** What every row's operation answers. */
export interface Greeting {
  message: string;
  count: number;
}

/** What a handler of a neutral rule receives, whatever the protocol. */
export interface GreetContext<State> {
  name: string;
  state: State;
  /** How many times this rule answered before. */
  call: number;
}

type Duration = `${number}ms` | `${number}s`;

/** Behaviour shared by services, rules and variant overlays. */
export interface Behaviour {
  delay?: Duration | { min: Duration; max: Duration };
  rateLimit?: RateLimit;
  chaos?: { failRate: number; fault?: Fault };
}

/** A rule of the greet operation, written once for every protocol. */
export interface GreetRule<State = unknown> extends Behaviour {
  /** Answers only calls greeting this name. */
  name?: string;
  times?: number;
  whenState?: Record<string, string>;
  setState?: Record<string, string>;
  answer: Greeting | Fault | Sequence | ((ctx: GreetContext<State>) => Greeting | Fault);
}

export interface GreetService<State = unknown> extends Behaviour {
  rules?: readonly GreetRule<State>[];
  /**
   * Serve the greet contract (OpenAPI, SDL, proto) so that it answers what no rule answers. GraphQL and
   * gRPC services always have theirs; over REST only a service with an OpenAPI document does.
   */
  contract?: boolean;
}

/** What a variant does to one service: fail every call, or change its behaviour and add rules that win. */
export type GreetOverlay<State = unknown> = Fault | (Behaviour & { fault?: Fault; rules?: readonly GreetRule<State>[] });

/** A scenario in protocol-neutral terms: services of the row's protocol, by name. */
export interface GreetScenario<State> {
  seed?: number;
  state?: () => State;
  machines?: Record<string, readonly string[]>;
  services: Record<string, GreetService<State>>;
  variants?: Record<string, Record<string, GreetOverlay<State>>>;
}

/** A call reduced to what specs compare. `native` is how the protocol said no (`HTTP 404`, `HTTP 200 NOT_FOUND`, `NOT_FOUND`). */
export type Answer =
  | { ok: true; value: Greeting }
  | { ok: false; code: string; message: string; native: string; retryAfter?: string | undefined }
  | { ok: false; code: 'ABORTED_BY_CLIENT' };

export interface CallOptions {
  /** Aborting it cuts the call from the client's side (the answer is `ABORTED_BY_CLIENT`). */
  signal?: AbortSignal;
}

/** A served greet scenario: call its services, read its stack (reset and variants off before each test). */
export interface Served {
  readonly stack: TestStack;
  call(service: string, name?: string, options?: CallOptions): Promise<Answer>;
}

/** The capabilities a behaviour spec covers; a row skips one only with a reason. */
export type Capability =
  | 'static'
  | 'handlers'
  | 'times'
  | 'state machines'
  | 'variants'
  | 'faults'
  | 'delays'
  | 'rate limits'
  | 'chaos'
  | 'contract fallback'
  | 'journal'
  | 'reset';

/** One row of the table: how a protocol serves neutral rules and how its real client calls them. */
export interface ProtocolRow {
  name: ProtocolName;
  /** The operation as the journal and verification name it. */
  operation: string;
  /** The part of the journaled request body that carries the name (to verify by body, as rules match). */
  sentBody(name: string): unknown;
  /** The journal's status of a call answered without error. */
  okStatus: number | string;
  /**
   * What a call no rule matches gets, when its service has rules for the operation: an error (REST: no
   * contract; gRPC: rules for a method make them the method's only answers), or `'contract'` (GraphQL: a
   * field whose rules all miss resolves as if it had none, from the schema).
   */
  unmatched: 'contract' | { code: string; native: string };
  /** The same with `contract: true`: REST's OpenAPI document answers then; a gRPC method with rules still has only them. */
  unmatchedBesideContract: 'contract' | { code: string; native: string };
  /** A service of this protocol from neutral rules. */
  service<State>(service: GreetService<State>): ServiceOf<State>;
  overlay<State>(overlay: GreetOverlay<State>): unknown;
  /** Calls `service` of `stack` with this protocol's real client. */
  caller(stack: TestStack): { call(service: string, name: string, options: CallOptions): Promise<Answer>; close(): void };
  /** How a rule's fault of each code reaches this protocol's client (the protocol's mapping table, written out). */
  faults: Record<string, string>;
  /**
   * How a fault of the whole service reaches the client (a variant's fault, a service's rate limit): the same
   * as `faults`, except over GraphQL, where no field resolves and the HTTP status says the code too.
   */
  serviceFaults: Record<string, string>;
  /** Capabilities that do not apply to this protocol, with the reason. */
  skips: Partial<Record<Capability, string>>;
}

function isFunction<State>(answer: GreetRule<State>['answer']): answer is (ctx: GreetContext<State>) => Greeting | Fault {
  return typeof answer === 'function';
}

function ruleOptions<State>(rule: GreetRule<State>) {
  const { name: _name, answer: _answer, ...options } = rule;
  return options;
}

function asHttpAnswer(status: number, body: unknown, retryAfter: string | null): Answer {
  if (status >= 200 && status < 300) return { ok: true, value: pickGreeting(body) };
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { ok: false, code: error?.code ?? `HTTP ${status}`, message: error?.message ?? '', native: `HTTP ${status}`, retryAfter: retryAfter ?? undefined };
}

function pickGreeting(value: unknown): Greeting {
  const { message, count } = (value ?? {}) as Greeting;
  return { message, count };
}

async function fetchAnswer(url: string, init: RequestInit, read: (status: number, body: unknown, retryAfter: string | null) => Answer): Promise<Answer> {
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return read(res.status, body, res.headers.get('retry-after'));
  } catch (error) {
    if (init.signal?.aborted) return { ok: false, code: 'ABORTED_BY_CLIENT' };
    throw error;
  }
}

const restRow: ProtocolRow = {
  name: 'rest',
  operation: 'POST /greet',
  sentBody: (name) => ({ name }),
  okStatus: 200,
  unmatched: { code: 'UNMATCHED', native: 'HTTP 404' },
  unmatchedBesideContract: 'contract',
  service<State>({ rules = [], contract, ...behaviour }: GreetService<State>) {
    return rest<State>({ ...behaviour, ...(contract && { openapi: OPENAPI }) }, rules.map(restRule));
  },
  overlay: (overlay) => (isFault(overlay) ? overlay : { ...overlay, rules: overlay.rules?.map(restRule) }),
  caller: (stack) => ({
    call: (service, name, { signal }) =>
      fetchAnswer(
        `${stack.url(service)}/greet`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }), ...(signal && { signal }) },
        asHttpAnswer,
      ),
    close: () => {},
  }),
  faults: {
    INVALID_ARGUMENT: 'HTTP 400',
    UNAUTHENTICATED: 'HTTP 401',
    PERMISSION_DENIED: 'HTTP 403',
    NOT_FOUND: 'HTTP 404',
    FAILED_PRECONDITION: 'HTTP 422',
    RESOURCE_EXHAUSTED: 'HTTP 429',
    INTERNAL: 'HTTP 500',
    UNAVAILABLE: 'HTTP 503',
    DEADLINE_EXCEEDED: 'HTTP 504',
  },
  get serviceFaults() {
    return this.faults;
  },
  // Every capability applies to every protocol today.
  skips: {},
};

function restRule<State>(rule: GreetRule<State>): RuleOf<State> {
  const { answer } = rule;
  const options = { ...ruleOptions(rule), ...(rule.name !== undefined && { match: { body: { name: rule.name } } }) };
  return isFunction(answer)
    ? rest.post('/greet', options, ({ body, state, call }) => answer({ name: (body as { name: string }).name, state: state as State, call }))
    : rest.post('/greet', options, answer);
}

const graphqlRow: ProtocolRow = {
  name: 'graphql',
  // Journaled and verified by the operation the client sent (its field rules answer inside it).
  operation: 'query Greet',
  sentBody: (name) => ({ variables: { name } }),
  okStatus: 200,
  unmatched: 'contract',
  unmatchedBesideContract: 'contract',
  service<State>({ rules = [], contract: _always, ...behaviour }: GreetService<State>) {
    return graphql<State>({ schema: SDL, ...behaviour }, {}, rules.map(graphqlRule));
  },
  overlay: (overlay) => (isFault(overlay) ? overlay : { ...overlay, rules: overlay.rules?.map(graphqlRule) }),
  caller: (stack) => ({
    call: (service, name, { signal }) =>
      fetchAnswer(
        stack.url(service),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'query Greet($name: String!) { greet(name: $name) { message count } }', variables: { name } }),
          ...(signal && { signal }),
        },
        (status, body, retryAfter) => {
          const { data, errors } = (body ?? {}) as {
            data?: { greet?: unknown };
            errors?: { message: string; extensions?: { code?: string; retryAfter?: number } }[];
          };
          const [error] = errors ?? [];
          if (!error) return asHttpAnswer(status, data?.greet, retryAfter);
          const said = error.extensions?.code ?? 'NO CODE';
          const code = codeOfGraphqlCode[said] ?? said;
          const retry = error.extensions?.retryAfter ?? retryAfter;
          return {
            ok: false,
            code,
            message: error.message,
            native: `HTTP ${status} ${said}`,
            retryAfter: retry === null || retry === undefined ? undefined : String(retry),
          };
        },
      ),
    close: () => {},
  }),
  faults: {
    INVALID_ARGUMENT: 'HTTP 200 BAD_USER_INPUT',
    UNAUTHENTICATED: 'HTTP 200 UNAUTHENTICATED',
    PERMISSION_DENIED: 'HTTP 200 FORBIDDEN',
    NOT_FOUND: 'HTTP 200 NOT_FOUND',
    FAILED_PRECONDITION: 'HTTP 200 FAILED_PRECONDITION',
    RESOURCE_EXHAUSTED: 'HTTP 200 RESOURCE_EXHAUSTED',
    INTERNAL: 'HTTP 200 INTERNAL_SERVER_ERROR',
    UNAVAILABLE: 'HTTP 200 UNAVAILABLE',
    DEADLINE_EXCEEDED: 'HTTP 200 DEADLINE_EXCEEDED',
  },
  serviceFaults: {
    INVALID_ARGUMENT: 'HTTP 400 BAD_USER_INPUT',
    UNAUTHENTICATED: 'HTTP 401 UNAUTHENTICATED',
    PERMISSION_DENIED: 'HTTP 403 FORBIDDEN',
    NOT_FOUND: 'HTTP 404 NOT_FOUND',
    FAILED_PRECONDITION: 'HTTP 422 FAILED_PRECONDITION',
    RESOURCE_EXHAUSTED: 'HTTP 429 RESOURCE_EXHAUSTED',
    INTERNAL: 'HTTP 500 INTERNAL_SERVER_ERROR',
    UNAVAILABLE: 'HTTP 503 UNAVAILABLE',
    DEADLINE_EXCEEDED: 'HTTP 504 DEADLINE_EXCEEDED',
  },
  // Every capability applies to every protocol today.
  skips: {},
};

/** The Apollo Server codes a GraphQL error says where one exists, read back as the Code a spec compares. */
const codeOfGraphqlCode: Readonly<Record<string, string>> = {
  BAD_USER_INPUT: 'INVALID_ARGUMENT',
  FORBIDDEN: 'PERMISSION_DENIED',
  INTERNAL_SERVER_ERROR: 'INTERNAL',
};

function graphqlRule<State>(rule: GreetRule<State>): RuleOf<State> {
  const { answer } = rule;
  const options = { ...ruleOptions(rule), ...(rule.name !== undefined && { match: { args: { name: rule.name } } }) };
  return isFunction(answer)
    ? graphql.field('Query.greet', options, (_parent: unknown, args: { name: string }, ctx: { state: unknown; call: number }) =>
        answer({ name: args.name, state: ctx.state as State, call: ctx.call }),
      )
    : graphql.field('Query.greet', options, answer);
}

const SAY_HELLO = 'demo.greeter.v1.Greeter/SayHello';

type GreeterClient = grpcJs.Client & {
  SayHello(
    request: { name: string },
    options: grpcJs.CallOptions,
    callback: (error: grpcJs.ServiceError | null, reply: Greeting) => void,
  ): grpcJs.ClientUnaryCall;
};
const Greeter = (
  grpcJs.loadPackageDefinition(protoLoader.loadSync(PROTO, { defaults: true })) as unknown as {
    demo: { greeter: { v1: { Greeter: grpcJs.ServiceClientConstructor } } };
  }
).demo.greeter.v1.Greeter;

const grpcRow: ProtocolRow = {
  name: 'grpc',
  operation: SAY_HELLO,
  sentBody: (name) => ({ name }),
  okStatus: 'OK',
  unmatched: { code: 'NOT_FOUND', native: 'NOT_FOUND' },
  unmatchedBesideContract: { code: 'NOT_FOUND', native: 'NOT_FOUND' },
  service<State>({ rules = [], contract: _always, ...behaviour }: GreetService<State>) {
    return grpc<State, readonly RuleOf<State>[]>({ proto: PROTO, ...behaviour }, rules.map(grpcRule));
  },
  overlay: (overlay) => (isFault(overlay) ? overlay : { ...overlay, rules: overlay.rules?.map(grpcRule) }),
  caller: (stack) => {
    const clients = new Map<string, GreeterClient>();
    return {
      call: (service, name, { signal }) => {
        let client = clients.get(service);
        if (!client) {
          client = new Greeter(stack.url(service), grpcJs.credentials.createInsecure()) as unknown as GreeterClient;
          clients.set(service, client);
        }
        const greeter = client;
        return new Promise<Answer>((done) => {
          // A call that may be cut carries a deadline, as real clients' calls do: the server aborts the delay
          // of a unary call without one only when it ends (grpc-adapter.ts keeps the AbortController off that path).
          const options = signal ? { deadline: Date.now() + 10 * 60_000 } : {};
          const call = greeter.SayHello({ name }, options, (error, reply) => {
            if (!error) done({ ok: true, value: pickGreeting(reply) });
            else if (signal?.aborted) done({ ok: false, code: 'ABORTED_BY_CLIENT' });
            else {
              const code = grpcJs.status[error.code] ?? String(error.code);
              done({ ok: false, code, message: error.details, native: code, retryAfter: retryDelayOf(error.metadata) });
            }
          });
          signal?.addEventListener('abort', () => call.cancel(), { once: true });
        });
      },
      close: () => {
        for (const client of clients.values()) client.close();
      },
    };
  },
  faults: {
    INVALID_ARGUMENT: 'INVALID_ARGUMENT',
    UNAUTHENTICATED: 'UNAUTHENTICATED',
    PERMISSION_DENIED: 'PERMISSION_DENIED',
    NOT_FOUND: 'NOT_FOUND',
    FAILED_PRECONDITION: 'FAILED_PRECONDITION',
    RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
    INTERNAL: 'INTERNAL',
    UNAVAILABLE: 'UNAVAILABLE',
    DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  },
  get serviceFaults() {
    return this.faults;
  },
  // Every capability applies to every protocol today.
  skips: {},
};

function grpcRule<State>(rule: GreetRule<State>): RuleOf<State> {
  const { answer } = rule;
  const options = { ...ruleOptions(rule), ...(rule.name !== undefined && { match: { body: { name: rule.name } } }) };
  return isFunction(answer)
    ? grpc.method(SAY_HELLO, options, ({ request, state, call }) => answer({ name: (request as { name: string }).name, state: state as State, call }))
    : grpc.method(SAY_HELLO, options, answer as never);
}

/** A gRPC error's retry hint: the seconds of the google.rpc.RetryInfo among its google.rpc.Status details. */
function retryDelayOf(metadata: grpcJs.Metadata): string | undefined {
  const [bin] = metadata.get('grpc-status-details-bin');
  if (!Buffer.isBuffer(bin)) return undefined;
  // protobufjs as @grpc/proto-loader brings it (the decoder grpc-js clients use), for google.rpc messages.
  const protobuf = createRequire(createRequire(import.meta.url).resolve('@grpc/proto-loader'))('protobufjs') as typeof import('protobufjs');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/rpc') ? resolve(GOOGLE_RPC_PROTOS, target) : target);
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
  const status = root.lookupType('google.rpc.Status').decode(bin) as unknown as { details: { type_url: string; value: Uint8Array }[] };
  const info = status.details.find((d) => d.type_url === 'type.googleapis.com/google.rpc.RetryInfo');
  if (!info) return undefined;
  const retry = root.lookupType('google.rpc.RetryInfo');
  return (retry.toObject(retry.decode(info.value), { longs: String }) as { retryDelay?: { seconds?: string } }).retryDelay?.seconds;
}

/** The table: every protocol a behaviour spec runs over. */
export const protocolRows: readonly ProtocolRow[] = [restRow, graphqlRow, grpcRow];

/** What a spec body receives: its protocol's row, a way to serve a neutral scenario, and `test` that honours the row's skips. */
export interface ProtocolUnderTest {
  row: ProtocolRow;
  /** Serves the scenario for the tests of this describe block (reset and variants off before each test; closed after). */
  serve<State>(definition: GreetScenario<State>): Served;
  /** A test of `capability`, skipped (its title saying why) where the row says it does not apply. */
  test(capability: Capability, title: string, body: () => Promise<void>): void;
}

/** Runs `spec` once per protocol of the table, each in its own describe block named after the protocol. */
export function describeProtocols(title: string, spec: (protocol: ProtocolUnderTest) => void): void {
  describe.each(protocolRows.map((row) => [row.name, row] as const))(`${title} over %s`, (_name, row) => {
    spec({
      row,
      serve: (definition) => serve(row, definition),
      test: (capability, testTitle, body) => {
        const reason = row.skips[capability];
        if (reason) test.skip(`${testTitle} (does not apply to ${row.name}: ${reason})`, body);
        else test(testTitle, body);
      },
    });
  });
}

function serve<State>(row: ProtocolRow, definition: GreetScenario<State>): Served {
  let stack: TestStack | undefined;
  let caller: ReturnType<ProtocolRow['caller']> | undefined;
  const services = Object.fromEntries(Object.entries(definition.services).map(([name, service]) => [name, row.service(service)]));
  const variants = Object.fromEntries(
    Object.entries(definition.variants ?? {}).map(([variant, overlays]) => [
      variant,
      Object.fromEntries(Object.entries(overlays).map(([service, overlay]) => [service, row.overlay(overlay)])),
    ]),
  );
  const greetScenario = scenario(`behaviour-${row.name}`, {
    seed: definition.seed ?? 1,
    ...(definition.state && { state: definition.state }),
    ...(definition.machines && { machines: definition.machines }),
  })
    .services(services)
    .variants(variants as never);
  beforeAll(async () => {
    stack = await startStack(greetScenario);
    caller = row.caller(stack);
  });
  afterAll(async () => {
    caller?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    await stack?.reset();
    await stack?.variant();
  });
  return {
    get stack(): TestStack {
      if (!stack) throw new Error('the stack starts in beforeAll: use it inside a test');
      return stack;
    },
    call: (service, name = 'Ada', options = {}) => {
      if (!caller) throw new Error('the stack starts in beforeAll: call it inside a test');
      return caller.call(service, name, options);
    },
  };
}
