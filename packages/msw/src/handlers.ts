import {
  type Adapter,
  compile,
  Engine,
  ErrorCode,
  type JournalEntry,
  type JournalFilter,
  type JournalLimits,
  type Logger,
  MockstackError,
  type RedactSetting,
  type RequestPattern,
  type ScenarioDefinition,
  type Service,
  type ServiceDefinition,
  scenarioDefinitionOf,
  silentLogger,
  type Verification,
  type VerificationResult,
  type WebSocketEndpoint,
} from '@mockstack/core';
import { validateGraphqlService } from '@mockstack/graphql/schema';
import { expandRest, validateRest } from '@mockstack/rest/rest-model';
import { type ReceivedQuery, verifyReceived, verifyReceivedInOrder } from '@mockstack/testing/verification';
import { type HttpHandler, HttpResponse, http, type WebSocketHandler } from 'msw';
import { GraphqlService } from './graphql.js';
import { type GrpcOverFetch, GrpcService } from './grpc.js';
import { RestService } from './rest.js';
import { webSocketHandlerOf } from './websocket.js';

export interface HandlersOptions {
  /**
   * Where each service's requests are intercepted, by service name: `{ orders: 'https://api.example.test' }`.
   * Default: the service's `baseUrl`, else `http://localhost:<port>` of its declared port.
   */
  baseUrls?: Readonly<Record<string, string>> | undefined;
  /**
   * Contract texts by the path the scenario names them with (`{ 'schemas/catalog.graphql': sdl }`),
   * used instead of reading those files. Needed in the browser, which has no files; in Node the
   * files are read when this leaves them out.
   */
  contracts?: Readonly<Record<string, string>> | undefined;
  /** Variant(s) active from the start. */
  variant?: string | readonly string[] | undefined;
  /** Overrides the scenario's seed. */
  seed?: number | undefined;
  /** Where warnings go (default: nowhere). */
  logger?: Logger | undefined;
  /** Secrets kept out of the journal besides the defaults, or false to journal them verbatim. */
  redact?: RedactSetting | undefined;
  /** Milliseconds a handler may take when neither its rule nor its service sets `timeout` (default 10 s). */
  handlerTimeout?: number | undefined;
  /** The journal's limits in entries and bytes. */
  journal?: JournalLimits | undefined;
  /** Project root contract paths resolve against in Node (default: next to the scenario file, then its project). */
  root?: string | undefined;
}

/** Where a service of the scenario is intercepted. */
interface Interception {
  name: string;
  protocol: 'rest' | 'graphql' | 'grpc';
  /** `https://api.example.test/v1`. */
  base: URL;
  /** A GraphQL service's endpoint path below `base` (`/graphql`). */
  endpoint: string;
}

/**
 * A scenario's REST and GraphQL services as MSW request handlers, with stack-like control:
 * `variant`, `reset`, `requests`, `verify`, and `engine` for mockstack/testing's `toHaveReceived`.
 * Spread it into `setupServer` (Node) or `setupWorker` (browser). The scenario compiles in the
 * background; requests wait for it, and `ready` settles when it is done.
 */
export class ScenarioHandlers implements Iterable<HttpHandler | WebSocketHandler> {
  /**
   * The MSW handlers: GraphQL endpoints first, then each REST service's base URL, then one for the
   * WebSocket endpoints of REST services that have one (`rest({ webSocket })`).
   */
  readonly handlers: readonly (HttpHandler | WebSocketHandler)[];
  /** Settles once the scenario is compiled (rejects with its compile error). */
  readonly ready: Promise<void>;
  readonly #interceptions: readonly Interception[];
  #engine: Engine | undefined;
  #services = new Map<string, RestService | GraphqlService | GrpcService>();

