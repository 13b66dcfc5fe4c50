import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import {
  type CoreRequest,
  ErrorCode,
  type HandlerContext,
  isRecord,
  type Responder,
  type RuleDefinition,
  resolveDelay,
  SeededRandom,
  type ServiceDefinition,
  sleep,
} from '@mockstack/core';
import { respond, rest } from '@mockstack/dsl';
import { pathOf, requestUrlOf } from './conditions.js';
import { WiremockMappingInvalid, WiremockMappingMalformed } from './errors.js';
import { type LiveStub, liveStub, type RestRoute } from './live-stub.js';
import { DEFAULT_SETTINGS, type WiremockSettings } from './settings.js';
import { type BodyFiles, wiremockDelay } from './stub.js';

/**
 * The config key marking a service whose port also serves the admin API at `/__admin`, as WireMock's own
 * port does: its clients (`WireMock.configureFor(port)`, wiremock-captain) are given one address for both.
 */
export const ADMIN_ON_PORT = 'adminOnPort';

/**
 * The config key of a service serving a root's mappings (`up wiremock/`) under which the mappings are
 * listed (`FileMapping[]`), as WireMock's admin API lists, edits and removes them.
 */
export const FILE_MAPPINGS = 'wiremockFileMappings';

/** A mapping read from a root's files, as the service serving it keeps it for the admin API. */
export interface FileMapping {
  /** Its `id` (or `uuid`) as written; else one made of its file and place there, the same on every load. */
  id: string;
  /** The mapping as written, with `id` and `uuid`. */
  mapping: Record<string, unknown>;
  /** Where it is among the service's rules: 1 for the first (the rule ids are `<service>#<n>`). */
  rules: number[];
  /** Its file in the root's `mappings` folder (where `POST /__admin/mappings/save` writes it back), and its place in a file of several. */
  source?: MappingSource;
}

/** Where a mapping of a root's files was read: its file's name in the `mappings` folder, and its place in a file of several. */
export interface MappingSource {
  name: string;
  index?: number;
}

/**
 * The config key of a service serving a root's mappings under which WireMock's global settings it serves
 * them under are kept (a `SettingsHolder`, which `POST /__admin/settings` sets).
 */
export const WIREMOCK_SETTINGS = 'wiremockSettings';

/** The global settings a root's mappings are served under, read on every request. */
export interface SettingsHolder {
  current: WiremockSettings;
}

/**
 * The config key of a service serving a root's mappings under which the mappings it could not serve are
 * listed (`RefusedMapping[]`): `up` warns about each, and a request to one is answered with why.
 */
export const REFUSED_MAPPINGS = 'wiremockRefusedMappings';

/** A mapping of a root's files that mockstack cannot serve (WireMock would), and why. */
export interface RefusedMapping {
  /** Its file, and its place there for a file of several (`mappings/orders.json mappings[2]`). */
  where: string;
  /** Its `id` (or `uuid`) when written. */
  id?: string;
  problems: readonly string[];
}

/** One file of WireMock mappings as read: `{ "mappings": [...] }` or a single mapping. */
export interface MappingsFile {
  /** The file's path as shown in errors. */
  file: string;
  /** Its name in the root's `mappings` folder, when it is there. */
  name?: string;
  document: unknown;
}

