import { randomUUID } from 'node:crypto';
import type { Stack } from '@mockstack/core';
import { isRecord } from '@mockstack/core';
import { WiremockMappingInvalid, WiremockNotFound } from './errors.js';
import { type LiveStub, type LiveStubContext, liveStub, type RestRoute, type RouteFinder } from './live-stub.js';
import {
  FILE_MAPPINGS,
  type FileMapping,
  type MappingSource,
  REFUSED_MAPPINGS,
  type RefusedMapping,
  type SettingsHolder,
  WIREMOCK_SETTINGS,
} from './mappings-service.js';
import { DEFAULT_SETTINGS, parseSettings, type WiremockSettings } from './settings.js';
import type { BodyFiles } from './stub.js';

/** The shared store's topic of the mappings added over the admin API (see Engine.shareDocument). */
const SHARED_TOPIC = 'wiremock:mappings';
/** The shared store's topic of WireMock's global settings (one document, `global`). */
const SETTINGS_TOPIC = 'wiremock:settings';
/** The shared store's topic of the mappings read from a root's files that the admin API removed (by id). */
const FILES_TOPIC = 'wiremock:removed-file-mappings';
/** WireMock's default priority. */
const DEFAULT_PRIORITY = 5;

/** What the WireMock endpoints steer: a running stack that takes rules while serving. */
export type WiremockHost = Pick<Stack, 'engine' | 'addresses' | 'addRules' | 'removeRules' | 'addedRules' | 'withdrawRules' | 'restoreRules'>;

/** A mapping served as live rules: the mapping as sent (with its id), where it went, and its rules. */
export interface LiveMapping {
  id: string;
  /** The mapping as sent, with `id` and `uuid`. */
  mapping: Record<string, unknown>;
  service: string;
  ruleIds: readonly string[];
  /** Read from a root's files by `up wiremock/` (the service's own rules), not sent at runtime. */
  fromFile?: boolean;
  /** For one read from files: its file in the `mappings` folder, and its place in a file of several. */
  source?: MappingSource;
  /** Added at runtime in place of one of a root's files of its id (an edit): listed and tried where that one was. */
  inPlaceOfFile?: boolean;
}

/**
 * The WireMock mappings: those added at runtime, each served as rules added to the stack, and those a
 * service read from a root's files (`up wiremock/`), served as its own rules. A mapping added at runtime
 * whose rules are gone (`reset` removes every added rule) is forgotten the next time the mappings are
 * read; one read from files and removed (or replaced) is withdrawn until `reset`, a reset of the stack or
 * a reload, as WireMock's `mappings/reset` reads the files again (the files themselves are never touched).
 */
export class LiveMappings {
  readonly #mappings = new Map<string, LiveMapping>();
  readonly #host: WiremockHost;
  readonly #routeOf: RouteFinder;
  readonly #bodyFiles: BodyFiles | undefined;
  #settings: WiremockSettings = DEFAULT_SETTINGS;
  /** The mappings other replicas sent, being served here (see the constructor). */
  #adopting: Promise<void> = Promise.resolve();

  /** Settles once the mappings other replicas of a shared store serve are served here too. */
  readonly ready: Promise<void>;

