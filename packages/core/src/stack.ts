import type { Adapter, ServiceAddress, ServiceServer } from './adapter.js';
import { Engine, type EngineOptions } from './engine.js';
import { ErrorCode, MockstackError } from './errors.js';
import { silentLogger } from './logger.js';
import type { Model } from './model.js';

export interface StackOptions extends EngineOptions {
  adapters: readonly Adapter[];
  variants?: readonly string[] | undefined;
}

/**
 * Every service of a model, served by its adapter over one shared Engine (one state, one journal).
 * `listen` and `close` are the only lifecycle; the CLI adds ports, signals and printing.
 */
export class Stack {
  readonly engine: Engine;
  #adapters: Map<string, Adapter>;
  #servers = new Map<string, ServiceServer>();
  #addresses = new Map<string, ServiceAddress>();

  constructor(model: Model, options: StackOptions) {
    this.engine = new Engine(model, options);
    this.#adapters = new Map(options.adapters.map((a) => [a.protocol, a]));
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
      for (const service of this.engine.model.services.values()) {
        await this.#start(service.name);
      }
    } catch (error) {
      await this.close();
      throw error;
    }
    return this.addresses;
  }

  async close(): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    this.#addresses.clear();
    await Promise.allSettled(servers.map((s) => s.close()));
  }

  /**
   * Serves a reloaded model without dropping state. Services whose adapter can take the change
   * in place keep their sockets; the others restart on the port they had.
   */
  async reload(model: Model): Promise<void> {
    this.engine.replaceModel(model);
    for (const [name, server] of this.#servers) {
      const service = model.services.get(name);
      const previous = this.#addresses.get(name);
      if (service && server.update && (await server.update(service))) continue;
      await server.close();
      this.#servers.delete(name);
      this.#addresses.delete(name);
      if (service) await this.#start(name, previous?.port);
    }
    for (const name of model.services.keys()) if (!this.#servers.has(name)) await this.#start(name);
  }

  async #start(name: string, port?: number): Promise<void> {
    const model = this.engine.model;
    const original = model.services.get(name);
    if (!original) return;
    const service = port !== undefined && original.port === 0 ? { ...original, port } : original;
    const adapter = this.#adapters.get(service.protocol);
    if (!adapter) throw new MockstackError(ErrorCode.AdapterMissing, `no adapter serves protocol "${service.protocol}" of service "${name}"`);
    const server = await adapter.create(service, { engine: this.engine, logger: this.engine.logger ?? silentLogger });
    try {
      this.#addresses.set(name, await server.listen());
    } catch (error) {
      await server.close().catch(() => {});
      throw portError(name, service.host, service.port, error);
    }
    this.#servers.set(name, server);
  }
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
