import type { Code } from './code.js';
import type { Outcome } from './engine.js';
import type { Matcher } from './match.js';
import type { RedactSetting } from './redact.js';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Header values as node gives them, names lower-cased. */
export type Headers = Record<string, string | string[] | undefined>;
export type Query = Record<string, string | string[] | undefined>;

/** A request as the engine sees it, whatever protocol carried it. */
export interface CoreRequest {
  protocol: string;
  service: string;
  /** Operation id: `GET /orders/:id`, `Query.product`, `pkg.Service/Method`. */
  operation: string;
  params: Record<string, string>;
  query: Query;
  headers: Headers;
  body: unknown;
  /** What a person would recognise the request by in a log: `GET /orders/42?x=1`. */
  target: string;
  /**
   * False when `target` has no query string: redaction then does not search it. An adapter that builds
   * its target by concatenation says so (searching such a string first copies it whole, on every request).
   */
  targetHasQuery?: boolean | undefined;
  /** Aborted when the client goes away or its deadline passes; delays stop early. */
  signal?: AbortSignal | undefined;
  /**
   * Answers the request after the engine's call for it was cut short: the runner's watchdog stopped
   * a handler stuck in a synchronous loop, unwinding the adapter's own stack. Adapters that can
   * answer then (REST) set it; without it the request is journaled and left to the client's timeout.
   */
  answerLate?: ((outcome: Outcome) => void) | undefined;
  /**
   * The outer request's operation when this one is part of it (a GraphQL field inside
   * `query GetCart`). The service-wide fault and delay were applied to the outer request, so the
   * engine does not apply them again.
   */
  partOf?: string | undefined;
}

/**
 * What a handler receives: the request itself, to which the engine adds the scenario's shared state
 * and the call number (adapters may declare both on their request classes, so every request has one shape).
 */
export interface HandlerContext<State = unknown> extends CoreRequest {
  state: State;
  /** How many times this rule has answered before this call (0 on the first). */
  call: number;
  /**
   * Sends `payload` to everything subscribed to `topic` in this stack (a GraphQL subscription field's
   * name: every open subscription of that field gets it as its next event). Returns how many got it.
   */
  publish: (topic: string, payload: unknown) => number;
}

export const KIND: unique symbol = Symbol.for('mockstack.kind') as never;

/** Where a scenario module's default export keeps its definition (see `scenarioDefinitionOf`). */
export const SCENARIO: unique symbol = Symbol.for('mockstack.scenario') as never;

/** An explicit reply: status, headers and body (metadata/trailers for gRPC). */
export interface Reply {
  readonly [KIND]: 'reply';
  status?: number | undefined;
  headers?: Record<string, string> | undefined;
  body?: unknown;
  trailers?: Record<string, string> | undefined;
  delay?: DelaySpec | undefined;
  /** Outbound calls made once this answer is decided (see `Webhook`). */
  webhooks?: readonly Webhook[] | undefined;
}

/**
 * An outbound HTTP call a scenario makes beside an answer (a payment provider notifying its client),
 * or an OpenAPI callback. Only this URL is ever called; each call is journaled (protocol `webhook`).
 */
export interface Webhook {
  readonly [KIND]: 'webhook';
  url: string;
  /** Sent as JSON unless a string or bytes. */
  body?: unknown;
  /** Default POST. */
  method?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** Waited before the call. */
  delay?: DelaySpec | undefined;
  /** How long the target may take to answer before the call is cut and journaled as failed (default 5 s). */
  timeout?: Duration | undefined;
  /** Names the call in the journal (e.g. the OpenAPI callback's name). */
  name?: string | undefined;
}

/** A failure in the protocol-neutral vocabulary; each adapter speaks it in its own terms. */
export interface Fault {
  readonly [KIND]: 'fault';
  code: Code;
  message: string;
  /** Overrides the HTTP status the code maps to (e.g. 418, or 503 instead of 500). */
  httpStatus?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** Seconds, sent as `Retry-After` over HTTP and as retry info over gRPC. */
  retryAfter?: number | undefined;
  /** Extra data: in the JSON error body over HTTP, `extensions` in GraphQL, status details in gRPC. */
  details?: unknown;
  /** Over HTTP, send exactly this body instead of the standard error body. */
  body?: unknown;
  /** The connection is dropped instead of answering (`reset`) or answered with nothing (`empty`). */
  transport?: 'reset' | 'empty' | undefined;
  /** Outbound calls made beside this fault when a rule answers it (`webhook(url, body, options)`); each is journaled. */
  webhooks?: readonly Webhook[] | undefined;
}

/** Answers one call after another from a list; after the last, repeats it or starts again. */
export interface Sequence {
  readonly [KIND]: 'sequence';
  steps: readonly Responder[];
  after: 'repeat-last' | 'cycle' | 'unmatched';
}

export type HandlerFunction<State = unknown> = (ctx: HandlerContext<State>) => unknown;

/**
 * Anything a rule can answer with: a plain value (the body), a Reply, a Fault, a Sequence,
 * or a HandlerFunction returning one of those (or a promise of it).
 */