  constructor(host: WiremockHost, routeOf: RouteFinder, bodyFiles?: BodyFiles) {
    this.#host = host;
    this.#routeOf = routeOf;
    this.#bodyFiles = bodyFiles;
    // With a shared store (--store redis), every replica serves the mappings any of them was sent.
    // One after another, in the order sent: a removal that came while its mapping was still being added would find
    // nothing to remove, and the mapping would then be served for good.
    host.engine.onDocumentShared(SHARED_TOPIC, (id, mapping) => {
      this.#adopting = this.#adopting.then(() => this.#adoptShared(id, mapping));
    });
    host.engine.onDocumentShared(SETTINGS_TOPIC, (_, settings) => void this.#adoptSharedSettings(settings));
    host.engine.onDocumentShared(FILES_TOPIC, (id, removed) => this.#adoptSharedFileRemoval(id, removed));
    // A reload (--watch) serves the files' mappings again; one replaced at runtime stays replaced.
    host.engine.onVariantsChanged(() => {
      for (const mapping of this.#mappings.values()) this.#withdrawFiles(mapping.id);
      this.#settleFileSettings();
    });
    this.ready = Promise.all([
      host.engine.sharedDocuments(SETTINGS_TOPIC),
      host.engine.sharedDocuments(SHARED_TOPIC),
      host.engine.sharedDocuments(FILES_TOPIC),
    ]).then(
      async ([settings, shared, removedFiles]) => {
        for (const [, sent] of settings) await this.#adoptSharedSettings(sent);
        for (const [id, removed] of removedFiles) this.#adoptSharedFileRemoval(id, removed);
        for (const [id, mapping] of shared) await this.#adoptShared(id, mapping);
      },
      (error: unknown) => this.#warn(`the mappings the other replicas serve could not be read: ${(error as Error).message}`),
    );
  }

  /**
   * Every mapping served, in the order WireMock lists them (the order they are tried in): by priority,
   * and of one priority the newest first, those read from files older than those added at runtime.
   */
  list(): LiveMapping[] {
    const runtime = this.runtime();
    // One of an id added at runtime too (saved into the watched folder, then reloaded) is listed once.
    const ids = new Map(runtime.map((m) => [m.id, m]));
    // An edit of one of the files' is listed where that one was (of one priority, the file's place).
    const placed = new Set<string>();
    const files = this.#fileMappings().flatMap((file) => {
      const edit = ids.get(file.id);
      if (!edit?.inPlaceOfFile) return this.#isWithdrawn(file) || edit ? [] : [file];
      if (placed.has(edit.id)) return [];
      placed.add(edit.id);
      return [edit];
    });
    const all = [...runtime.filter((m) => !placed.has(m.id)), ...files];
    // A stable sort: of one priority, the order above stays.
    return all.sort((a, b) => priorityOf(a.mapping) - priorityOf(b.mapping));
  }

  /** The mappings added at runtime, newest first. */
  runtime(): LiveMapping[] {
    this.#sync();
    return [...this.#mappings.values()].reverse();
  }

  get(id: string): LiveMapping {
    this.#sync();
    const found = this.#mappings.get(id) ?? this.#fileMappings().find((file) => file.id === id && !this.#isWithdrawn(file));
    if (found) return found;
    const refused = this.#refusedMappings().find((mapping) => mapping.id === id);
    if (refused) throw new WiremockNotFound(`the mapping ${id} of ${refused.where} is not served: ${refused.problems.join('; ')}`);
    throw new WiremockNotFound(
      `no mapping has id ${id}; GET /__admin/mappings lists them (a reset removes every mapping added at runtime, and serves the root's files again)`,
    );
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
    if (!isRecord(mapping))
      throw new WiremockMappingInvalid([`a mapping is a JSON object with "request" and "response"; got ${JSON.stringify(mapping)?.slice(0, 80)}`]);
    const sent = mapping;
    const id = typeof sent.id === 'string' ? sent.id : typeof sent.uuid === 'string' ? sent.uuid : randomUUID();
    // With its id, which its answers carry (Matched-Stub-Id).
    const live = liveStub(sent.id === undefined || typeof sent.id === 'string' ? { ...sent, id } : sent, this.#context());
    const replaced = this.#mappings.get(id);
    // An edited mapping keeps its place among those of its priority, as WireMock's keeps its insertion index:
    // one added at runtime where it was, one of a root's files where its file put it.
    const file = replaced ? undefined : this.#fileMappings().find((mapping) => mapping.id === id && !this.#isWithdrawn(mapping));
    const inPlaceOfFile = replaced ? replaced.inPlaceOfFile : file !== undefined;
    const rules = await this.#host.addRules(live.service, live.rules, {
      priority: live.priority,
      ...(live.machine && { machines: { [live.machine.name]: live.machine.states } }),
      inPlaceOf: replaced?.ruleIds ?? file?.ruleIds,
    });
    if (replaced) this.#host.removeRules(replaced.ruleIds);
    // One of that id read from files is replaced too.
    this.#withdrawFiles(id);
    const added: LiveMapping = {
      id,
      mapping: { ...sent, id, uuid: id },
      service: live.service,
      ruleIds: rules.map((r) => r.id),
      ...(inPlaceOfFile && { inPlaceOfFile }),
    };
    // Map.set of a key it has keeps the key's place: listed where it was.
    this.#mappings.set(id, added);
    return added;
  }

  /** Replaces the mapping of that id (which must exist) with another. */
  async replace(id: string, mapping: unknown): Promise<LiveMapping> {
    this.get(id);
    if (!isRecord(mapping)) throw new WiremockMappingInvalid(['a mapping is a JSON object with "request" and "response"']);
    return this.add({ ...mapping, id, uuid: id });
  }

  /** Removes a mapping (in every replica of a shared store); one read from files is no longer served (its file stays as it is). */
  async remove(id: string): Promise<LiveMapping> {
    const found = this.get(id);
    if (found.fromFile) {
      this.#withdrawFiles(id);
      await this.#host.engine.shareDocument(FILES_TOPIC, id, true);
      return found;
    }
    this.#remove(found);
    await this.#host.engine.shareDocument(SHARED_TOPIC, found.id, undefined);
    return found;
  }

  /** Removes every mapping, those read from files too (WireMock's `DELETE /__admin/mappings`); returns how many. */
  async clear(): Promise<number> {
    const all = this.list();
    for (const mapping of all) await this.remove(mapping.id);
    return all.length;
  }

  /**
   * Back to the mappings read from files alone (WireMock's `POST /__admin/mappings/reset`): every mapping
   * added at runtime removed, every one read from files served again. Returns how many were removed.
   */
  async reset(): Promise<number> {
    // Those other replicas sent are served first, so that they are removed too.
    await this.#adopting;
    const added = this.runtime();
    for (const mapping of added) await this.remove(mapping.id);
    // So is one another replica was sent that has not reached this one yet: removed everywhere.
    const removed = new Set(added.map((mapping) => mapping.id));
    for (const [id, mapping] of await this.#host.engine.sharedDocuments(SHARED_TOPIC))
      if (mapping !== undefined && !removed.has(id)) await this.#host.engine.shareDocument(SHARED_TOPIC, id, undefined);
    const withdrawn = this.#fileMappings().filter((file) => this.#isWithdrawn(file));
    this.#host.restoreRules(withdrawn.flatMap((file) => file.ruleIds));
    for (const id of new Set(withdrawn.map((file) => file.id))) await this.#host.engine.shareDocument(FILES_TOPIC, id, undefined);
    return added.length;
  }

  /** The mapping whose rules include this rule id (one read from files even when no longer served, for the journal's older entries). */
  ofRule(ruleId: string): LiveMapping | undefined {
    for (const mapping of this.#mappings.values()) if (mapping.ruleIds.includes(ruleId)) return mapping;
    return this.#fileMappings().find((file) => file.ruleIds.includes(ruleId));
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
    const all = this.runtime().reverse();
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
    this.#settleFileSettings();
    for (const { mapping } of all) await this.#add(mapping);
  }

  /** The mappings of a root's files served under the settings (see `WIREMOCK_SETTINGS`). */
  #settleFileSettings(): void {
    for (const service of this.#host.engine.model.services.values()) {
      const holder = service.config[WIREMOCK_SETTINGS] as SettingsHolder | undefined;
      if (holder) holder.current = this.#settings;
    }
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

  /** Another replica removed (true) or served again (undefined) the mapping of this id read from files. */
  #adoptSharedFileRemoval(id: string, removed: unknown): void {
    if (removed === undefined) this.#host.restoreRules(this.#fileMappings().flatMap((file) => (file.id === id ? file.ruleIds : [])));
    else this.#withdrawFiles(id);
  }

  /** The file a mapping of this id was read from (its name in the `mappings` folder, its place in a file of several), if any. */
  sourceOf(id: string): MappingSource | undefined {
    return this.#fileMappings().find((file) => file.id === id)?.source;
  }

  /** The mappings the services read from files (`up wiremock/`), served or not, in the order they are tried. */
  #fileMappings(): LiveMapping[] {
    const found: LiveMapping[] = [];
    for (const service of this.#host.engine.model.services.values()) {
      const listed = service.config[FILE_MAPPINGS];
      if (!Array.isArray(listed)) continue;
      for (const { id, mapping, rules, source } of listed as FileMapping[])
        found.push({ id, mapping, service: service.name, ruleIds: rules.map((n) => `${service.name}#${n}`), fromFile: true, ...(source && { source }) });
    }
    return found;
  }

  /** The mappings of a root's files that the services do not serve (see `REFUSED_MAPPINGS`). */
  #refusedMappings(): RefusedMapping[] {
    return [...this.#host.engine.model.services.values()].flatMap((service) => {
      const refused = service.config[REFUSED_MAPPINGS];
      return Array.isArray(refused) ? (refused as RefusedMapping[]) : [];
    });
  }

  #isWithdrawn(file: LiveMapping): boolean {
    const withdrawn = this.#host.engine.withdrawnRules;
    return withdrawn.size > 0 && file.ruleIds.some((id) => withdrawn.has(id));
  }

  /** Stops serving the mappings of this id read from files. */
  #withdrawFiles(id: string): void {
    const rules = this.#fileMappings().flatMap((file) => (file.id === id ? file.ruleIds : []));
    if (rules.length) this.#host.withdrawRules(rules);
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
    const headRoutes = new Set([...model.services.values()].filter((service) => service.config.headAsGet === false).map((service) => service.name));
    return {
      services,
      routeOf: this.#routeOf,
      declaredMachines: model.machines,
      addedMachines: added,
      bodyFiles: this.#bodyFiles,
      settings: this.#settings,
      headRoutes,
    };
  }
}

export type { LiveStub };

function priorityOf(mapping: Record<string, unknown>): number {
  return typeof mapping.priority === 'number' && Number.isInteger(mapping.priority) ? mapping.priority : DEFAULT_PRIORITY;
}
