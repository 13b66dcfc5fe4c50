import { randomUUID } from 'node:crypto';
import type { Stack } from '@mockstack/core';
import { isRecord } from '@mockstack/core';
import { WiremockMappingInvalid, WiremockNotFound } from './errors.js';
import { type LiveStub, type LiveStubContext, liveStub, type RestRoute, type RouteFinder } from './live-stub.js';
import { DEFAULT_SETTINGS, parseSettings, type WiremockSettings } from './settings.js';
import type { BodyFiles } from './stub.js';

/** The shared store's topic of the mappings added over the admin API (see Engine.shareDocument). */
const SHARED_TOPIC = 'wiremock:mappings';
/** The shared store's topic of WireMock's global settings (one document, `global`). */
const SETTINGS_TOPIC = 'wiremock:settings';

/** What the WireMock endpoints steer: a running stack that takes rules while serving. */
export type WiremockHost = Pick<Stack, 'engine' | 'addresses' | 'addRules' | 'removeRules' | 'addedRules'>;

/** A mapping served as live rules: the mapping as sent (with its id), where it went, and its rules. */
export interface LiveMapping {
  id: string;
  /** The mapping as sent, with `id` and `uuid`. */
  mapping: Record<string, unknown>;
  service: string;
  ruleIds: readonly string[];
}

/**
 * The WireMock mappings added at runtime, each served as rules added to the stack. A mapping whose rules
 * are gone (`reset` removes every added rule) is forgotten the next time the mappings are read.
 */
export class LiveMappings {
  readonly #mappings = new Map<string, LiveMapping>();
  readonly #host: WiremockHost;
  readonly #routeOf: RouteFinder;
  readonly #bodyFiles: BodyFiles | undefined;
  #settings: WiremockSettings = DEFAULT_SETTINGS;

  /** Settles once the mappings other replicas of a shared store serve are served here too. */
  readonly ready: Promise<void>;

