import type { ServiceAddress, Stack } from '@mockstack/core';
import { isRecord } from '@mockstack/core';
import { badData, type MountebankError, MountebankInvalid, MountebankNotFound } from './errors.js';
import { checkImposter, type MountebankImposter, type MountebankStub, refusing, stubProblems } from './imposter.js';
import type { MountebankRequest } from './predicates.js';
import { generatedPredicates, recordedResponse, withRecorded } from './proxy-recording.js';
import { type ImposterInput, imposterRules, type ProxyRecording, type ServiceRoute } from './rules.js';

/** The shared store's topic of the imposters added over the API, by port (see Engine.shareDocument). */
const SHARED_TOPIC = 'mountebank:imposters';

/** What the imposters API steers: a running stack that takes rules while serving. */
export type MountebankHost = Pick<Stack, 'engine' | 'addresses' | 'addRules' | 'removeRules' | 'addedRules' | 'startService' | 'stopService'>;

/** A request an imposter saved (`recordRequests`), as Mountebank lists it. */
export interface SavedRequest extends MountebankRequest {
  timestamp: string;
}

/** An imposter served as rules added to the REST service on its port. */
export interface LiveImposter {
  port: number;
  /** The REST service it is served by. */
  service: string;
  /** The service was started for it (no REST service of the scenario listened on its port); stopped with it. */
  started: boolean;
  /** The imposter as sent (its stubs as they are now). */
  imposter: MountebankImposter & { port: number; stubs: MountebankStub[] };
  ruleIds: readonly string[];
  numberOfRequests: number;
  requests: SavedRequest[];
}

/** How an imposter is written out (Mountebank's `list`, `replayable` and `removeProxies` views). */
export interface ImposterView {
  /** The short form of `GET /imposters`: protocol, port, name, count and links. */
  list?: boolean;
  /** As `mb save` writes it: no count, requests or links. */
  replayable?: boolean;
  /** Without proxy responses (and the stubs left with none). */
  removeProxies?: boolean;
}

/**
 * The Mountebank imposters added at runtime, each served as rules added to the scenario's REST service
 * listening on its port. Every change is checked whole before anything is served: a refused imposter or
 * stub changes nothing. An imposter whose rules are gone (a `reset` removes every added rule) is
 * forgotten the next time the imposters are read.
 */
export class LiveImposters {
  readonly #imposters = new Map<number, LiveImposter>();
  readonly #host: MountebankHost;
  /** Services of forgotten imposters being stopped (see #sync): awaited before a port is taken again. */
  #stopping: Promise<void> = Promise.resolve();
  /** Answers recording proxies got, kept as stubs one after the other, in the order they came. */
  #recording: Promise<void> = Promise.resolve();
  /** Imposters other replicas added or removed, served here one after the other, in the order they came. */
  #adopting: Promise<void> = Promise.resolve();

  /** Settles once the imposters the other replicas of a shared store serve are served here too. */
  readonly ready: Promise<void>;

  constructor(host: MountebankHost) {
    this.#host = host;
    // With a shared store (--store redis), every replica serves the imposters any of them was sent.
    host.engine.onDocumentShared(SHARED_TOPIC, (port, imposter) => {
      this.#adopting = this.#adopting.then(() => this.#adoptShared(port, imposter));
    });
    this.ready = host.engine.sharedDocuments(SHARED_TOPIC).then(
      async (shared) => {
        for (const [port, imposter] of shared) await this.#adoptShared(port, imposter);
      },
      (error: unknown) => this.#warn(`the imposters the other replicas serve could not be read: ${(error as Error).message}`),
    );
  }

