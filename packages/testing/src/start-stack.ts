import type {
  DelaySpec,
  Engine,
  JournalEntry,
  JournalFilter,
  JournalLimits,
  MaybePromise,
  RequestPattern,
  RuleDefinition,
  ServiceAddress,
  Verification,
  VerificationResult,
} from '@mockstack/core';
import { adminTokenHeaders, type CorsOption, corsSettingOf, delaySettingOf, type RunOptions, runScenario, type ScenarioSource } from '@mockstack/runner';
import { type ReceivedQuery, verifyReceived, verifyReceivedInOrder } from './verification.js';

export interface StartOptions {
  /** Variant(s) active from the start. */
  variant?: string | readonly string[] | undefined;
  seed?: number | undefined;
  /**
   * Serve every service over TLS (HTTP/2 negotiated for REST and GraphQL), with a certificate generated at
   * start; trust `stack.ca` in clients. Default false (services with `tls: true` still get TLS).
   */
  tls?: boolean | undefined;
  /** Keep the scenario's ports instead of free ones (default false: every service on a free port). */
  fixedPorts?: boolean | undefined;
  /** Also start the admin API (on a free port). Default false. */
  admin?: boolean | undefined;
  /** Token the admin API then requires on every request (sent as `x-mockstack-admin-token`). Default none: loopback only. */
  adminToken?: string | undefined;
  logger?: RunOptions['logger'];
  /** Timeouts and caps on what clients may hold (see ServerLimits), e.g. `{ requestTimeoutMs: 500 }`. */
  limits?: RunOptions['limits'];
  /** Secrets kept out of the journal besides the defaults (Authorization, Cookie, access_token…), or false to journal them verbatim. */
  redact?: RunOptions['redact'];
  /** Load OpenAPI documents and GraphQL SDL with small validity problems with a warning instead of failing. */
  lenient?: boolean | undefined;
  /**
   * CORS of every REST and GraphQL service (and gRPC `web` port) that sets no `cors` of its own, as
   * `mockstack up --cors`: `'*'` for any origin, origins as browsers send them (comma-separated or a list,
   * `*` standing for any part of a host: `'https://*.app.github.dev'`; RegExps too), or false for no CORS
   * headers at all (`--no-cors`). Default: pages on this machine (localhost, 127.0.0.1, [::1]).
   *
   * @example
   * const stack = await startStack('openapi.yaml', { cors: ['http://192.168.1.5:3000', 'https://*.app.github.dev'] });
   */
  cors?: CorsOption | undefined;
  /**
   * How long every service that sets no `delay` of its own holds each answer, as `mockstack up --delay`:
   * milliseconds, `'300ms'`, `'2s'`, a range drawn from per call (`'200ms-1s'` or `{ min, max }`, from the seed),
   * or `{ median, sigma }`. Default none.
   *
   * @example
   * const stack = await startStack('schema.graphql', { delay: '200ms-1s' }); // to see a UI's loading states
   */
  delay?: DelaySpec | string | undefined;
  /**
   * Every OpenAPI service that sets no `dynamic` of its own generates each answer anew from its schema,
   * examples left aside, as `mockstack up --dynamic` (`prism mock -d`). Default false.
   *
   * @example
   * const stack = await startStack('openapi.yaml', { dynamic: true, seed: 7 });
   */
  dynamic?: boolean | undefined;
  /** How long a handler may take when neither its rule nor its service sets `timeout`: milliseconds or `'30s'` (default 10 s). */
  handlerTimeout?: RunOptions['handlerTimeout'];
  /** Requests the journal keeps (default 1,000, and at most 64 MB, bodies cut at 64 KB). */
  journalSize?: number | undefined;
  /** `false`: journal nothing (`--no-journal`); or the journal's limits in entries and bytes. */
  journal?: boolean | JournalLimits | undefined;
  /** Protocols served besides REST, GraphQL and gRPC: adapters for services whose `protocol` names them (see CONTRIBUTING.md). */
  protocols?: RunOptions['protocols'];
  /**
   * Where state, counters, rate limits, variants and the journal live: `'memory'` (default) or
   * `'redis://127.0.0.1:6379/0'`, shared with every other stack or `mockstack up` on the same store.
   */
  store?: RunOptions['store'];
}