/** WireMock's mappings as one REST service, and the state machines (WireMock scenarios) they use. */
export interface MappingsService {
  service: ServiceDefinition;
  /** The mappings not served, each with why (the service answers a request to one with that). */
  refused: RefusedMapping[];
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
 * `ADMIN_ON_PORT`. With `servesFiles`, a GET no mapping answers is answered with the file of `bodyFiles` at its path.
 * Throws a WiremockMappingInvalid naming each malformed mapping (WireMock refuses to start on one). A
 * mapping that cannot be served (a matcher mockstack does not evaluate) is left out, as `refused`, and the
 * rest served, as WireMock serves what it can: a request to its method and URL that no other mapping answers
 * is answered 500 with why (MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID).
 */
export function mappingsService(
  files: readonly MappingsFile[],
  { port, bodyFiles, servesFiles = false }: { port: number; bodyFiles?: BodyFiles | undefined; servesFiles?: boolean | undefined },
): MappingsService {
  const name = 'wiremock';
  const machines = new Map<string, string[]>();
  const stubs: { stub: LiveStub; order: number; mapping: Record<string, unknown>; id: string; source?: MappingSource }[] = [];
  const refusedMappings: (RefusedMapping & { mapping: unknown })[] = [];
  const malformed: string[] = [];
  const translate = (mapping: unknown, routes: readonly RestRoute[]) =>
    liveStub(withoutServiceName(mapping), {
      services: new Map([[name, routes]]),
      routeOf: () => undefined,
      declaredMachines: new Map(),
      addedMachines: machines,
      headRoutes: new Set([name]),
      bodyFiles: bodyFiles && { read: (name) => bodyFiles.read(name), where: bodyFiles.where, whenMissing: 'answer' },
    });
  for (const { file, name: fileName, document } of files) {
    const several = isRecord(document) && Array.isArray(document.mappings);
    const mappings = isRecord(document) && Array.isArray(document.mappings) ? document.mappings : [document];
    mappings.forEach((mapping, i) => {
      const written = isRecord(mapping) ? mapping : {};
      const id = typeof written.id === 'string' ? written.id : typeof written.uuid === 'string' ? written.uuid : undefined;
      try {
        // With its id, which its answers carry (Matched-Stub-Id).
        const given = { ...written, id: id ?? fileMappingId(file, i) };
        const stub = translate(isRecord(mapping) && (written.id === undefined || id !== undefined) ? given : mapping, []);
        if (stub.machine) machines.set(stub.machine.name, stub.machine.states);
        const source = fileName === undefined ? undefined : { name: fileName, ...(several && { index: i }) };
        stubs.push({ stub, order: stubs.length, mapping: { id: given.id, ...written, uuid: given.id }, id: given.id, ...(source && { source }) });
      } catch (error) {
        if (!(error instanceof WiremockMappingInvalid)) throw error;
        const where = `${file}${several ? ` mappings[${i}]` : ''}`;
        if (error instanceof WiremockMappingMalformed) malformed.push(...error.problems.map((problem) => `${where}: ${problem}`));
        else refusedMappings.push({ where, ...(id !== undefined && { id }), problems: error.problems, mapping });
      }
    });
  }
  // WireMock refuses to start on a malformed mapping: so does the root.
  if (malformed.length) throw new WiremockMappingInvalid(malformed, 'WireMock mappings');
  const refused = refusedMappings.map(({ mapping: _, ...rest }): RefusedMapping => rest);
  // A URL pattern (or no URL) is tried on every route of the mappings that may take a path it matches, as
  // WireMock tries every stub: a literal `/cards/blocked` whose stub misses falls to `/cards/.*`.
  const routes = routesOf(stubs.flatMap(({ stub }) => stub.rules));
  for (const entry of stubs) if (!hasLiteralUrl(entry.mapping)) entry.stub = translate(entry.mapping, routes);
  const rules: RuleDefinition[] = [];
  const listed: FileMapping[] = [];
  const settings: SettingsHolder = { current: DEFAULT_SETTINGS };
  const random = new SeededRandom(1);
  for (const { stub, mapping, id, source } of stubs.sort((a, b) => a.stub.priority - b.stub.priority || b.order - a.order)) {
    listed.push({ id, mapping, rules: stub.rules.map((_, i) => rules.length + i + 1), ...(source && { source }) });
    // Tried by priority with the mappings sent at runtime (added rules), as WireMock tries them.
    for (const rule of stub.rules) rules.push({ ...rule, priority: stub.priority, respond: underSettings(rule.respond, mapping.response, settings, random) });
  }
  rules.push(...refusedRules(refusedMappings, (mapping) => translate(mapping, routes).rules));
  if (bodyFiles && servesFiles) rules.push(...staticFileRules(rules, bodyFiles));
  const service = rest({ port }, rules as Parameters<typeof rest>[1]);
  return {
    service: {
      ...service,
      config: {
        ...service.config,
        [ADMIN_ON_PORT]: true,
        [FILE_MAPPINGS]: listed,
        [REFUSED_MAPPINGS]: refused,
        [WIREMOCK_SETTINGS]: settings,
        // A request no mapping answers is answered 404 in plain text, as WireMock answers it.
        unmatchedAsText: true,
        // HEAD is answered by HEAD (and ANY) mappings alone, as WireMock answers it.
        headAsGet: false,
      },
    },
    refused,
    machines: Object.fromEntries(machines),
  };
}

/**
 * A mapping's answer waiting what WireMock's global settings add to it (see `delayUnder`): the global
 * fixed delay unless it has its own, plus the global distribution unless it has its own (its own delay is
 * its rule's). Read on every request, so `POST /__admin/settings` reaches the mappings of a root.
 */
function underSettings(respond: Responder, response: unknown, settings: SettingsHolder, random: SeededRandom): Responder {
  const own = isRecord(response) ? response : {};
  const ownFixed = typeof own.fixedDelayMilliseconds === 'number';
  const ownDistribution = wiremockDelay(own.delayDistribution) !== undefined;
  if (ownFixed && ownDistribution) return respond;
  return (context: HandlerContext) => {
    const { fixedDelay, delayDistribution } = settings.current;
    const ms = (ownFixed ? 0 : (fixedDelay ?? 0)) + (ownDistribution ? 0 : resolveDelay(delayDistribution, random));
    const answer = () => (typeof respond === 'function' ? (respond as (context: HandlerContext) => unknown)(context) : respond);
    return ms > 0 ? sleep(ms, context.signal).then(answer) : answer();
  };
}

/** After every mapping served: WireMock's lowest priority is 1 and its default 5. */
const REFUSED_PRIORITY = Number.MAX_SAFE_INTEGER;

/**
 * For each mapping refused, rules on its method and URL (its other matchers left out) answering 500 with
 * why, tried after every mapping served: a client sending what it was meant to answer learns why it is
 * not served instead of getting a near miss naming another mapping. None for a mapping whose method and
 * URL cannot be served either.
 */
function refusedRules(refused: readonly (RefusedMapping & { mapping: unknown })[], translate: (mapping: unknown) => RuleDefinition[]): RuleDefinition[] {
  return refused.flatMap(({ mapping, where, id, problems }) => {
    const request = isRecord(mapping) && isRecord(mapping.request) ? mapping.request : undefined;
    if (!request) return [];
    const url = Object.fromEntries(['method', 'url', 'urlPath', 'urlPattern', 'urlPathPattern', 'urlPathTemplate'].map((key) => [key, request[key]]));
    const message = `the WireMock mapping ${id ?? ''}${id ? ' ' : ''}of ${where} is not served: ${problems.join('; ')}. Change it to what mockstack serves (see the warning mockstack up printed), or answer this request from another mapping`;
    try {
      const rules = translate({
        name: `${where} (not served)`,
        request: url,
        response: { status: 500, jsonBody: { error: { code: ErrorCode.WiremockMappingInvalid, message } } },
      });
      return rules.map((rule) => ({ ...rule, priority: REFUSED_PRIORITY }));
    } catch {
      return [];
    }
  });
}

/** The routes rules make (their operation, method and path). */
function routesOf(rules: readonly RuleDefinition[]): RestRoute[] {
  const routes = new Map<string, RestRoute>();
  for (const { operation, meta } of rules)
    if (typeof meta?.method === 'string' && typeof meta.path === 'string') routes.set(operation, { operation, method: meta.method, path: meta.path });
  return [...routes.values()];
}

/** Whether a mapping's URL is literal or a template (one route takes it), not a pattern or left out. */
function hasLiteralUrl(mapping: Record<string, unknown>): boolean {
  const request = isRecord(mapping.request) ? mapping.request : {};
  return ['url', 'urlPath', 'urlPathTemplate'].some((key) => typeof request[key] === 'string');
}

/** An id for a mapping written without one: a UUID made of its file and place there, so the same on every load. */
function fileMappingId(file: string, index: number): string {
  const hex = createHash('sha256').update(`${file}#${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * WireMock serves the files of `__files` at their path to a GET no mapping answers (`/static/` and
 * `/static` a folder's `index.html`): a last rule of every GET route the mappings make, and of `/*`,
 * answering when the file is there.
 */
function staticFileRules(rules: readonly RuleDefinition[], files: BodyFiles): RuleDefinition[] {
  // The rule's condition reads the file and its answer sends it: read once per request.
  const read = new WeakMap<CoreRequest, { name: string; bytes: Uint8Array } | undefined>();
  const fileAt = (request: CoreRequest): { name: string; bytes: Uint8Array } | undefined => {
    if (read.has(request)) return read.get(request);
    const file = fileAtPath(request);
    read.set(request, file);
    return file;
  };
  const fileAtPath = (request: CoreRequest): { name: string; bytes: Uint8Array } | undefined => {
    const name = requestPathOf(request.target)?.replace(/^\/+/, '');
    if (name === undefined) return undefined;
    const index = `${name.replace(/\/+$/, '')}${name.replace(/\/+$/, '') ? '/' : ''}index.html`;
    for (const candidate of name && !name.endsWith('/') ? [name, index] : [index]) {
      const bytes = files.read(candidate);
      if (bytes) return { name: candidate, bytes };
    }
    return undefined;
  };
  const paths = new Set(['/*']);
  for (const rule of rules) if (rule.meta?.method === 'GET' && typeof rule.meta.path === 'string') paths.add(rule.meta.path);
  // Named as a near miss reads it: `condition <where> has a file at the path returned false`.
  const name = `${files.where} has a file at the path`;
  const test = { [name]: (request: CoreRequest) => fileAt(request) !== undefined }[name] as (request: CoreRequest) => boolean;
  const answer = (request: CoreRequest) => {
    const file = fileAt(request);
    if (!file) return respond(undefined, { status: 404 });
    return respond(file.bytes, { headers: { 'content-type': CONTENT_TYPES[extname(file.name).toLowerCase()] ?? 'application/octet-stream' } });
  };
  return [...paths].map((path) => rest.get(path, { name: `a file of ${files.where}`, match: { when: test } }, answer) as RuleDefinition);
}

/** The path of a request target, decoded; undefined when it is not valid percent-encoding. */
function requestPathOf(target: string): string | undefined {
  try {
    return decodeURIComponent(pathOf(requestUrlOf(target)));
  } catch {
    return undefined;
  }
}

/** The content types of the files WireMock's clients put in `__files` most (Jetty's table answers the same). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.xml': 'application/xml',
  '.csv': 'text/csv',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
};

/** A mapping without `metadata.service`: the mappings of a folder are one service, whatever service they were written for. */
function withoutServiceName(mapping: unknown): unknown {
  if (!isRecord(mapping) || !isRecord(mapping.metadata) || !('service' in mapping.metadata)) return mapping;
  const { service: _, ...metadata } = mapping.metadata;
  return { ...mapping, metadata };
}