  /** Every imposter, by port. */
  list(): LiveImposter[] {
    this.#sync();
    return [...this.#imposters.values()].sort((a, b) => a.port - b.port);
  }

  get(port: string | number): LiveImposter {
    this.#sync();
    const found = this.#imposters.get(Number(port));
    if (!found) throw new MountebankNotFound(`no imposter on port ${port}; GET /imposters lists them (a reset removes every imposter added at runtime)`);
    return found;
  }

  /** Serves an imposter (in every replica of a shared store); one already on its port is replaced (once the new one is accepted). */
  async add(value: unknown): Promise<LiveImposter> {
    const live = await this.#add(value);
    await this.#host.engine.shareDocument(SHARED_TOPIC, String(live.port), live.imposter);
    return live;
  }

  async #add(value: unknown): Promise<LiveImposter> {
    this.#sync();
    await this.#stopping;
    const { imposter, service: found, routes } = this.#checked(value);
    const earlier = this.#imposters.get(imposter.port);
    const service = found ?? (await this.#startService(imposter.port));
    const started = found === undefined || (earlier?.started === true && earlier.service === service);
    const live: LiveImposter = {
      port: imposter.port,
      service,
      started,
      imposter,
      ruleIds: [],
      numberOfRequests: earlier?.numberOfRequests ?? 0,
      requests: earlier?.requests ?? [],
    };
    const rules = imposterRules(imposter as unknown as ImposterInput, {
      routes,
      onRequest: (request) => {
        live.numberOfRequests += 1;
        if (live.imposter.recordRequests) live.requests.push({ ...request, timestamp: new Date().toISOString() });
      },
      onRecord: (recorded) => {
        this.#recording = this.#recording.then(() => this.#record(live.port, recorded));
      },
    });
    try {
      live.ruleIds = (await this.#host.addRules(service, rules)).map((rule) => rule.id);
    } catch (error) {
      if (found === undefined) await this.#host.stopService(service);
      throw new MountebankInvalid([badData(`the imposter on port ${imposter.port} cannot be served: ${(error as Error).message}`)]);
    }
    if (earlier) this.#host.removeRules(earlier.ruleIds);
    this.#imposters.set(imposter.port, live);
    return live;
  }

  /** A REST service of its own for an imposter on a port no service of the scenario listens on. */
  async #startService(port: number): Promise<string> {
    const { model } = this.#host.engine;
    const services = [...model.services.values()];
    let name = `imposter${port}`;
    for (let n = 2; model.services.has(name); n++) name = `imposter${port}_${n}`;
    const host = (services.find((s) => s.protocol === 'rest') ?? services[0])?.host ?? '127.0.0.1';
    try {
      await this.#host.startService({ name, protocol: 'rest', port, host, config: {}, operations: new Map() });
    } catch (error) {
      throw new MountebankInvalid([
        { code: 'resource conflict', message: `cannot start a REST service on port ${port} for the imposter: ${(error as Error).message}` },
      ]);
    }
    this.#host.engine.logger.info(`mountebank: REST service ${name} started on port ${port} for an imposter`, { event: 'admin' });
    return name;
  }

  /**
   * Keeps what a recording proxy got as Mountebank does (see `withRecorded`), served at once (by every
   * replica of a shared store). The proxy's stub is found by identity: one removed meanwhile records nothing.
   */
  async #record(port: number, { stub, index, proxy, request, answer }: ProxyRecording): Promise<void> {
    const live = this.#imposters.get(port);
    const at = live?.imposter.stubs.indexOf(stub) ?? -1;
    if (!live || at < 0) return;
    const mode = proxy.mode === 'proxyAlways' ? 'proxyAlways' : 'proxyOnce';
    try {
      const predicates = generatedPredicates(request, proxy.predicateGenerators ?? []);
      await this.#withStubs(live, withRecorded(live.imposter.stubs, at, predicates, recordedResponse(answer, proxy), mode));
    } catch (error) {
      this.#warn(`the answer the proxy of stub ${index} on port ${port} got is not kept: ${(error as Error).message}`);
    }
  }

  /** Forgets the answers proxies recorded (`DELETE /imposters/:port/savedProxyResponses`): those responses, and the stubs left with none. */
  async clearProxyResponses(port: string | number): Promise<LiveImposter> {
    const live = this.get(port);
    const stubs = live.imposter.stubs
      .map((stub) => ({ ...stub, responses: (stub.responses ?? []).filter((response) => typeof response.is?._proxyResponseTime !== 'number') }))
      .filter((stub) => stub.responses.length > 0);
    return this.#withStubs(live, stubs);
  }

  /** Replaces every imposter with these (`PUT /imposters`): all are checked first; none changes when one is refused. */
  async replaceAll(values: unknown): Promise<LiveImposter[]> {
    if (!Array.isArray(values)) throw new MountebankInvalid([badData("'imposters' is a required field: an array of imposters")], 'the imposters');
    const errors = values.flatMap((value, i) => {
      try {
        this.#checked(value, `imposter ${i}`);
        return [];
      } catch (error) {
        if (error instanceof MountebankInvalid) return [...error.errors];
        throw error;
      }
    });
    const ports = values.map((value) => (isRecord(value) ? value.port : undefined));
    const twice = ports.filter((port, i) => ports.indexOf(port) !== i);
    if (twice.length) errors.push(badData(`two imposters on port ${twice[0]}: one port, one imposter`));
    if (errors.length) throw new MountebankInvalid(errors, 'the imposters');
    const before = this.list().map((live) => live.imposter);
    await this.clear();
    const added: LiveImposter[] = [];
    try {
      for (const value of values) added.push(await this.add(value));
    } catch (error) {
      // Back to what served before: nothing half-applied.
      await this.clear();
      for (const imposter of before) await this.add(imposter);
      throw error;
    }
    return added;
  }

