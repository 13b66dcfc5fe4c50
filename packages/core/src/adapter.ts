import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from './engine.js';
import type { Problem } from './errors.js';
import type { ServerLimits } from './limits.js';
import type { Logger } from './logger.js';
import type { Model, Rule, RuleDefinition, Service, ServiceDefinition, SourceLocation } from './model.js';

/** What `expand` knows besides the service: where the scenario is, to resolve contract paths. */
export interface ExpandContext {
  name: string;
  file: string | undefined;
  root: string;
  /** Contract texts given with the scenario, by resolved path (see CompileOptions.contracts). */
  contracts?: ReadonlyMap<string, string> | undefined;
  /** The scenario's seed, for anything the adapter generates at expand time (contract-made responses). */
  seed?: number | undefined;
}

/** Where a service listens once started. */
export interface ServiceAddress {
  name: string;
  protocol: string;
  host: string;
  port: number;
  /** `http://127.0.0.1:8081`, `https://…` with TLS, `grpc://127.0.0.1:50051`… */
  url: string;
  /** With TLS: the file of the CA that signed the service's certificate, for clients to trust. */
  ca?: string | undefined;
  /** Other ports the same service answers on: a gRPC service's `web` port (protocol `connect`: Connect, gRPC-Web and gRPC). */
  also?: readonly ServiceAddress[] | undefined;
}

export interface AdapterContext {
  engine: Engine;
  logger: Logger;
  /** Timeouts and caps on what clients may hold (the defaults unless the stack was given others). */
  limits: ServerLimits;
}

/** Node's HTTP `upgrade` listener (a WebSocket handshake). */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Node's HTTP request listener: how a service mounted on another's port is handed its requests; with
 * `upgrade`, its WebSocket handshakes too (e.g. graphql-ws of a GraphQL service mounted with `on:`).
 */
export type HttpHandler = ((request: IncomingMessage, response: ServerResponse) => void) & { upgrade?: UpgradeHandler | undefined };

/** One running service of one protocol. */
export interface ServiceServer {
  listen(): Promise<ServiceAddress>;
  /**
   * Stops serving. With `graceMs`, drains: stops accepting, lets calls in flight finish for up to
   * that long, then cuts the rest. Without it, cuts at once (gRPC calls get a moment).
   */
  close(graceMs?: number): Promise<void>;
  /**
   * For a service with a `mount`: get ready to answer without a port of its own and return the
   * handler its host passes requests to. Called instead of `listen`.
   */
  attach?(): Promise<HttpHandler>;
  /**
   * For a service others may mount on: answer requests for `path` (and below it) with `handler`
   * before anything of its own, until the returned function is called.
   */
  host?(path: string, handler: HttpHandler): () => void;
  /**
   * Takes a reloaded service definition. Returns false when the change needs a restart
   * (e.g. REST routes were added); the stack then closes and listens again on the same port.
   */
  update?(service: Service): Promise<boolean> | boolean;
}

/**
 * A kind of contract file a protocol serves: how `mockstack up <file>` recognises and serves it with
 * no scenario. Reads the file's text only; the protocol's libraries load when the service is compiled.
 */
export interface ContractFileKind {
  /** The kind's name (`'openapi'`), as messages and `mockstack gen` name it. */
  readonly kind: string;
  /** What such a file is, for messages: `OpenAPI 3 or Swagger 2.0`. */
  readonly label: string;
  /** File endings, lower case with the dot: `['.yaml', '.yml', '.json']`. */
  readonly endings: readonly string[];
  /**
   * Whether a file with one of the endings is this kind of contract, from its text (a JSON file is
   * an OpenAPI document only when it says so). Every file with the endings is, without it.
   */
  matches?(text: string): boolean;
  /**
   * The service that serves the contract auto-mocked (`up schema.graphql`): no rules, the contract
   * answers. Without it the kind is read by the tooling only (GraphQL operation documents: `gen` types them).
   */
  serve?(file: string, options: ContractServeOptions): ServiceDefinition;
  /**
   * Whether a file is only a part of a contract split over several files (a GraphQL schema in modules:
   * a file of types with no Query). When `up` is given such a part, the files of this kind it was given
   * from the same directory are served as one contract: `serve` gets the first with the others as `parts`;
   * so are the files of other directories when they complete what one directory gives (schema modules in folders).
   */
  isPart?(text: string): boolean;
  /**
   * Whether files of this kind given one port (`up a.proto:50051 b.proto:50051`) are served as one service on
   * it, as one gRPC server serves many services: `serve` gets the first with the others as `parts`. Without it,
   * two files on one port are refused.
   */
  sharesPort?: boolean;
  /**
   * Whether a file of this kind declares nothing to serve on its own (a .proto of messages only, which
   * the others import). Given beside files of its kind that do serve something (`up protos/*.proto`), it
   * is served with the first of them, as one of its `parts`, instead of on a port of its own.
   */
  servesNothing?(text: string): boolean;
}

/** How `mockstack up <contract>` serves a contract file. */
export interface ContractServeOptions {
  /** Its own port (`file:port`), or 0 for a free one. */
  port: number;
  /** Where imports of the contract are looked up besides its own directory (protos). */
  includeDirs: readonly string[];
  /**
   * `up <contract> --proxy <url>`: the real service that answers what no rule does (an OpenAPI document
   * then checks its answers, a validation proxy). Kinds that cannot proxy ignore it.
   */
  proxy?: string | undefined;
  /** The other files of a contract split over several (see `ContractFileKind.isPart`), or given the same port (`sharesPort`), served with this one. */
  parts?: readonly string[];
}