  constructor(scenario: unknown, options: HandlersOptions = {}) {
    const definition = definitionOf(scenario);
    this.#interceptions = interceptionsOf(definition, options.baseUrls ?? {});
    this.ready = this.#start(definition, options);
    // A compile error is thrown where it is awaited: by `ready`, and by every intercepted request.
    this.ready.catch(() => {});
    const logger = options.logger ?? silentLogger;
    const engine = () => this.ready.then(() => this.engine);
    const webSocketServices = this.#interceptions.flatMap((interception) => {
      const endpoint = interception.protocol === 'rest' ? definition.services?.[interception.name]?.config?.webSocket : undefined;
      return typeof endpoint === 'function' ? [{ service: interception.name, endpoint: endpoint as WebSocketEndpoint, base: interception.base }] : [];
    });
    const webSockets = webSocketServices.length > 0 ? [webSocketHandlerOf(webSocketServices, engine, logger)] : [];
    const httpHandlers = this.#interceptions.map((interception) =>
      http.all(
        ({ request }) => intercepts(interception, request.url),
        async ({ request }) => {
          await this.ready;
          const service = this.#services.get(interception.name);
          // A gRPC service not intercepted here (the browser), or a path that is none of its methods where another service's base URL covers it: the next handler's.
          if (service instanceof GrpcService)
            return service.answers(request, this.#alsoCovered(interception, request.url)) ? service.answer(request) : undefined;
          if (interception.protocol === 'grpc') return undefined;
          return service ? service.answer(request) : HttpResponse.error();
        },
      ),
    );
    this.handlers = [...httpHandlers, ...webSockets];
  }

  /** Whether a service other than `interception`'s is intercepted at `href` too. */
  #alsoCovered(interception: Interception, href: string): boolean {
    return this.#interceptions.some((other) => other !== interception && intercepts(other, href));
  }

  [Symbol.iterator](): Iterator<HttpHandler | WebSocketHandler> {
    return this.handlers[Symbol.iterator]();
  }

  /** The engine behind the handlers (one state, one journal), once `ready`. */
  get engine(): Engine {
    if (!this.#engine) throw new MockstackError(ErrorCode.MswNotReady, 'the scenario is still compiling: `await handlers.ready` before using the engine');
    return this.#engine;
  }

  /** The base URL a service is intercepted at (GraphQL: its endpoint). */
  url(service: string): string {
    const interception = this.#interceptions.find((i) => i.name === service);
    if (!interception) {
      throw new MockstackError(
        ErrorCode.ScenarioInvalid,
        `no intercepted service "${service}"; intercepted: ${this.#interceptions.map((i) => i.name).join(', ')}`,
      );
    }
    const base = interception.base.href.replace(/\/$/, '');
    return interception.protocol === 'graphql' ? `${base}${interception.endpoint}` : base;
  }

  /** The scenario's shared state, as handlers see it. */
  state<State = unknown>(): State {
    return this.engine.state as State;
  }

  /** Back to the seed: state, rule counters, sequences, journal. */
  reset(): void {
    this.engine.reset();
  }

  /** Activates these variants in place of the current ones (none: all off). */
  variant(...names: string[]): void {
    this.engine.setVariants(names);
  }

  /** Journal entries, oldest first, filtered like the admin API. */
  requests(filter?: JournalFilter): JournalEntry[] {
    return this.engine.journal.list(filter);
  }

  /** How often requests matching the criteria were received (see mockstack/testing's `verify`). */
  verify(operation: string | Verification, query?: ReceivedQuery): VerificationResult {
    return verifyReceived(this.engine, operation, query);
  }

  /** Whether requests matching each pattern came in this order. */
  verifyInOrder(...patterns: (string | RequestPattern)[]): VerificationResult {
    return verifyReceivedInOrder(this.engine, patterns);
  }

  async #start(definition: ScenarioDefinition, options: HandlersOptions): Promise<void> {
    const logger = options.logger ?? silentLogger;
    // Loaded only for a scenario with gRPC services: its libraries (protobufjs, grpc-js, Connect) are most of this module.
    const hasGrpc = Object.values(definition.services ?? {}).some((service) => service.protocol === 'grpc');
    const grpcOverFetch = hasGrpc ? (await import('@mockstack/grpc/fetch')).grpcOverFetch : undefined;
    const model = await compile(definition, {
      file: definition.source?.file,
      root: options.root,
      contracts: options.contracts,
      adapters: adaptersFor(definition, grpcOverFetch),
    });
    const engine = new Engine(model, {
      logger,
      seed: options.seed,
      redact: options.redact,
      handlerTimeout: options.handlerTimeout,
      journal: options.journal,
    });
    const variants = options.variant === undefined ? [] : typeof options.variant === 'string' ? [options.variant] : [...options.variant];
    if (variants.length) engine.setVariants(variants);
    for (const interception of this.#interceptions) {
      const service = model.services.get(interception.name) as Service;
      const basePath = interception.base.pathname.replace(/\/$/, '');
      if (interception.protocol === 'rest') this.#services.set(interception.name, new RestService(service, engine, basePath));
      else if (interception.protocol === 'graphql') this.#services.set(interception.name, new GraphqlService(service, engine, logger));
      else if (grpcOverFetch) this.#services.set(interception.name, new GrpcService(grpcOverFetch.serve(service, engine), basePath));
    }
    for (const service of model.services.values()) {
      if (this.#services.has(service.name)) continue;
      const why =
        service.protocol === 'grpc'
          ? grpcOverFetch
            ? 'give it a `web: { port }` (or a port), or handlersFor(scenario, { baseUrls })'
            : 'gRPC services are intercepted in Node (setupServer), not yet in the browser'
          : 'mockstack/msw serves REST, GraphQL and gRPC (Connect, gRPC-Web) services';
      logger.warn(`service "${service.name}" (${service.protocol}) is not intercepted: ${why}`);
    }
    this.#engine = engine;
  }
}

