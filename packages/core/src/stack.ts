import type { Adapter, HttpHandler, ServiceAddress, ServiceServer } from './adapter.js';
import { Engine, type EngineOptions, type StateShapeChange } from './engine.js';
import { ErrorCode, MockstackError } from './errors.js';
import { type GivenLimits, limitsOf, type ServerLimits } from './limits.js';
import { silentLogger } from './logger.js';
import type { Model, Mount, Service } from './model.js';

export interface StackOptions extends EngineOptions {
  adapters: readonly Adapter[];
  variants?: readonly string[] | undefined;
  /** Timeouts and caps for every service (see ServerLimits; defaults for those left out). */
  limits?: GivenLimits | undefined;
}

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

  /** Closes every service; with `graceMs`, each drains its calls in flight for up to that long first (see ServiceServer.close). */
  async close(graceMs?: number): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    this.#addresses.clear();
    this.#mounted.clear();
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
    // A host that restarted takes back the services mounted on it.
    for (const [guest, mounted] of this.#mounted) if (mounted.mount.on === name) this.#host(guest, mounted.mount, mounted.handler);
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