/**
 * A protocol. Each adapter package exports one; the runner hands them to `compile` and
 * `createStack`. Adding a protocol means a new adapter, nothing else.
 */
export interface Adapter {
  readonly protocol: string;
  /**
   * Serves HTTP and can share a port: its servers implement `host` (others mount on them) and
   * `attach` (they mount on others). Compile refuses a `mount` between services that cannot.
   */
  readonly sharesHttpPort?: boolean;
  /**
   * Turns a service as written into the service to compile, before anything else: e.g. the REST
   * adapter adds a route per operation of an OpenAPI document the service names. Problems
   * (an unreadable contract) are thrown as MockstackError.
   */
  expand?(service: ServiceDefinition, context: ExpandContext): ServiceDefinition | Promise<ServiceDefinition>;
  /** Protocol-specific checks at compile time (path templates, contract names…). */
  validate?(service: Service, model: Model): Problem[] | Promise<Problem[]>;
  /**
   * A rule added to a running service (Stack.addRules) made as `expand` made the scenario's own
   * (an OpenAPI service maps it to the document's operation), or a problem. Default: as given.
   */
  adoptRule?(service: Service, rule: RuleDefinition): RuleDefinition | Problem;
  create(service: Service, context: AdapterContext): ServiceServer | Promise<ServiceServer>;
  /** The contract files it serves on their own (`mockstack up api.yaml`), if any. */
  readonly contractFiles?: readonly ContractFileKind[];
  /**
   * What `mockstack gen`, `check` and `init` do with its contracts, loaded only by them (the
   * protocol's type generator and contract libraries stay out of `up`).
   */
  tooling?(): Promise<ProtocolTooling>;
}

/**
 * A protocol's part in `mockstack gen`, `check` and `init`. Each is optional: a protocol without
 * `generateTypes` adds no types, without `initService` is skipped by `init`, and so on.
 */
export interface ProtocolTooling {
  /**
   * The types of the project's contracts of this protocol's kinds, for `mockstack gen`. Contracts
   * that do not load are thrown as MockstackError (`MOCKSTACK_ERR_CONTRACT_LOAD`, naming file and line).
   */
  generateTypes?(contracts: ProjectContractFiles, context: GenerateContext): GeneratedTypes | Promise<GeneratedTypes>;
  /** The service `mockstack init` writes for one contract file, or undefined to skip it (a proto with no service). */
  initService?(file: string, kind: ContractFileKind, context: InitContext): InitService | undefined | Promise<InitService | undefined>;
  /**
   * What `mockstack check` finds wrong with a compiled service's static answers (not handlers: they
   * run at serve time), and warnings about its contract. A contract that does not load is compile's to report.
   */
  checkStatic?(service: Service, rules: readonly StaticRule[], model: Model): StaticCheck | Promise<StaticCheck>;
}

/** The project's contract files of one protocol: per kind name, the files (absolute, sorted). */
export type ProjectContractFiles = ReadonlyMap<string, readonly string[]>;

export interface GenerateContext {
  /** The project root. */
  root: string;
  /** A file as the generated types name it: relative to the root, with `/`. */
  relative(file: string): string;
  /** Extra directories where imports are looked up (absolute). */
  includeDirs: readonly string[];
  /** Whether to accept a contract with small validity problems (the command line's `--lenient`, or a scenario serving it lenient). */
  isLenient(file: string): boolean;
  /** True when `--lenient` was given (then no hint to pass it). */
  lenient: boolean;
}

/** Types generated from contracts: declarations at module scope and entries of the `Contracts` registry. */
export interface GeneratedTypes {
  declarations: readonly string[];
  /** Per part of `mockstack`'s `Contracts` interface (`grpc`, `openapi`…), its entries (`'pkg.Svc': {…};`). */
  registry: Readonly<Record<string, readonly string[]>>;
  /** Contract problems the types were generated despite (lenient), `file:line:col: problem`. */
  warnings?: readonly string[];
}

export interface InitContext {
  /** True for a file named on the command line (not a service is an error), false for one found in a directory (skipped). */
  named: boolean;
  /** Where imports are looked up (absolute). */
  includeDirs: readonly string[];
  /** Accept contracts with small validity problems (the written service says `lenient: true`). */
  lenient: boolean;
}

/** A service `mockstack init` writes into the scenario module. */
export interface InitService {
  protocol: string;
  /** One per handler written (a gRPC method, a GraphQL root field, an OpenAPI operation…). */
  stubs: readonly InitStub[];
  /** What the service's code imports (`{ from: 'mockstack', names: ['grpc'] }`). */
  imports: readonly { from: string; names: readonly string[] }[];
  /** The service's code: a DSL call whose handlers answer through `answer(state, '<operation>')`. */
  code(context: InitCodeContext): string;
  /** The code of a fault that takes the service down, for the scenario's example variant. Default: `fault.unavailable(…)`. */
  downFault?(service: string): string;
}

/** One handler `init` writes; `kind` names what it stubs, the rest is the protocol's. */
export interface InitStub {
  readonly kind: string;
}

export interface InitCodeContext {
  port: number;
  /** The scenario's state type, for the DSL call's type argument. */
  stateType: string;
  /** How the scenario names a file: from the project root when inside it, else absolute. */
  contractPath(file: string): string;
  lenient: boolean;
}

/** A rule with a static answer (not a handler), and the metadata of its operation. */
export interface StaticRule {
  rule: Rule;
  meta: Readonly<Record<string, unknown>>;
}

export interface StaticCheck {
  violations: readonly { source: SourceLocation | undefined; message: string }[];
  warnings?: readonly string[];
}
