import type { Adapter, HttpHandler, ServiceAddress, ServiceServer } from './adapter.js';
import { compileAddedRules, isMachineStates, isRuleDefinition } from './compile.js';
import { Engine, type EngineOptions, type StateShapeChange } from './engine.js';
import { ErrorCode, formatSource, MockstackError, type Problem } from './errors.js';
import { type GivenLimits, limitsOf, type ServerLimits } from './limits.js';
import { silentLogger } from './logger.js';
import type { AddedRule, Model, Mount, Rule, RuleDefinition, Service } from './model.js';

export interface StackOptions extends EngineOptions {
  adapters: readonly Adapter[];
  variants?: readonly string[] | undefined;
  /** Timeouts and caps for every service (see ServerLimits; defaults for those left out). */
  limits?: GivenLimits | undefined;
}

/** What Stack.addRules takes besides the rules. */
export interface AddRulesOptions {
  /** Lower answers first among added rules (WireMock's priority; default 5). Added rules always answer before the scenario's; of one priority, the newest first. */
  priority?: number | undefined;
  /** State machines the rules use that the scenario does not declare: name → states, the first is where it starts (WireMock scenarios). */
  machines?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * Ids of rules these replace (added ones, or the scenario's that were withdrawn): of the same priority, the
   * new rules are tried where those were, not first, as WireMock tries an edited stub where it was.
   */
  inPlaceOf?: readonly string[] | undefined;
}

/** WireMock's default stub priority. */
const DEFAULT_ADDED_PRIORITY = 5;

/**
 * Every service of a model, served by its adapter over one shared Engine (one state, one journal).
 * `listen` and `close` are the only lifecycle; the CLI adds ports, signals and printing.
 */
export class Stack {
  readonly engine: Engine;
  #adapters: Map<string, Adapter>;
  readonly #limits: ServerLimits;
  #servers = new Map<string, ServiceServer>();
  #addresses = new Map<string, ServiceAddress>();
  /** Services served on another's port: where, their request handler, and how to take it off the host. */
  #mounted = new Map<string, { mount: Mount; handler: HttpHandler; detach: () => void }>();
  /** Handlers that are no service, served on a service's port at a path (see hostOn): kept across its restarts. */
  #guests = new Map<string, { service: string; path: string; handler: HttpHandler; detach: () => void }>();

  constructor(model: Model, options: StackOptions) {
    this.engine = new Engine(model, options);
    this.#adapters = new Map(options.adapters.map((a) => [a.protocol, a]));
    this.#limits = limitsOf(options.limits);
    if (options.variants?.length) this.engine.setVariants(options.variants);
  }