  /** Removes an imposter (in every replica of a shared store): its rules, and the service started for it. */
  async remove(port: string | number): Promise<LiveImposter | undefined> {
    const found = await this.#remove(port);
    if (found) await this.#host.engine.shareDocument(SHARED_TOPIC, String(found.port), undefined);
    return found;
  }

  async #remove(port: string | number): Promise<LiveImposter | undefined> {
    this.#sync();
    const found = this.#imposters.get(Number(port));
    if (!found) return undefined;
    this.#imposters.delete(found.port);
    this.#host.removeRules(found.ruleIds);
    if (found.started) await this.#host.stopService(found.service);
    return found;
  }

  /** Removes every imposter; returns those removed. */
  async clear(): Promise<LiveImposter[]> {
    const all = this.list();
    for (const live of all) await this.remove(live.port);
    return all;
  }

  /** Inserts a stub at `index` (default: last) of an imposter. */
  async addStub(port: string | number, body: unknown): Promise<LiveImposter> {
    const live = this.get(port);
    const stubs = live.imposter.stubs;
    if (!isRecord(body) || body.stub === undefined) throw new MountebankInvalid([badData("must contain 'stub' field")], 'the stub');
    const index = body.index === undefined ? stubs.length : body.index;
    if (!(Number.isInteger(index) && Number(index) >= 0 && Number(index) <= stubs.length))
      throw new MountebankInvalid(
        [badData(`'index' must be between 0 and the length of the stubs array (${stubs.length}); got ${JSON.stringify(index)}`)],
        'the stub',
      );
    this.#checkStub(body.stub, `stub ${index}`);
    const next = [...stubs];
    next.splice(Number(index), 0, body.stub as MountebankStub);
    return this.#withStubs(live, next);
  }

  /** Replaces every stub of an imposter (`PUT /imposters/:port/stubs`). */
  async setStubs(port: string | number, body: unknown): Promise<LiveImposter> {
    const live = this.get(port);
    if (!isRecord(body) || body.stubs === undefined) throw new MountebankInvalid([badData("'stubs' is a required field")], 'the stubs');
    if (!Array.isArray(body.stubs)) throw new MountebankInvalid([badData("'stubs' must be an array")], 'the stubs');
    const errors = refusing(body.stubs.flatMap((stub: unknown, i: number) => stubProblems(stub, `stub ${i}`, { records: true })));
    if (errors.length) throw new MountebankInvalid(errors, 'the stubs');
    return this.#withStubs(live, body.stubs as MountebankStub[]);
  }

  /** Replaces the stub at `index`. */
  async replaceStub(port: string | number, index: string, stub: unknown): Promise<LiveImposter> {
    const live = this.get(port);
    const at = this.#stubIndex(live, index);
    this.#checkStub(stub, `stub ${at}`);
    const next = [...live.imposter.stubs];
    next[at] = stub as MountebankStub;
    return this.#withStubs(live, next);
  }

  /** Removes the stub at `index`. */
  async removeStub(port: string | number, index: string): Promise<LiveImposter> {
    const live = this.get(port);
    const at = this.#stubIndex(live, index);
    return this.#withStubs(
      live,
      live.imposter.stubs.filter((_, i) => i !== at),
    );
  }

  /** Forgets the requests an imposter saved (and its count). */
  clearRequests(port: string | number): LiveImposter {
    const live = this.get(port);
    live.requests = [];
    live.numberOfRequests = 0;
    return live;
  }

  /** An imposter as Mountebank's API writes it. */
  json(live: LiveImposter, view: ImposterView = {}): Record<string, unknown> {
    const { imposter, port } = live;
    const base = `/imposters/${port}`;
    const out: Record<string, unknown> = { protocol: imposter.protocol, port };
    if (imposter.name !== undefined) out.name = imposter.name;
    if (imposter.defaultResponse !== undefined) out.defaultResponse = imposter.defaultResponse;
    if (!view.replayable) out.numberOfRequests = live.numberOfRequests;
    if (view.list) return { ...out, _links: { self: { href: base }, stubs: { href: `${base}/stubs` } } };
    out.recordRequests = Boolean(imposter.recordRequests);
    if (!view.replayable) out.requests = live.requests;
    let stubs = imposter.stubs.map((stub, i) => {
      const { _links, matches, ...rest } = stub as MountebankStub & { _links?: unknown; matches?: unknown };
      return view.replayable ? rest : { ...rest, _links: { self: { href: `${base}/stubs/${i}` } } };
    });
    if (view.removeProxies)
      stubs = stubs
        .map((stub) => ({ ...stub, responses: (stub.responses ?? []).filter((r) => r.proxy === undefined) }))
        .filter((stub) => stub.responses.length > 0);
    out.stubs = stubs;
    if (!view.replayable) out._links = { self: { href: base }, stubs: { href: `${base}/stubs` } };
    return out;
  }

  async #withStubs(live: LiveImposter, stubs: MountebankStub[]): Promise<LiveImposter> {
    return this.add({ ...live.imposter, stubs });
  }

  #stubIndex(live: LiveImposter, index: string): number {
    const at = Number(index);
    if (!(/^\d+$/.test(index) && at < live.imposter.stubs.length))
      throw new MountebankNotFound(
        `'stubIndex' must be a valid integer, representing the array index position of the stub to replace; the imposter on port ${live.port} has ${live.imposter.stubs.length} stub(s)`,
      );
    return at;
  }

  #checkStub(stub: unknown, where: string): void {
    const errors = refusing(stubProblems(stub, where, { records: true }));
    if (errors.length) throw new MountebankInvalid(errors, 'the stub');
  }

  /** The imposter checked whole, and the REST service on its port with that service's routes; throws MountebankInvalid. */
  #checked(value: unknown, where = 'the imposter'): { imposter: LiveImposter['imposter']; service: string | undefined; routes: ServiceRoute[] } {
    const check = checkImposter(value, where, { records: true });
    const errors = [...check.errors, ...[...check.stubs.values()].flat()];
    const imposter = value as MountebankImposter;
    if (isRecord(value) && value.port === undefined)
      errors.push(badData(`${where}: give it a 'port': the scenario's REST service listening there serves it (one is started when none does)`));
    const address = errors.length ? undefined : this.#serviceOn(imposter as MountebankImposter & { port: number }, where, errors);
    if (errors.length) throw new MountebankInvalid(errors);
    const service = address && this.#host.engine.model.services.get(address.name);
    const routes = [...(service?.operations.values() ?? [])]
      // Rules added earlier (its own, WireMock's) made routes of their own; '/*' and the scenario's are the ones to share.
      .filter((operation) => !operation.id.startsWith('added:'))
      .map((operation) => ({ operation: operation.id, method: String(operation.meta.method), path: String(operation.meta.path) }));
    return { imposter: { ...imposter, port: imposter.port as number, stubs: imposter.stubs ?? [] }, service: address?.name, routes };
  }

  /** The REST service listening on the imposter's port; undefined when none is (one is started for it). */
  #serviceOn(imposter: MountebankImposter & { port: number }, where: string, errors: MountebankError[]): ServiceAddress | undefined {
    const { port } = imposter;
    const { model } = this.#host.engine;
    const onPort = this.#host.addresses.filter((address) => address.port === port && !model.services.get(address.name)?.mount);
    const rest = onPort.find((address) => address.protocol === 'rest');
    if (rest) return rest;
    if (onPort.length)
      errors.push(
        badData(`${where}: port ${port} is served by ${onPort[0]?.name} (${onPort[0]?.protocol}), not a REST service; give the imposter another port`),
      );
    else if (imposter.protocol === 'https')
      errors.push(
        badData(
          `${where}: no REST service of the scenario listens on port ${port}, and an https imposter needs one with TLS: declare it, e.g. \`imposter${port}: rest({ port: ${port}, tls: true })\``,
        ),
      );
    return undefined;
  }

  /**
   * An imposter another replica added (or, undefined, removed): served here too. One this replica cannot
   * serve (its port held by another process, e.g. a replica on the same host) is warned about, not served.
   */
  async #adoptShared(port: string, imposter: unknown): Promise<void> {
    try {
      if (imposter === undefined) await this.#remove(port);
      else await this.#add(imposter);
    } catch (error) {
      const reason = error instanceof MountebankInvalid ? error.errors.map((e) => e.message).join('; ') : (error as Error).message;
      const sameHost = error instanceof MountebankInvalid && error.errors.some((e) => e.code === 'resource conflict');
      this.#warn(
        `the imposter on port ${port}, added in another replica, is not served by this one: ${reason}${
          sameHost ? ' (replicas on one host cannot each listen on a port: run them on separate hosts or containers, or give each its own --host address)' : ''
        }`,
      );
    }
  }

  #warn(message: string): void {
    this.#host.engine.logger.warn(`mountebank: ${message}`, { event: 'admin' });
  }

  /** Forgets the imposters whose rules or service the stack no longer has (after a reset or a reload), stopping the services started for them. */
  #sync(): void {
    const live = new Set(this.#host.addedRules.map((added) => added.rule.id));
    const services = this.#host.engine.model.services;
    for (const imposter of this.#imposters.values()) {
      if (imposter.ruleIds.every((id) => live.has(id)) && services.has(imposter.service)) continue;
      this.#imposters.delete(imposter.port);
      if (imposter.started && services.has(imposter.service)) {
        const stopped = this.#host
          .stopService(imposter.service)
          .catch((error: Error) => this.#host.engine.logger.error(`mountebank: ${error.message}`, { event: 'admin' }));
        this.#stopping = this.#stopping.then(() => stopped);
      }
    }
  }
}
