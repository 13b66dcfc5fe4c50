import {
  type Chaos,
  type CorsOptions,
  captureSource,
  type DelaySpec,
  type Duration,
  type Fault,
  type Http2Setting,
  type RateLimit,
  type RedactSetting,
  type RuleDefinition,
  SCENARIO,
  type ScenarioDefinition,
  type ServiceDefinition,
  type TlsSetting,
  type UnknownOptions,
} from '@mockstack/core';

/** A service as a scenario holds it; `State` ties its handlers to the scenario's state type. */
export interface ServiceOf<State> extends ServiceDefinition {
  /** Phantom: never set, only carries the state type. */
  readonly __state?: ((state: State) => void) | undefined;
}

/** A rule as a scenario holds it, typed by the scenario's state. */
export interface RuleOf<State> extends RuleDefinition {
  readonly __state?: ((state: State) => void) | undefined;
}

/** A value to answer with as is: a body (JSON value or text), or a Reply, Fault or Sequence. */
export type StaticResponse = object | string | number | boolean | null;

/** Delay, rate limit and chaos of a whole service (or of a service in a variant). */
export interface ServiceBehaviour {
  /** Added to every answer: `'250ms'`, `'2s'`, or `{ min, max }` drawn from the seed. */
  delay?: DelaySpec;
  /** At most `limit` calls per `window`; then 429 / RESOURCE_EXHAUSTED with Retry-After. */
  rateLimit?: RateLimit;
  /** Fail `failRate` (0–1) of calls, reproducibly with the seed. */
  chaos?: Chaos;
  /** How long a handler function may take before its call is answered INTERNAL naming the rule (default `'10s'`). */
  timeout?: Duration;
}

/** Options of every service served over HTTP (REST, GraphQL). */
export interface HttpServiceOptions {
  /**
   * Cross-origin access for browser apps on other origins. On by default for pages on this machine
   * (localhost, 127.0.0.1, [::1], any port), with credentials, preflights answered before any rule.
   * `origins` widens or narrows it (`['*']`: any origin); `false` turns it off (to write OPTIONS rules yourself).
   * @example rest({ port: 8081, cors: { origins: ['https://app.staging.example.com'] } }, routes)
   */
  cors?: boolean | CorsOptions;
  /**
   * HTTPS: `true` serves a certificate generated at start, signed by a local CA written to
   * `.mockstack/tls/ca.pem` (point clients at it); or your own PEM files. With TLS, HTTP/2 is
   * negotiated by ALPN and HTTP/1.1 still served. Default off (or on for every service with `--tls`).
   * @example rest({ port: 8443, tls: true }, routes)
   */
  tls?: TlsSetting;
  /**
   * HTTP/2. With TLS on by default (`false`: HTTP/1.1 only). On a plain port, `'h2c'` serves HTTP/2
   * with prior knowledge (`curl --http2-prior-knowledge`) instead of HTTP/1.1: node cannot serve both there.
   */
  http2?: Http2Setting;
  /**
   * Where mockstack/msw intercepts this service's requests, e.g. `'https://api.example.test'`.
   * Default: `http://localhost:<port>`. A served stack ignores it.
   */
  baseUrl?: string;
}

/** The transport settings of an HTTP service, for its `config`. */
export function httpTransport(options: HttpServiceOptions): { tls?: TlsSetting; http2?: Http2Setting } {
  return { ...(options.tls !== undefined && { tls: options.tls }), ...(options.http2 !== undefined && { http2: options.http2 }) };
}

/** Options every rule of every protocol takes. */
export interface RuleBehaviour extends ServiceBehaviour {
  /** Answer at most this many times, then let later rules answer. */
  times?: number;
  /** A name for logs and the journal. */
  name?: string;
  /** Match only while these state machines are in these states: `{ payment: 'authorized' }`. */
  whenState?: Record<string, string>;
  /** After answering, move these state machines: `{ payment: 'captured' }`. */
  setState?: Record<string, string>;
}

/** Where a service listens and how it behaves: the fields every protocol's service factory shares. */
export function serviceBasics(
  options: ServiceBehaviour & { port?: number | undefined; host?: string | undefined },
  known: Readonly<Record<string, true>>,
): Pick<ServiceDefinition, 'port' | 'host' | 'delay' | 'rateLimit' | 'chaos' | 'timeout' | 'unknownOptions'> {
  const { port, host, delay, rateLimit, chaos, timeout } = options;
  return { port, host, delay, rateLimit, chaos, timeout, unknownOptions: unknownOptionsOf(options, known) };
}

/** The options `given` has that are not `known` (with those that are), or undefined when it has none. */
function unknownOptionsOf(given: object, known: Readonly<Record<string, true>>): UnknownOptions | undefined {
  let names: string[] | undefined;
  for (const key in given) {
    if (known[key] === true) continue;
    names ??= [];
    names.push(key);
  }
  return names && { names, known: Object.keys(known) };
}

/** ServiceBehaviour, by name. */
const SERVICE_BEHAVIOUR_OPTIONS = { delay: true, rateLimit: true, chaos: true, timeout: true } as const satisfies Record<keyof ServiceBehaviour, true>;