  get addresses(): ServiceAddress[] {
    return [...this.#addresses.values()];
  }

  address(service: string): ServiceAddress {
    const address = this.#addresses.get(service);
    if (!address) throw new MockstackError(ErrorCode.ScenarioInvalid, `no running service "${service}"; running: ${[...this.#addresses.keys()].join(', ')}`);
    return address;
  }

  /**
   * Serves `rules` on `service` from now on, before the scenario's own rules (MSW's `server.use`,
   * WireMock's runtime stubs), until removed or the engine is reset. They are compiled and checked as a
   * scenario's rules are, and the service's adapter checks their operations (a REST rule may add a path
   * the scenario lacks; a GraphQL field must be in the schema). Throws MOCKSTACK_ERR_RULE_INVALID,
   * listing every problem, and serves none of them then.
   *
   * @example
   * await stack.addRules('orders', [rest.get('/orders/:id', fault.notFound())]);
   */
  async addRules(service: string, rules: readonly RuleDefinition[], options: AddRulesOptions = {}): Promise<Rule[]> {
    const engine = this.engine;
    const target = engine.model.services.get(service);
    if (!target) {
      throw new MockstackError(
        ErrorCode.RuleInvalid,
        `no service "${service}" to add rules to; the scenario has ${[...engine.model.services.keys()].join(', ')}`,
      );
    }
    const priority = options.priority ?? DEFAULT_ADDED_PRIORITY;
    if (!Number.isInteger(priority))
      throw new MockstackError(
        ErrorCode.RuleInvalid,
        `priority ${JSON.stringify(priority)}: use a whole number (lower answers first; default ${DEFAULT_ADDED_PRIORITY})`,
      );
    const machines = new Map<string, readonly string[]>();
    for (const [name, states] of Object.entries(options.machines ?? {})) {
      if (!isMachineStates(states)) {
        throw new MockstackError(ErrorCode.RuleInvalid, `state machine "${name}" needs a list of distinct state names, the first being where it starts`);
      }
      const declared = engine.model.machines.get(name);
      const unknown = declared && states.filter((state) => !declared.includes(state));
      if (declared && unknown?.length) {
        throw new MockstackError(
          ErrorCode.RuleInvalid,
          `state machine "${name}" is the scenario's, with states ${declared.join(', ')}; it has no ${unknown.join(', ')} (add them in the scenario, or name another machine)`,
        );
      }
      // A machine added before may get more states (WireMock scenarios grow stub by stub); the known ones keep their order.
      const added = engine.machineStates(name);
      machines.set(name, added ? [...added, ...states.filter((state) => !added.includes(state))] : states);
    }
    const adapter = this.#adapters.get(target.protocol);
    const problems: Problem[] = [];
    const adopted: RuleDefinition[] = [];
    for (const rule of rules) {
      // Made as `expand` made the scenario's own (an OpenAPI service maps it to the document's operation); a non-rule is compile's to report.
      const made = adapter?.adoptRule && isRuleDefinition(rule) ? adapter.adoptRule(target, rule) : rule;
      if (made === rule || isRuleDefinition(made)) adopted.push(made as RuleDefinition);
      else problems.push(made as Problem);
    }
    const { rules: compiled, problems: compileProblems } = compileAddedRules(
      adopted,
      adopted.map(() => engine.addedRuleId(service)),
      new Map([...engine.machineDefinitions, ...machines]),
    );
    problems.push(...compileProblems);
    if (!problems.length && adapter?.validate) {
      // The adapter checks the service as it would be with these operations (routes that clash, fields the schema lacks).
      const operations = new Map(target.operations);
      for (const rule of compiled)
        if (!operations.has(rule.operation)) operations.set(rule.operation, { id: rule.operation, rules: [rule], meta: rule.meta ?? {} });
      problems.push(...(await adapter.validate({ ...target, operations }, engine.model)));
    }
    if (problems.length) {
      const lines = problems.map((p) => `  - ${p.source ? `${formatSource(p.source)}: ` : ''}${p.message}`);
      throw new MockstackError(
        ErrorCode.RuleInvalid,
        `cannot add ${rules.length === 1 ? 'the rule' : `${rules.length} rules`} to service "${service}" (${target.protocol}):\n${lines.join('\n')}`,
        {
          source: problems[0]?.source,
          problems,
        },
      );
    }
    await engine.addRules(service, compiled, priority, machines, options.inPlaceOf);
    return compiled;
  }

  /** Stops serving the added rules with these ids (see addRules); returns how many there were. */
  removeRules(ids: Iterable<string>): number {
    return this.engine.removeAddedRules(ids);
  }

  /**
   * Stops serving rules of the scenario itself (ids such as `wiremock#3`) until `restoreRules`, a reset
   * or a reload: WireMock's admin API removing or replacing a mapping that `up wiremock/` read from the
   * root's files. Returns how many were served; ids that are no rule of the scenario are left out.
   */
  withdrawRules(ids: Iterable<string>): number {
    return this.engine.withdrawRules(ids);
  }

  /** Serves again the rules of the scenario `withdrawRules` took away (those of `ids`, or all); returns how many. */
  restoreRules(ids?: Iterable<string>): number {
    return this.engine.restoreRules(ids);
  }

  /** The rules added while serving, in the order they are tried. */
  get addedRules(): readonly AddedRule[] {
    return this.engine.addedRules;
  }

  /**
   * Starts a service the scenario does not declare, while serving (a Mountebank imposter on a port the
   * scenario has no REST service on): added to the model, listening at once, with no rules until some are
   * added. Throws (MOCKSTACK_ERR_PORT_IN_USE…) and adds nothing when it cannot listen. A reload of the
   * scenario (`--watch`) serves the scenario's services alone again.
   */
  async startService(service: Service): Promise<ServiceAddress> {
    this.engine.addService(service);
    try {
      await this.#start(service.name);
    } catch (error) {
      this.engine.removeService(service.name);
      throw error;
    }
    return this.address(service.name);
  }

  /** Stops a service started with `startService`, and takes it (and the rules added to it) out of the model. */
  async stopService(name: string): Promise<void> {
    await this.#stop(name);
    this.engine.removeService(name);
  }

  /** Starts every service; if one cannot listen, the others are closed and the error thrown. */
  async listen(): Promise<ServiceAddress[]> {
    try {
      await this.engine.open();
      for (const service of hostsFirst(this.engine.model)) {
        await this.#start(service.name);
      }
    } catch (error) {
      await this.close();
      throw error;
    }
    return this.addresses;
  }

  /**
   * Serves `handler` at `path` (and below it) on the port of HTTP service `service`, before the service's
   * own routes, until the returned function is called; again after the service restarts on a reload. The
   * runner serves the admin API this way on the port of WireMock's mappings, where WireMock's clients look for it.
   */
  hostOn(service: string, path: string, handler: HttpHandler): () => void {
    const key = `${service} ${path}`;
    const server = this.#servers.get(service);
    if (!server?.host)
      throw new MockstackError(ErrorCode.AdapterMissing, `service "${service}" is not a running HTTP service that can serve ${path} on its port`);
    this.#guests.get(key)?.detach();
    this.#guests.set(key, { service, path, handler, detach: server.host(path, handler) });
    return () => {
      this.#guests.get(key)?.detach();
      this.#guests.delete(key);
    };
  }

  /** Closes every service; with `graceMs`, each drains its calls in flight for up to that long first (see ServiceServer.close). */
  async close(graceMs?: number): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    this.#addresses.clear();
    this.#mounted.clear();
    this.#guests.clear();
    await Promise.allSettled(servers.map((s) => s.close(graceMs)));
    await this.engine.close();
  }