export type Responder = unknown;

/** `800ms`, `2s`, a number of milliseconds, a range, or a lognormal distribution; random ones draw from the scenario's seed. */
export type DelaySpec =
  | number
  | `${number}ms`
  | `${number}s`
  | { min: number | string; max: number | string }
  /** Long-tailed latency like real services (as WireMock's lognormal): half the calls are faster than `median`. */
  | { median: number | string; sigma: number };

export type ValueMatcher = string | number | boolean | null | RegExp | ((value: unknown) => boolean);

/** What a rule requires of a request. Every listed part must match. */
export interface MatchSpec {
  params?: Record<string, ValueMatcher>;
  query?: Record<string, ValueMatcher>;
  headers?: Record<string, ValueMatcher>;
  /** Partial: every key given must match; extra keys in the request are allowed. */
  body?: unknown;
  /** Exact: the body must equal this value deeply. */
  bodyEquals?: unknown;
  /** Any other condition, e.g. `({ body }) => body.items.length > 3`. */
  when?: (request: CoreRequest) => boolean;
}

/** At most `limit` calls per `window` (e.g. `'1s'`); beyond it: 429 / RESOURCE_EXHAUSTED with Retry-After. */
export interface RateLimit {
  limit: number;
  window: number | `${number}ms` | `${number}s`;
}

/** Fails a share of calls, drawn from the scenario's seed so a run replays exactly. */
export interface Chaos {
  /** From 0 (never) to 1 (always). */
  failRate: number;
  /** What a failed call answers; default `UNAVAILABLE`. */
  fault?: Fault | undefined;
}

/** Behaviour that can be set per rule, per service, per variant or for the whole scenario. */
export interface Behaviour {
  delay?: DelaySpec | undefined;
  rateLimit?: RateLimit | undefined;
  chaos?: Chaos | undefined;
  /**
   * How long a handler function may take to answer (`'30s'`, ms as a number) before its request is
   * answered INTERNAL (HTTP 500, a GraphQL error) naming the rule. Default 10 s. Delays are not counted.
   */
  timeout?: Duration | undefined;
}

/** A length of time: milliseconds as a number, or `'250ms'`, `'2s'`. */
export type Duration = number | `${number}ms` | `${number}s`;

/** Options given to a DSL factory that it does not take (`names`), and the ones it does (`known`). */
export interface UnknownOptions {
  readonly names: readonly string[];
  readonly known: readonly string[];
}

/** A rule as the DSL produces it. */
export interface RuleDefinition extends Behaviour {
  operation: string;
  match?: MatchSpec | undefined;
  respond: Responder;
  /** Answer at most this many times, then let later rules answer. */
  times?: number | undefined;
  /**
   * Where the rule stands among the rules added while serving (WireMock's priority, lower first; an added
   * rule goes first of one priority): how a WireMock root's mappings are tried with those sent at runtime.
   * The scenario's rules have none and answer after every added rule; given, it is given to the
   * operation's first rules, in the order of their priorities.
   */
  priority?: number | undefined;
  delay?: DelaySpec | undefined;
  name?: string | undefined;
  source?: SourceLocation | undefined;
  /** Protocol-specific facts about the operation (e.g. `{ method, path }`). */
  meta?: Readonly<Record<string, unknown>> | undefined;
  /** State machines that must be in these states for the rule to match: `{ payment: 'authorized' }`. */
  whenState?: Readonly<Record<string, string>> | undefined;
  /** State machines moved to these states after the rule answers: `{ payment: 'captured' }`. */
  setState?: Readonly<Record<string, string>> | undefined;
  /** Options the author gave that the rule's factory does not take (`tims: 1`), and those it takes: compile reports them. */
  unknownOptions?: UnknownOptions | undefined;
}

/** A service as the DSL produces it. */
export interface ServiceDefinition extends Behaviour {
  protocol: string;
  port?: number | undefined;
  host?: string | undefined;
  /** Adapter-specific settings: schema file, proto file, body limit… */
  config?: Readonly<Record<string, unknown>> | undefined;
  /** Served at a path on another service's HTTP port instead of a port of its own. */
  mount?: Mount | undefined;
  rules: readonly RuleDefinition[];
  /**
   * Operations the service serves even without a rule, answered by its contract (an adapter's
   * `expand` declares them, e.g. every operation of an OpenAPI document). Rules add to them.
   */
  operations?: readonly OperationDefinition[] | undefined;
  source?: SourceLocation | undefined;
  /** Options the author gave that the service's factory does not take (`prot: 8080`), and those it takes: compile reports them. */
  unknownOptions?: UnknownOptions | undefined;
}

/** An operation declared without rules: its id and its protocol-specific facts. */
export interface OperationDefinition {
  id: string;
  meta: Readonly<Record<string, unknown>>;
}

/**
 * What browser apps on other origins may do with an HTTP service (REST, GraphQL). CORS is on by
 * default for mocks: any origin, with credentials; preflight requests are answered before any rule.
 */
