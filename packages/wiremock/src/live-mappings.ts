import { randomUUID } from 'node:crypto';
import type { Stack } from '@mockstack/core';
import { isRecord } from '@mockstack/core';
import { WiremockMappingInvalid, WiremockNotFound } from './errors.js';
import { type LiveStub, type LiveStubContext, liveStub, type RestRoute, type RouteFinder } from './live-stub.js';
import type { BodyFiles } from './stub.js';

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

  constructor(host: WiremockHost, routeOf: RouteFinder, bodyFiles?: BodyFiles) {
    this.#host = host;
    this.#routeOf = routeOf;
    this.#bodyFiles = bodyFiles;
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

  /** Serves a mapping; one with the id of an existing mapping replaces it. */
  async add(mapping: unknown): Promise<LiveMapping> {
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

  remove(id: string): LiveMapping {
    const found = this.get(id);
    this.#remove(found);
    return found;
  }

  /** Removes every mapping added at runtime; returns how many. */
  clear(): number {
    const all = this.list();
    for (const mapping of all) this.#remove(mapping);
    return all.length;
  }

  /** The mapping whose rules include this rule id. */
  ofRule(ruleId: string): LiveMapping | undefined {
    for (const mapping of this.#mappings.values()) if (mapping.ruleIds.includes(ruleId)) return mapping;
    return undefined;
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
    return { services, routeOf: this.#routeOf, declaredMachines: model.machines, addedMachines: added, bodyFiles: this.#bodyFiles };
  }
}

export type { LiveStub };