  /**
   * Serves a reloaded model without dropping state. Services whose adapter can take the change
   * in place keep their sockets; the others restart on the port they had.
   */
  async reload(model: Model): Promise<StateShapeChange> {
    const before = this.engine.model;
    const change = this.engine.replaceModel(model);
    for (const [name, server] of [...this.#servers]) {
      const service = model.services.get(name);
      const previous = this.#addresses.get(name);
      const mounted = this.#mounted.get(name)?.mount;
      const sameMount = service?.mount?.on === mounted?.on && service?.mount?.path === mounted?.path;
      // A new port or host is a new socket: restart there (a port of 0 keeps the free one it had).
      const was = before.services.get(name);
      const sameAddress = service?.port === was?.port && service?.host === was?.host;
      if (service && sameMount && sameAddress && server.update && (await server.update(service))) continue;
      await this.#stop(name);
      if (service) await this.#start(name, previous?.port);
    }
    for (const service of hostsFirst(model)) if (!this.#servers.has(service.name)) await this.#start(service.name);
    return change;
  }

  async #stop(name: string): Promise<void> {
    const server = this.#servers.get(name);
    this.#mounted.get(name)?.detach();
    this.#mounted.delete(name);
    this.#servers.delete(name);
    this.#addresses.delete(name);
    await server?.close();
  }

  async #start(name: string, port?: number): Promise<void> {
    const model = this.engine.model;
    const original = model.services.get(name);
    if (!original) return;
    const service = port !== undefined && original.port === 0 ? { ...original, port } : original;
    const adapter = this.#adapters.get(service.protocol);
    if (!adapter) throw new MockstackError(ErrorCode.AdapterMissing, `no adapter serves protocol "${service.protocol}" of service "${name}"`);
    const server = await adapter.create(service, { engine: this.engine, logger: this.engine.logger ?? silentLogger, limits: this.#limits });
    if (service.mount) {
      await this.#mount(service, server, service.mount);
      return;
    }
    try {
      this.#addresses.set(name, await server.listen());
    } catch (error) {
      await server.close().catch(() => {});
      throw portError(name, service.host, service.port, error);
    }
    this.#servers.set(name, server);
    // A host that restarted takes back the services mounted on it, and the handlers it hosted.
    for (const [guest, mounted] of this.#mounted) if (mounted.mount.on === name) this.#host(guest, mounted.mount, mounted.handler);
    for (const guest of this.#guests.values()) if (guest.service === name && server.host) guest.detach = server.host(guest.path, guest.handler);
  }

  async #mount(service: Service, server: ServiceServer, mount: Mount): Promise<void> {
    if (!server.attach) {
      await server.close();
      throw new MockstackError(ErrorCode.AdapterMissing, `service "${service.name}" (${service.protocol}) cannot be served on another service's port`);
    }
    const handler = await server.attach();
    this.#servers.set(service.name, server);
    this.#host(service.name, mount, handler);
  }

  /** Hands `guest`'s handler to its host and records the address they now share. */
  #host(guest: string, mount: Mount, handler: HttpHandler): void {
    const host = this.#servers.get(mount.on);
    const address = this.#addresses.get(mount.on);
    if (!host?.host || !address)
      throw new MockstackError(ErrorCode.AdapterMissing, `service "${guest}" is served on "${mount.on}"'s port, which is not running`);
    const detach = host.host(mount.path, handler);
    this.#mounted.set(guest, { mount, handler, detach });
    const protocol = this.engine.model.services.get(guest)?.protocol ?? 'http';
    const scheme = address.url.startsWith('https:') ? 'https' : 'http';
    const origin = `${scheme}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    this.#addresses.set(guest, {
      name: guest,
      protocol,
      host: address.host,
      port: address.port,
      url: `${origin}${mount.path}`,
      ...(address.ca && { ca: address.ca }),
    });
  }
}

/** Services that others mount on start before those mounted on them. */
function hostsFirst(model: Model): Service[] {
  const services = [...model.services.values()];
  return [...services.filter((s) => !s.mount), ...services.filter((s) => s.mount)];
}

function portError(name: string, host: string, port: number, error: unknown): unknown {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use|No address added/i.test(String((error as Error)?.message))) {
    return new MockstackError(
      ErrorCode.PortInUse,
      `service "${name}" cannot listen on ${host}:${port}: the port is in use. Stop what uses it, or give the service another port (0 picks a free one)`,
      { cause: error },
    );
  }
  return error;
}

/** `createStack(model, { adapters })`: the app factory, apart from `listen()`. */
export function createStack(model: Model, options: StackOptions): Stack {
  return new Stack(model, options);
}