/** A scenario served in-process for a test. Close it in `afterAll`. */
export interface TestStack {
  /** Every running service by name: `url`, `host`, `port`. */
  services: Record<string, ServiceAddress>;
  /** `http://127.0.0.1:<port>` (REST/GraphQL) or `127.0.0.1:<port>` (gRPC) of a service. */
  url(service: string): string;
  adminUrl: string | undefined;
  /**
   * With TLS: the CA (PEM) that signed the services' certificate, e.g.
   * `new Agent({ connect: { ca: stack.ca }, allowH2: true })` (undici) or `credentials.createSsl(Buffer.from(stack.ca))` (grpc-js).
   */
  ca: string | undefined;
  /** Headers that carry the admin token, if one is required: spread them into admin API requests. */
  adminHeaders: Record<string, string>;
  engine: Engine;
  /** The scenario's shared state, as handlers see it. */
  state<State = unknown>(): State;
  /** Back to the seed: state, rule counters, sequences, journal, and no rules added by `use` (a promise with a shared store: await it). */
  reset(): MaybePromise<void>;
  /**
   * Serves these rules on `service`, before the scenario's own, for the rest of the test (MSW's
   * `server.use`): the newest `use` wins. They go with `resetRules()` or `reset()`. A rule that does
   * not compile, or names an operation the service lacks (a GraphQL field not in the schema), throws
   * MOCKSTACK_ERR_RULE_INVALID. A REST rule may name a path the scenario has no route for.
   *
   * @example
   * afterEach(() => stack.resetRules());
   * it('shows an error when the order is gone', async () => {
   *   await stack.use('orders', rest.get('/orders/:id', fault.notFound('gone')));
   *   // …
   * });
   */
  use(service: string, ...rules: RuleDefinition[]): Promise<void>;
  /** Takes away every rule added by `use` (MSW's `resetHandlers`); state and journal stay. */
  resetRules(): void;
  /** Activates these variants in place of the current ones (none: all off; a promise with a shared store). */
  variant(...names: string[]): MaybePromise<void>;
  /** Journal entries, oldest first, filtered like the admin API. */
  requests(filter?: JournalFilter): JournalEntry[];
  /**
   * How often requests matching the criteria were received, checked against `times`/`atLeast`/`atMost`
   * (default: at least once); `message` lists the nearest requests on a miss. Unknown criteria or
   * operations throw with "did you mean".
   */
  verify(operation: string | Verification, query?: ReceivedQuery): VerificationResult;
  /** Whether requests matching each pattern (an operation, or criteria) came in this order. */
  verifyInOrder(...patterns: (string | RequestPattern)[]): VerificationResult;
  close(): Promise<void>;
}

/**
 * Starts every service of a scenario (a module path, or a scenario object) in this process, on free ports.
 *
 * @example
 * const stack = await startStack('scenarios/checkout.ts', { variant: 'payments-down' });
 * const res = await fetch(`${stack.url('orders')}/orders/ord_1001`);
 * expect(stack.verify('GET /orders/:id').count).toBe(1);
 * await stack.close();
 */
export async function startStack(scenario: ScenarioSource, options: StartOptions = {}): Promise<TestStack> {
  const variants = options.variant === undefined ? [] : typeof options.variant === 'string' ? [options.variant] : [...options.variant];
  const running = await runScenario(scenario, {
    variants,
    seed: options.seed,
    randomPorts: !options.fixedPorts,
    tls: options.tls,
    adminPort: options.admin ? 0 : false,
    adminToken: options.adminToken,
    limits: options.limits,
    redact: options.redact,
    logger: options.logger,
    lenient: options.lenient,
    cors: corsSettingOf(options.cors),
    delay: delaySettingOf(options.delay),
    dynamic: options.dynamic,
    handlerTimeout: options.handlerTimeout,
    journalSize: options.journal === false ? 0 : options.journalSize,
    journal: typeof options.journal === 'object' ? options.journal : undefined,
    protocols: options.protocols,
    store: options.store,
  });
  const engine = running.stack.engine;
  const services = Object.fromEntries(running.services.map((s) => [s.name, s]));
  return {
    services,
    url: (service) => {
      const address = running.stack.address(service);
      // grpc-js clients and grpcurl dial host:port, not a grpc:// URL.
      return address.protocol === 'grpc' ? `${address.host}:${address.port}` : address.url;
    },
    adminUrl: running.admin?.url,
    ca: running.tls?.ca,
    adminHeaders: adminTokenHeaders(running.admin?.token),
    engine,
    state: <State>() => engine.state as State,
    reset: () => engine.reset(),
    use: async (service, ...rules) => {
      await running.stack.addRules(service, rules);
    },
    resetRules: () => {
      running.stack.removeRules(running.stack.addedRules.map((added) => added.rule.id));
    },
    variant: (...names) => engine.setVariants(names),
    requests: (filter) => engine.journal.list(filter),
    verify: (operation, query) => verifyReceived(engine, operation, query),
    verifyInOrder: (...patterns) => verifyReceivedInOrder(engine, patterns),
    close: () => running.close(),
  };
}