  constructor(host: WiremockHost, routeOf: RouteFinder, bodyFiles?: BodyFiles) {
    this.#host = host;
    this.#routeOf = routeOf;
    this.#bodyFiles = bodyFiles;
    // With a shared store (--store redis), every replica serves the mappings any of them was sent.
    host.engine.onDocumentShared(SHARED_TOPIC, (id, mapping) => void this.#adoptShared(id, mapping));
    host.engine.onDocumentShared(SETTINGS_TOPIC, (_, settings) => void this.#adoptSharedSettings(settings));
    this.ready = Promise.all([host.engine.sharedDocuments(SETTINGS_TOPIC), host.engine.sharedDocuments(SHARED_TOPIC)]).then(
      async ([settings, shared]) => {
        for (const [, sent] of settings) await this.#adoptSharedSettings(sent);
        for (const [id, mapping] of shared) await this.#adoptShared(id, mapping);
      },
      (error: unknown) => this.#warn(`the mappings the other replicas serve could not be read: ${(error as Error).message}`),
    );
  }

  /** Every mapping, newest first. */
  list(): LiveMapping[] {
    this.#sync();
    return [...this.#mappings.values()].reverse();
  }

  get(id: string): LiveMapping {
    this.#sync();
    const found = this.#mappings.get(id);
    if (!found) throw new WiremockNotFound(`no mapping has id ${id}; GET /__admin/mappings lists them (a reset removes every mapping added at runtime)`);
    return found;
  }

  /** Checks a mapping as `add` would, without adding it; throws WiremockMappingInvalid. */
  check(mapping: unknown): void {
    liveStub(mapping, this.#context());
  }

  /** Serves a mapping (in every replica of a shared store); one with the id of an existing mapping replaces it. */
  async add(mapping: unknown): Promise<LiveMapping> {
    const added = await this.#add(mapping);
    await this.#host.engine.shareDocument(SHARED_TOPIC, added.id, added.mapping);
    return added;
  }

  async #add(mapping: unknown): Promise<LiveMapping> {
    this.#sync();
    const live = liveStub(mapping, this.#context());
    const sent = mapping as Record<string, unknown>;
    const id = typeof sent.id === 'string' ? sent.id : typeof sent.uuid === 'string' ? sent.uuid : randomUUID();
    const rules = await this.#host.addRules(live.service, live.rules, {
      priority: live.priority,
      ...(live.machine && { machines: { [live.machine.name]: live.machine.states } }),
    });
    const replaced = this.#mappings.get(id);
    if (replaced) this.#remove(replaced);
    const added: LiveMapping = { id, mapping: { ...sent, id, uuid: id }, service: live.service, ruleIds: rules.map((r) => r.id) };
    this.#mappings.set(id, added);
    return added;
  }

  /** Replaces the mapping of that id (which must exist) with another. */
  async replace(id: string, mapping: unknown): Promise<LiveMapping> {
    this.get(id);
    if (!isRecord(mapping)) throw new WiremockMappingInvalid(['a mapping is a JSON object with "request" and "response"']);
    return this.add({ ...mapping, id, uuid: id });
  }

  /** Removes a mapping (in every replica of a shared store). */
  async remove(id: string): Promise<LiveMapping> {
    const found = this.get(id);
    this.#remove(found);
    await this.#host.engine.shareDocument(SHARED_TOPIC, found.id, undefined);
    return found;
  }

  /** Removes every mapping added at runtime; returns how many. */
  async clear(): Promise<number> {
    const all = this.list();
    for (const mapping of all) await this.remove(mapping.id);
    return all.length;
  }

  /** The mapping whose rules include this rule id. */
  ofRule(ruleId: string): LiveMapping | undefined {
    for (const mapping of this.#mappings.values()) if (mapping.ruleIds.includes(ruleId)) return mapping;
    return undefined;
  }

  /** WireMock's global settings as GET /__admin/settings answers them. */
  get settings(): Record<string, unknown> {
    return this.#settings.sent;
  }

  /**
   * Sets WireMock's global settings (in every replica of a shared store) and serves every mapping
   * again under them; throws WiremockMappingInvalid (nothing changed) for settings that are malformed
   * or that a mapping cannot be served under.
   */
  async updateSettings(body: unknown): Promise<Record<string, unknown>> {
    await this.#applySettings(parseSettings(body));
    await this.#host.engine.shareDocument(SETTINGS_TOPIC, 'global', this.#settings.sent);
    return this.#settings.sent;
  }

  async #applySettings(settings: WiremockSettings): Promise<void> {
    const all = this.list().reverse();
    const problems = all.flatMap(({ id, mapping }) => {
      try {
        liveStub(mapping, { ...this.#context(), settings });
        return [];
      } catch (error) {
        return (error instanceof WiremockMappingInvalid ? error.problems : [(error as Error).message]).map((problem) => `mapping ${id}: ${problem}`);
      }
    });
    if (problems.length) throw new WiremockMappingInvalid(problems, 'the settings');
    this.#settings = settings;
    for (const { mapping } of all) await this.#add(mapping);
  }

  async #adoptSharedSettings(sent: unknown): Promise<void> {
    try {
      await this.#applySettings(sent === undefined ? DEFAULT_SETTINGS : parseSettings(sent));
    } catch (error) {
      this.#warn(`the settings another replica was sent are not served here: ${(error as Error).message}`);
    }
  }

  /** A mapping another replica added (or, undefined, removed): served here too; one this scenario cannot serve is warned about. */
  async #adoptShared(id: string, mapping: unknown): Promise<void> {
    try {
      if (mapping === undefined) {
        const found = this.#mappings.get(id);
        if (found) this.#remove(found);
      } else await this.#add(mapping);
    } catch (error) {
      this.#warn(`mapping ${id}, added in another replica, is not served here: ${(error as Error).message}`);
    }
  }

  #warn(message: string): void {
    this.#host.engine.logger.warn(`wiremock: ${message}`, { event: 'admin' });
  }

  #remove(mapping: LiveMapping): void {
    this.#host.removeRules(mapping.ruleIds);
    this.#mappings.delete(mapping.id);
  }

  /** Forgets the mappings whose rules the stack no longer has (after a reset). */
  #sync(): void {
    const live = new Set(this.#host.addedRules.map((added) => added.rule.id));
    for (const mapping of this.#mappings.values()) if (!mapping.ruleIds.every((id) => live.has(id))) this.#mappings.delete(mapping.id);
  }

  #context(): LiveStubContext {
    const { model } = this.#host.engine;
    const services = new Map<string, RestRoute[]>();
    for (const service of model.services.values()) {
      if (service.protocol !== 'rest') continue;
      services.set(
        service.name,
        [...service.operations.values()].map((operation) => ({
          operation: operation.id,
          method: String(operation.meta.method),
          path: String(operation.meta.path),
        })),
      );
    }
    const { engine } = this.#host;
    const added = new Map([...engine.machineDefinitions].filter(([name]) => !model.machines.has(name)));
    return { services, routeOf: this.#routeOf, declaredMachines: model.machines, addedMachines: added, bodyFiles: this.#bodyFiles, settings: this.#settings };
  }
}

export type { LiveStub };