export interface CorsOptions {
  /**
   * Origins allowed, exact (`'http://localhost:3000'`) or patterns; `'*'` allows any origin (the request's origin is echoed).
   * Default: pages on this machine only (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`, any port).
   */
  origins?: readonly (string | RegExp)[] | undefined;
  /** Allow cookies and Authorization (default true). */
  credentials?: boolean | undefined;
  /** Response headers the app may read besides the always-readable ones (default: location, link, retry-after, x-total-count, x-request-id, x-mockstack-unmatched). */
  exposeHeaders?: readonly string[] | undefined;
  /** Seconds a browser may cache a preflight answer (default 600). */
  maxAge?: number | undefined;
}

/** Where a service shares another's port: requests for `path` (and below it) go to the mounted service. */
export interface Mount {
  /** The service whose port is shared (its host). */
  on: string;
  /** `/graphql`: a path with no parameters. */
  path: string;
}

/** What a variant changes in one service: rules that take priority, a fault for every call, or a delay. */
export interface ServiceOverlay extends Behaviour {
  rules?: readonly RuleDefinition[] | undefined;
  fault?: Fault | undefined;
}

export interface ScenarioDefinition {
  name: string;
  seed?: number | undefined;
  state?: (() => unknown) | undefined;
  /** WireMock-style state machines: each name lists its states, the first is where it starts. */
  machines?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Chaos for every service of the scenario. */
  chaos?: Chaos | undefined;
  /** Secrets kept out of the journal and logs besides the defaults, or false for none (see Redactor). */
  redact?: RedactSetting | undefined;
  /** `memory` or a shared store's URL (`redis://host:6379/0`). */
  store?: string | undefined;
  services: Readonly<Record<string, ServiceDefinition>>;
  /** Per variant, per service: a Fault for every call, rules that win, or a ServiceOverlay. */
  variants?: Readonly<Record<string, Readonly<Record<string, ServiceOverlay | Fault | readonly RuleDefinition[]>>>> | undefined;
  source?: SourceLocation | undefined;
}

/** A rule after compilation: it has an id that the journal and logs name. */
export interface Rule extends RuleDefinition {
  /** `orders#2`, or `payments-down:orders#1` for a variant's rule. */
  id: string;
  matchers: readonly Matcher[];
}

/** A rule added while the stack serves (a test's `stack.use`, the admin API's WireMock mappings). */
export interface AddedRule {
  service: string;
  rule: Rule;
  /** Lower answers first among added rules (WireMock's priority; default 5). */
  priority: number;
  /** A withdrawn rule of the service (of one priority with it) it is tried in place of (see AddRulesOptions.inPlaceOf). */
  anchor?: string;
}

export interface Operation {
  id: string;
  rules: readonly Rule[];
  meta: Readonly<Record<string, unknown>>;
}

export interface Service extends Behaviour {
  name: string;
  protocol: string;
  port: number;
  host: string;
  config: Readonly<Record<string, unknown>>;
  /** Set when the service is served on another service's port (then `port` is 0 and unused). */
  mount?: Mount | undefined;
  /** Declared order: the first operation declared is first here. */
  operations: ReadonlyMap<string, Operation>;
  source?: SourceLocation | undefined;
}

export interface Variant {
  name: string;
  services: ReadonlyMap<string, VariantOverlay>;
}

export interface VariantOverlay extends Behaviour {
  rules: ReadonlyMap<string, readonly Rule[]>;
  fault?: Fault | undefined;
}

/** The protocol-neutral description every adapter serves from. */
export interface Model {
  name: string;
  file?: string | undefined;
  /** Project root (nearest package.json above the scenario); contract paths resolve against it. */
  root?: string | undefined;
  /** Contract texts given with the scenario (see CompileOptions.contracts), by resolved path; files are read for the others. */
  contracts?: ReadonlyMap<string, string> | undefined;
  seed: number;
  initialState: () => unknown;
  /** State machine name → its states; the first is the initial one. */
  machines: ReadonlyMap<string, readonly string[]>;
  chaos?: Chaos | undefined;
  /** The scenario's `redact` setting. */
  redact?: RedactSetting | undefined;
  /** The scenario's `store` (`memory` or a shared store's URL). */
  store?: string | undefined;
  services: ReadonlyMap<string, Service>;
  variants: ReadonlyMap<string, Variant>;
}

const ruleIndexes = new WeakMap<Model, ReadonlyMap<string, Rule>>();

/** Every rule of the model (its services' and its variants') by id; made once per model. */
export function rulesById(model: Model): ReadonlyMap<string, Rule> {
  let index = ruleIndexes.get(model);
  if (!index) {
    const rules = new Map<string, Rule>();
    for (const service of model.services.values())
      for (const operation of service.operations.values()) for (const rule of operation.rules) rules.set(rule.id, rule);
    for (const variant of model.variants.values())
      for (const overlay of variant.services.values()) for (const list of overlay.rules.values()) for (const rule of list) rules.set(rule.id, rule);
    index = rules;
    ruleIndexes.set(model, index);
  }
  return index;
}
