import { isRecord, type RuleDefinition, type ServiceDefinition } from '@mockstack/core';
import { rest } from '@mockstack/dsl';
import { WiremockMappingInvalid } from './errors.js';
import { type LiveStub, liveStub } from './live-stub.js';
import type { BodyFiles } from './stub.js';

/**
 * The config key marking a service whose port also serves the admin API at `/__admin`, as WireMock's own
 * port does: its clients (`WireMock.configureFor(port)`, wiremock-captain) are given one address for both.
 */
export const ADMIN_ON_PORT = 'adminOnPort';

/** One file of WireMock mappings as read: `{ "mappings": [...] }` or a single mapping. */
export interface MappingsFile {
  /** The file's path as shown in errors. */
  file: string;
  document: unknown;
}

/** WireMock's mappings as one REST service, and the state machines (WireMock scenarios) they use. */
export interface MappingsService {
  service: ServiceDefinition;
  /** Each WireMock scenario's states, `Started` first (as liveStub gathers them), for the scenario definition's `machines`. */
  machines: Record<string, string[]>;
}

/** Whether a JSON document is WireMock's: a file of its `mappings` folder (`{ "mappings": [...] }`) or one mapping. */
export function isMappingsDocument(document: unknown): boolean {
  if (!isRecord(document)) return false;
  if (Array.isArray(document.mappings)) return document.mappings.length > 0 && document.mappings.every(isMapping);
  return isMapping(document);
}

const isMapping = (value: unknown): boolean => isRecord(value) && isRecord(value.request) && (isRecord(value.response) || value.response === undefined);

/**
 * WireMock's mappings (the files of a root's `mappings` folder) served as one REST service, as
 * `java -jar wiremock-standalone.jar --root-dir` serves them: each mapping translated as the admin
 * API translates it, tried by `priority` (lower first; 5 when not given) and, of one priority, the
 * last loaded first. `bodyFileName` is read in `bodyFiles` (the root's `__files`). The service is marked
 * `ADMIN_ON_PORT`. Throws a
 * WiremockMappingInvalid naming each file and mapping refused, and why.
 */
export function mappingsService(files: readonly MappingsFile[], { port, bodyFiles }: { port: number; bodyFiles?: BodyFiles | undefined }): MappingsService {
  const name = 'wiremock';
  const machines = new Map<string, string[]>();
  const stubs: { stub: LiveStub; order: number }[] = [];
  const problems: string[] = [];
  for (const { file, document } of files) {
    const mappings = isRecord(document) && Array.isArray(document.mappings) ? document.mappings : [document];
    mappings.forEach((mapping, i) => {
      try {
        const stub = liveStub(withoutServiceName(mapping), {
          services: new Map([[name, []]]),
          routeOf: () => undefined,
          declaredMachines: new Map(),
          addedMachines: machines,
          bodyFiles,
        });
        if (stub.machine) machines.set(stub.machine.name, stub.machine.states);
        stubs.push({ stub, order: stubs.length });
      } catch (error) {
        if (!(error instanceof WiremockMappingInvalid)) throw error;
        const where = `${file}${Array.isArray((document as { mappings?: unknown }).mappings) ? ` mappings[${i}]` : ''}`;
        problems.push(...error.problems.map((problem) => `${where}: ${problem}`));
      }
    });
  }
  if (problems.length) throw new WiremockMappingInvalid(problems, 'WireMock mappings');
  const rules: RuleDefinition[] = stubs.sort((a, b) => a.stub.priority - b.stub.priority || b.order - a.order).flatMap(({ stub }) => stub.rules);
  const service = rest({ port }, rules as Parameters<typeof rest>[1]);
  return { service: { ...service, config: { ...service.config, [ADMIN_ON_PORT]: true } }, machines: Object.fromEntries(machines) };
}

/** A mapping without `metadata.service`: the mappings of a folder are one service, whatever service they were written for. */
function withoutServiceName(mapping: unknown): unknown {
  if (!isRecord(mapping) || !isRecord(mapping.metadata) || !('service' in mapping.metadata)) return mapping;
  const { service: _, ...metadata } = mapping.metadata;
  return { ...mapping, metadata };
}