/** The options every service takes (ServiceBehaviour, port and host); each factory adds its own to tell a typo from an option. */
export const SERVICE_OPTIONS = { port: true, host: true, ...SERVICE_BEHAVIOUR_OPTIONS } as const;

/** HttpServiceOptions, by name. */
export const HTTP_SERVICE_OPTIONS = { cors: true, tls: true, http2: true, baseUrl: true } as const satisfies Record<keyof HttpServiceOptions, true>;

/** `(options, responder)` or `(responder)`: the optional-options calling form of every rule factory. */
export function optionsAndResponder<Options extends object>(args: readonly unknown[]): [Partial<Options>, unknown] {
  return args.length >= 2 ? [args[0] as Options, args[1]] : [{}, args[0]];
}

/**
 * The RuleDefinition fields of a rule's options (internal to the DSL factories). A factory adds its
 * own with `Object.assign(ruleBehaviour(options), { … })`: spreading this object at the head of a
 * literal took V8's slow path, ~17 µs a rule (a sixth of starting 10,000 rules).
 */
export function ruleBehaviour(
  options: RuleBehaviour,
): Pick<RuleDefinition, 'times' | 'name' | 'delay' | 'rateLimit' | 'chaos' | 'timeout' | 'whenState' | 'setState' | 'unknownOptions'> {
  const { times, name, delay, rateLimit, chaos, timeout, whenState, setState } = options;
  return { times, name, delay, rateLimit, chaos, timeout, whenState, setState, unknownOptions: unknownOptionsOf(options, RULE_OPTIONS) };
}

/** Every option of a rule, of every protocol: RuleBehaviour and `match` (checked complete by the type). */
const RULE_OPTIONS = {
  match: true,
  times: true,
  name: true,
  ...SERVICE_BEHAVIOUR_OPTIONS,
  whenState: true,
  setState: true,
} as const satisfies Record<keyof RuleBehaviour | 'match', true>;
/** What a variant does to one service: fail every call, add rules that win, or change its behaviour. */
export type Overlay<State> = Fault | readonly RuleOf<State>[] | (ServiceBehaviour & { rules?: readonly RuleOf<State>[]; fault?: Fault });

export interface ScenarioOptions<State> {
  /** Seed of every random choice (auto-mocks, delay ranges, chaos). Default 1. */
  seed?: number;
  /** Builds the shared state; called at start and on every reset. */
  state?: () => State;
  /**
   * WireMock-style state machines: each lists its states, the first is where it starts (and returns on reset).
   * @example machines: { payment: ['pending', 'authorized', 'captured'] }
   */
  machines?: Record<string, readonly string[]>;
  /** Chaos for every service. */
  chaos?: Chaos;
  /**
   * Secrets kept out of the journal and logs, besides the default list (Authorization, Cookie,
   * X-Api-Key…, access_token, api_key, token… in query strings); `false` journals everything verbatim.
   * @example redact: { headers: ['x-partner-key'], query: ['session'] }
   */
  redact?: RedactSetting;
  /**
   * Where state, machines, counters, rate-limit windows, variants and the journal live: `'memory'`
   * (default, this process) or `'redis://host:6379/0'` so that replicas act as one (`--store` overrides it).
   * @example store: process.env.MOCKSTACK_STORE
   */
  store?: string | undefined;
}

/** A scenario: the default export of a scenario module. */
export interface Scenario<State> {
  readonly [SCENARIO]: ScenarioDefinition;
  /**
   * The services this scenario serves, by name.
   * @example .services({ orders: rest({ port: 8081 }, [rest.get('/orders', ({ state }) => state.orders)]) })
   */
  services(services: Record<string, ServiceOf<State>>): Scenario<State>;
  /**
   * Named overlays, switchable at start (`--variant`) and at runtime (admin API, CLI).
   * @example .variants({ 'orders-down': { orders: fault.unavailable() } })
   */
  variants(variants: Record<string, Record<string, Overlay<State>>>): Scenario<State>;
}

/**
 * Declares a scenario. Chain `.services({...})` and `.variants({...})`; handlers then see `state`
 * typed as what `state()` returns.
 *
 * @example
 * export default scenario('checkout', { seed: 42, state: () => ({ orders: [] as Order[] }) })
 *   .services({ orders: rest({ port: 8081 }, [rest.get('/orders', ({ state }) => state.orders)]) });
 */
export function scenario<State = Record<string, never>>(name: string, options: ScenarioOptions<State> = {}): Scenario<State> {
  const { seed, state, machines, chaos, redact, store } = options;
  return build<State>({ name, seed, state, machines, chaos, redact, store, services: {}, source: captureSource() });
}

function build<State>(definition: ScenarioDefinition): Scenario<State> {
  return {
    [SCENARIO]: definition,
    services: (services) => build({ ...definition, services: { ...definition.services, ...services } }),
    variants: (variants) => build({ ...definition, variants: { ...definition.variants, ...variants } }),
  };
}