/**
 * MSW request handlers for a scenario's REST and GraphQL services (rules, state, variants,
 * faults, delays and journal as `mockstack up` serves them).
 *
 * @example
 * // Node: tests
 * const mocks = handlersFor(checkout);
 * const server = setupServer(...mocks);
 * server.listen();
 * await fetch('http://localhost:8081/orders/ord_1');
 * expect(mocks).toHaveReceived('GET /orders/:id');
 * @example
 * // Browser: contracts come with the bundle
 * const worker = setupWorker(...handlersFor(checkout, { contracts: { 'schemas/catalog.graphql': sdl } }));
 * await worker.start();
 */
export function handlersFor(scenario: unknown, options: HandlersOptions = {}): ScenarioHandlers {
  return new ScenarioHandlers(scenario, options);
}

function definitionOf(scenario: unknown): ScenarioDefinition {
  const definition = scenarioDefinitionOf(scenario);
  if (definition) return definition;
  throw new MockstackError(ErrorCode.ScenarioInvalid, "handlersFor takes a scenario: the value `scenario(name, { … })` returns (a module's default export)");
}

/** REST, GraphQL and (in Node) gRPC compile as their servers compile them; other protocols' rules compile but are not intercepted. */
function adaptersFor(definition: ScenarioDefinition, grpc: GrpcOverFetch | undefined): Adapter[] {
  const notServed = (service: Service): never => {
    throw new MockstackError(ErrorCode.AdapterMissing, `service "${service.name}" is answered by mockstack/msw handlers, not served`);
  };
  const adapters: Adapter[] = [
    { protocol: 'rest', sharesHttpPort: true, expand: expandRest, validate: validateRest, create: notServed },
    { protocol: 'graphql', sharesHttpPort: true, validate: validateGraphqlService, create: notServed },
  ];
  if (grpc) adapters.push({ protocol: 'grpc', validate: grpc.validate, create: notServed });
  const others = new Set(Object.values(definition.services ?? {}).map((s) => s.protocol));
  for (const protocol of others) if (!adapters.some((a) => a.protocol === protocol)) adapters.push({ protocol, create: notServed });
  return adapters;
}

/**
 * Each REST, GraphQL and gRPC service's base URL: the option, its `baseUrl`, or localhost at its port (a gRPC
 * service's `web` port, where Connect and gRPC-Web clients call it); mounted ones at their host's. A gRPC
 * service with neither is left out (and said so once compiled).
 */
function interceptionsOf(definition: ScenarioDefinition, given: Readonly<Record<string, string>>): Interception[] {
  const services = Object.entries(definition.services ?? {});
  const known = new Set(services.map(([name]) => name));
  for (const name of Object.keys(given)) {
    if (!known.has(name))
      throw new MockstackError(ErrorCode.MswBaseUrl, `baseUrls names "${name}", which the scenario has no service called; services: ${[...known].join(', ')}`);
  }
  const baseOf = (name: string, service: ServiceDefinition): URL => {
    const written = given[name] ?? (typeof service.config?.baseUrl === 'string' ? service.config.baseUrl : undefined);
    if (written === undefined && service.mount) {
      const host = definition.services?.[service.mount.on];
      if (host) return baseOf(service.mount.on, host);
    }
    if (written === undefined && !portOf(service)) {
      throw new MockstackError(
        ErrorCode.MswBaseUrl,
        `service "${name}" has no port to intercept at; give it one, a baseUrl (rest({ baseUrl: 'https://api.example.test' }, …)), or handlersFor(scenario, { baseUrls: { ${name}: '…' } })`,
        { source: service.source },
      );
    }
    // A service with `tls` is called over https.
    const text = written ?? `${service.config?.tls ? 'https' : 'http'}://localhost:${portOf(service)}`;
    try {
      // In a page, `/api` is on the page's origin.
      return new URL(text, (globalThis as { location?: { href: string } }).location?.href);
    } catch {
      throw new MockstackError(
        ErrorCode.MswBaseUrl,
        `service "${name}" has base URL ${JSON.stringify(text)}, which is not a URL; write one such as 'https://api.example.test' (a path such as '/api' only in a page)`,
        {
          source: service.source,
        },
      );
    }
  };
  const isGrpcWithoutBase = (name: string, service: ServiceDefinition): boolean =>
    service.protocol === 'grpc' && given[name] === undefined && typeof service.config?.baseUrl !== 'string' && !portOf(service);
  const interceptions = services
    .filter(
      (entry): entry is [string, ServiceDefinition & { protocol: Interception['protocol'] }] =>
        ['rest', 'graphql', 'grpc'].includes(entry[1].protocol) && !isGrpcWithoutBase(entry[0], entry[1]),
    )
    .map(([name, service]) => ({
      name,
      protocol: service.protocol,
      base: baseOf(name, service),
      endpoint: typeof service.config?.path === 'string' ? service.config.path : '/graphql',
    }));
  // A GraphQL endpoint is exact; a gRPC service takes its methods' paths below its base URL, a REST service everything below its own.
  return ['graphql', 'grpc', 'rest'].flatMap((protocol) => interceptions.filter((i) => i.protocol === protocol));
}

/** The port a service is called at: a gRPC service's `web` port when it has one, else its own. */
function portOf(service: ServiceDefinition): number | undefined {
  const web = service.protocol === 'grpc' ? (service.config?.web as { port?: unknown } | boolean | undefined) : undefined;
  if (typeof web === 'object' && web !== null && typeof web.port === 'number' && web.port > 0) return web.port;
  return service.port;
}

/** Whether a request URL is for this service: its GraphQL endpoint, or anything below its REST base URL. */
function intercepts(interception: Interception, href: string): boolean {
  const url = new URL(href);
  const { base } = interception;
  if (url.origin !== base.origin) return false;
  const basePath = base.pathname.replace(/\/$/, '');
  if (interception.protocol === 'graphql') return url.pathname === `${basePath}${interception.endpoint}`;
  return basePath === '' || url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
}
