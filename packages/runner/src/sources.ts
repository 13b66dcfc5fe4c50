import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import {
  type Adapter,
  type ContractFileKind,
  displayPath,
  ErrorCode,
  isRecord,
  MockstackError,
  parseJsonOrUndefined,
  type ScenarioDefinition,
  type ServiceDefinition,
} from '@mockstack/core';
import { contractKindOf, describeKinds, kindsByEnding, OPENAPI_FIRST_KEY } from '@mockstack/core/contract-files';
import { rest } from '@mockstack/dsl';
import { impostersServices, isImpostersDocument } from '@mockstack/mountebank';
import { adaptersWith } from './adapters.js';
import { importedFormatOf, importedServices } from './imported-source.js';
import { type LoadedScenario, loadScenario } from './load-scenario.js';
import { downloadContract, isContractUrl } from './remote-contract.js';
import { filesDirBeside, type WiremockSource, wiremockFolderOf, wiremockInputs, wiremockMappings, wiremockService } from './wiremock.js';

/** The endings of a scenario module; every other file `up` takes is a contract one of the protocols serves. */
const SCENARIO_ENDINGS: readonly string[] = ['.ts', '.mts', '.js', '.mjs'];

export interface ContractOptions {
  /** Where proto imports are looked up, besides each proto's directory. */
  includeDirs?: readonly string[] | undefined;
  /**
   * Load OpenAPI documents and GraphQL SDL with small validity problems (as real providers publish
   * them), each adapter logging the problems as a warning, instead of failing. Sets
   * `config.lenient` on every service.
   */
  lenient?: boolean | undefined;
  /** Protocols besides the built-in ones (see `RunOptions.protocols`): the contract files they serve are taken too. */
  protocols?: readonly Adapter[] | undefined;
  /** json-server databases (`db.json`) served zero-config write their changes back to their file (debounced, atomically). */
  writeBack?: boolean | undefined;
  /** Contracts served zero-config (OpenAPI, GraphQL) send what no rule answers to this real service (see `ContractServeOptions.proxy`). */
  proxy?: string | undefined;
}

/**
 * Loads what `mockstack up` was given: at most one scenario module plus any number of contracts
 * (`.proto`, GraphQL SDL, OpenAPI JSON/YAML), each contract served as its own auto-mocked service. A contract may
 * name its port as `file:port`; otherwise it gets a free one.
 */
export async function loadSources(sources: readonly string[], options: ContractOptions = {}): Promise<LoadedScenario> {
  const modules: string[] = [];
  const contracts: { path: string; port: number | undefined }[] = [];
  const wiremockSources: WiremockSource[] = [];
  const kinds = adaptersWith(options.protocols)
    .flatMap((adapter) => adapter.contractFiles ?? [])
    .filter(isServed);
  for (const source of sources) {
    const { path: given, port } = splitPort(source);
    if (isContractUrl(given) && SCENARIO_ENDINGS.includes(extname(new URL(given).pathname).toLowerCase()))
      throw new MockstackError(ErrorCode.SourceKind, `${given}: a scenario module is code, not served from an address; check it out and pass its path`);
    const path = isContractUrl(given) ? await downloadContract(given) : given;
    const folder = wiremockFolderOf(path);
    if (folder) {
      wiremockSources.push({ path, port, ...folder });
      continue;
    }
    if (isDirectory(path)) {
      for (const file of contractsIn(path, kinds)) contracts.push({ path: file, port });
      continue;
    }
    const scenario = !RECORDING_ENDINGS.includes(extname(path).toLowerCase()) && isScenarioModule(path, kinds);
    if (!existsSync(path)) {
      throw new MockstackError(ErrorCode.ScenarioNotFound, `${path} does not exist (looked at ${resolve(path)}); pass ${accepted(kinds)}`);
    }
    if (scenario) {
      if (port !== undefined)
        throw new MockstackError(ErrorCode.SourceKind, `${source}: a port suffix is for contract files; a scenario module sets its ports itself`);
      modules.push(path);
    } else contracts.push({ path, port });
  }
  if (modules.length > 1) {
    throw new MockstackError(
      ErrorCode.SourceKind,
      `serve one scenario module at a time (got ${modules.join(', ')}); import one from the other to combine them`,
    );
  }

  const loaded: LoadedScenario = modules[0]
    ? await loadScenario(modules[0])
    : { file: resolve(contracts[0]?.path ?? wiremockSources[0]?.path ?? '.'), definition: { name: 'contracts', services: {} }, inputs: [] };
  const services: Record<string, ServiceDefinition> = { ...loaded.definition.services };
  let machines: Record<string, readonly string[]> = { ...loaded.definition.machines };
  const databases: Record<string, Record<string, unknown>> = {};
  const served: ServedContract[] = [];
  for (const contract of contracts) {
    const file = resolve(contract.path);
    // Contracts are served after the loop (see joinParts): their names are taken already.
    const name = uniqueName(basename(file, extname(file)), { ...services, ...Object.fromEntries(served.map((c) => [c.name, c])) });
    const port = contract.port ?? 0;
    // A .json file is read once: to tell a json-server database from an OpenAPI document, then by contractKindOf.
    let text = ['.json', ...RECORDING_ENDINGS].includes(extname(file).toLowerCase()) ? readText(file) : undefined;
    // A JSON file a protocol recognises (OpenAPI, a GraphQL introspection result) is that contract, not a database.
    const recognised = contractKindOf(file, kinds, text) as ServedKind | undefined;
    const configFile =
      !recognised && text !== undefined && (text.includes('<%') || extname(file).toLowerCase() === MB_TEMPLATE) ? await mbConfigFile() : undefined;
    if (text !== undefined && configFile?.isConfigTemplate(file, text)) {
      // An `mb --configfile` template (EJS includes, stringify): imposters once rendered, as mb reads them.
      const rendered = configFile.renderConfigFile(contract.path);
      text = rendered.text;
      loaded.inputs.push(...rendered.files.filter((f) => f !== file));
      if (!impostersDocument(text)) throw notImpostersOnceRendered(contract.path, text);
    }
    const mountebank = text === undefined || recognised ? undefined : impostersDocument(text);
    if (mountebank) {
      // Mountebank's imposters: a REST service per imposter, on its port, as `mockstack import` writes them.
      if (contract.port !== undefined)
        throw new MockstackError(
          ErrorCode.SourceKind,
          `${contract.path}:${contract.port}: Mountebank imposters name their own ports; drop the :${contract.port}`,
        );
      for (const [imposter, service] of Object.entries(impostersServices(mountebank, contract.path)))
        services[uniqueName(imposter, { ...services, ...Object.fromEntries(served.map((c) => [c.name, c])) })] = service;
      loaded.inputs.push(file);
      continue;
    }
    const recording = text === undefined || recognised ? undefined : importedFormatOf(text);
    if (recording) {
      // A Postman collection's saved examples, a HAR file's exchanges: served as `mockstack import` writes them.
      const imported = await importedServices(file, contract.port);
      for (const [service, definition] of Object.entries(imported.services))
        services[uniqueName(service, { ...services, ...Object.fromEntries(served.map((c) => [c.name, c])) })] = definition;
      machines = { ...machines, ...imported.machines };
      loaded.inputs.push(file);
      continue;
    }
    const mappings = text === undefined || recognised ? undefined : wiremockMappings(text);
    if (mappings !== undefined) {
      wiremockSources.push({
        path: contract.path,
        port: contract.port,
        // Named in its mappings folder (where saving writes it back) when it is in one.
        files: [{ file: displayPath(file), ...(basename(dirname(file)) === 'mappings' && { name: basename(file) }), document: mappings }],
        filesDir: filesDirBeside(file),
      });
      continue;
    }
    const database = text === undefined || recognised ? undefined : jsonServerDatabase(text);
    if (database) {
      // json-server's db.json: its collections over the scenario's state (reset restores the file's records).
      const key = databaseKey(name, database);
      databases[key] = database;
      services[name] = jsonServerService(key, database, port, options.writeBack ? file : undefined);
      loaded.inputs.push(file);
      continue;
    }
    // When several kinds share an ending and none recognises the text, the first by ending loads it and says what is wrong.
    const kind = (recognised ?? kindsByEnding(file, kinds)[0]) as ServedKind;
    served.push({ file, name, port, kind });
    loaded.inputs.push(file);
  }
  for (const { file, name, port, kind, parts } of joinServingNothing(joinSharedPorts(joinParts(served)))) {
    services[name] = kind.serve(file, { port, includeDirs: options.includeDirs ?? [], proxy: options.proxy, ...(parts && { parts }) });
  }
  for (const source of wiremockSources) {
    const file = resolve(source.path);
    const name = uniqueName(basename(file, extname(file)), services);
    const served = wiremockService(source);
    services[name] = served.service;
    machines = { ...machines, ...served.machines };
    loaded.inputs.push(...wiremockInputs(source));
  }
  const seeded = loaded.definition.state;
  const state = Object.keys(databases).length === 0 ? seeded : () => ({ ...((seeded?.() as object | undefined) ?? {}), ...structuredClone(databases) });
  const definition: ScenarioDefinition = {
    ...loaded.definition,
    services,
    ...(state && { state }),
    ...(Object.keys(machines).length > 0 && { machines }),
  };
  if (options.lenient) return { ...loaded, definition: lenientDefinition(definition) };
  return { ...loaded, definition };
}

/** Every service with `config.lenient` set, for the adapters that load contracts. */
export function lenientDefinition(definition: ScenarioDefinition): ScenarioDefinition {
  const services: Record<string, ServiceDefinition> = {};
  for (const [name, service] of Object.entries(definition.services)) services[name] = { ...service, config: { ...service.config, lenient: true } };
  return { ...definition, services };
}

/**
 * The state key of a json-server database served zero-config: its service and its records' version,
 * so that a reload after an edit of the file (`--watch`) seeds the new records in place of the old.
 */
function databaseKey(name: string, database: Record<string, unknown>): string {
  return `__json-server:${name}@${createHash('sha256').update(JSON.stringify(database)).digest('hex').slice(0, 8)}`;
}

/** The text last written back to each database file, so `--watch` does not reload on mockstack's own writes. */
const writtenBack = new Map<string, string>();
const rememberWrite = (file: string, text: string): void => {
  writtenBack.set(file, text);
};

/** True when a file holds what write-back last wrote there (a change mockstack made, not an edit). */
export function isOwnWrite(file: string): boolean {
  const written = writtenBack.get(file);
  if (written === undefined) return false;
  try {
    return readFileSync(file, 'utf8') === written;
  } catch {
    return false;
  }
}

/** The file's text, or undefined when it cannot be read (the loader then says why). */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A `.json` file's text that is Mountebank's (`mb save` output, an `mb --configfile` file, one imposter), or undefined. */
function impostersDocument(text: string): Record<string, unknown> | undefined {
  const document = parseJsonOrUndefined(text);
  return isRecord(document) && isImpostersDocument(document) ? document : undefined;
}

/** A `.json` file's text that is a json-server database (every value a list or an object, and no OpenAPI/Swagger key), or undefined. */
function jsonServerDatabase(text: string): Record<string, unknown> | undefined {
  if (OPENAPI_FIRST_KEY.test(text.slice(0, 200))) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined; // the OpenAPI loader reports what is wrong with it
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined;
  const values = Object.entries(document);
  if (values.length === 0 || 'openapi' in document || 'swagger' in document) return undefined;
  return values.every(([, v]) => typeof v === 'object' && v !== null) ? (document as Record<string, unknown>) : undefined;
}

/**
 * json-server zero-config: `rest.crud` per collection (answered as json-server does, with its
 * relations and nested routes), a route per singular resource; `writeBack` the file changes go to.
 */
function jsonServerService(key: string, database: Record<string, unknown>, port: number, writeBack: string | undefined): ServiceDefinition {
  const tables = (state: unknown): Record<string, unknown> => (state as Record<string, Record<string, unknown>>)[key] ?? {};
  const written = writeBack === undefined ? {} : { writeBack, onWriteBack: rememberWrite };
  return rest({ port }, [
    ...Object.entries(database).flatMap(([collection, value]) =>
      Array.isArray(value)
        ? rest.crud(`/${collection}`, {
            collection: (state: unknown) => tables(state)[collection] as Record<string, unknown>[],
            list: 'array',
            database: tables,
            ...written,
          })
        : [rest.get(`/${collection}`, (ctx) => tables(ctx.state)[collection])],
    ),
  ]);
}

/** A contract file `up` serves, with the kind that serves it. */
interface ServedContract {
  file: string;
  name: string;
  port: number;
  kind: ServedKind;
  /** The other files of a contract split over several (see `ContractFileKind.isPart`), served with this one. */
  parts?: string[];
}

/**
 * The contracts as services: when files of a kind that has parts (GraphQL SDL modules) were given
 * from one directory and one of them is only a part, those files are served as one contract, under the
 * first one's name and port (a part alone cannot be served). Files from other directories stay apart,
 * unless what is given from one directory is still only a part and the files of other directories
 * complete it (a schema whose modules are spread over folders: Vendure's common/ and shop-api/, a NestJS
 * app's users/ and posts/): then those are served as one contract too.
 */
function joinParts(served: readonly ServedContract[]): ServedContract[] {
  /** By kind and directory, in the order given: the files, and whether they are served as one. */
  const groups = new Map<string, { kind: ServedKind; files: ServedContract[]; whole: boolean }>();
  for (const contract of served) {
    const key = `${contract.kind.kind}:${dirname(contract.file)}`;
    const group = groups.get(key) ?? { kind: contract.kind, files: [], whole: false };
    group.files.push(contract);
    groups.set(key, group);
  }
  /** Each file is read once. */
  const texts = new Map<string, string>();
  const isPart = (kind: ServedKind, files: readonly ServedContract[]): boolean =>
    kind.isPart?.(
      files
        .map((c) => {
          const text = texts.get(c.file) ?? readText(c.file) ?? '';
          texts.set(c.file, text);
          return text;
        })
        .join('\n'),
    ) === true;
  for (const group of groups.values()) {
    group.whole = group.kind.isPart !== undefined && group.files.length > 1 && group.files.some((c) => isPart(group.kind, [c]));
  }
  /** What is served, in the order given: a group served as one (where its first file was), or a file on its own. */
  let units: { kind: ServedKind; files: ServedContract[] }[] = [];
  for (const contract of served) {
    const group = groups.get(`${contract.kind.kind}:${dirname(contract.file)}`);
    if (!group?.whole) units.push({ kind: contract.kind, files: [contract] });
    else if (group.files[0] === contract) units.push({ kind: contract.kind, files: group.files });
  }
  for (const kind of new Set(served.map((c) => c.kind))) {
    if (kind.isPart === undefined) continue;
    const ofKind = units.filter((u) => u.kind === kind);
    const partial = ofKind.filter((u) => isPart(kind, u.files));
    if (ofKind.length < 2 || partial.length === 0) continue;
    // The parts of other directories together, else with one whole schema, else with all: joined when that completes them.
    const wholes = ofKind.filter((u) => !partial.includes(u));
    const candidates = [partial, ...wholes.map((w) => [...partial, w]), ofKind];
    const joined = candidates.find(
      (candidate) =>
        candidate.length > 1 &&
        !isPart(
          kind,
          candidate.flatMap((u) => u.files),
        ),
    );
    if (!joined) continue;
    const files = ofKind.filter((u) => joined.includes(u)).flatMap((u) => u.files);
    const first = units.findIndex((u) => joined.includes(u));
    units = units.flatMap((u, index) => (index === first ? [{ kind, files }] : joined.includes(u) ? [] : [u]));
  }
  return units.map(({ files }) => {
    const [contract, ...others] = files as [ServedContract, ...ServedContract[]];
    if (others.length === 0) return contract;
    return { ...contract, port: files.find((c) => c.port !== 0)?.port ?? 0, parts: others.map((c) => c.file) };
  });
}

/**
 * Contracts of a kind that shares ports (protos) given the same port are served as one service there, under
 * the first one's name, as one gRPC server answers the services of many files (lnd, etcd, an xDS control plane).
 */
function joinSharedPorts(served: readonly ServedContract[]): ServedContract[] {
  const joined: ServedContract[] = [];
  const byPort = new Map<string, ServedContract>();
  for (const contract of served) {
    const key = `${contract.kind.kind}:${contract.port}`;
    const first = contract.kind.sharesPort && contract.port !== 0 ? byPort.get(key) : undefined;
    if (first) {
      first.parts = [...(first.parts ?? []), contract.file, ...(contract.parts ?? [])];
      continue;
    }
    const own = { ...contract };
    if (contract.kind.sharesPort && contract.port !== 0) byPort.set(key, own);
    joined.push(own);
  }
  return joined;
}

/**
 * Contracts that declare nothing to serve on their own (see `ContractFileKind.servesNothing`: a .proto of
 * messages only), given beside ones of their kind that do and no port of their own, are served with the
 * first of those: `up protos/*.proto` does not open an empty gRPC server for `common.proto`.
 */
function joinServingNothing(served: readonly ServedContract[]): ServedContract[] {
  const servesNothing = (c: ServedContract): boolean =>
    c.kind.servesNothing !== undefined && c.port === 0 && c.parts === undefined && c.kind.servesNothing(readText(c.file) ?? '');
  const emptyOnes = new Set(served.filter(servesNothing));
  const joined = served.map((contract) => (emptyOnes.has(contract) ? contract : { ...contract }));
  /** The first contract of each kind that serves something: it takes the empty ones of its kind. */
  const hosts = new Map<ServedKind, ServedContract>();
  for (const contract of joined) if (!emptyOnes.has(contract) && !hosts.has(contract.kind)) hosts.set(contract.kind, contract);
  for (const contract of emptyOnes) {
    const host = hosts.get(contract.kind);
    if (host) host.parts = [...(host.parts ?? []), contract.file];
  }
  return joined.filter((contract) => !(emptyOnes.has(contract) && hosts.has(contract.kind)));
}

const isDirectory = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

/** Folders a folder given to `up` is not searched in: installed packages, version control, mockstack's own. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'generated']);

/**
 * The contracts in a folder given to `up` (`mockstack up contracts/`), below it too, as if each were
 * given: files a protocol takes by ending and text (`.proto`, SDL, OpenAPI documents), Mountebank
 * imposters and WireMock mapping files. Other JSON and YAML (package.json, a compose file, a
 * json-server database) are left out; a database is served when given by name.
 */
function contractsIn(folder: string, kinds: readonly ContractFileKind[]): string[] {
  const found = (readdirSync(folder, { recursive: true }) as string[])
    .filter((name) => !name.split(/[\\/]/).some((part) => part.startsWith('.') || SKIPPED_FOLDERS.has(part)))
    .map((name) => join(folder, name))
    .filter((file) => statSync(file).isFile() && kindsByEnding(file, kinds).length > 0)
    .filter((file) => {
      const text = readText(file) ?? '';
      if (contractKindOf(file, kinds, text)) return true;
      return extname(file).toLowerCase() === '.json' && (impostersDocument(text) !== undefined || wiremockMappings(text) !== undefined);
    })
    .sort();
  if (found.length === 0)
    throw new MockstackError(ErrorCode.SourceKind, `${displayPath(folder)} holds no contract mockstack serves; it looks below it for ${describeKinds(kinds)}`);
  return found;
}

/** The ending of Mountebank's config templates (`mb --configfile imposters.ejs`). */
const MB_TEMPLATE = '.ejs';
/** Endings of files `up` serves that no protocol names: Mountebank's templates, HAR recordings. */
const RECORDING_ENDINGS = [MB_TEMPLATE, '.har'];
/** Their renderer (EJS), loaded when a file may be one: not on every start. */
const mbConfigFile = () => import('@mockstack/mountebank/config-file');

/** A rendered `mb --configfile` template that is not imposters: what it rendered to is in the message, as mb prints it. */
function notImpostersOnceRendered(file: string, text: string): MockstackError {
  const document = parseJsonOrUndefined(text);
  const why = document === undefined ? 'is not JSON' : 'is not Mountebank imposters ({ "imposters": [...] } or one imposter)';
  const shown = text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  return new MockstackError(ErrorCode.MountebankFileInvalid, `${file}, rendered as mb --configfile renders it, ${why}; it rendered to:\n${shown}`);
}

/**
 * WireMock's `__files` of the first WireMock root (or its `mappings` folder) among the sources `up` was
 * given: where mappings sent to the admin API read their `bodyFileName`, and beside which they are saved.
 */
export function wiremockFilesOf(sources: readonly string[]): string | undefined {
  for (const source of sources) {
    const folder = isContractUrl(source) ? undefined : wiremockFolderOf(splitPort(source).path);
    if (folder) return folder.filesDir;
  }
  return undefined;
}

/** True for a scenario module; throws for a file that is neither that nor a contract one of the protocols serves. */
function isScenarioModule(path: string, kinds: readonly ContractFileKind[]): boolean {
  const ending = extname(path).toLowerCase();
  if (SCENARIO_ENDINGS.includes(ending)) return true;
  if (kinds.some((kind) => kind.endings.includes(ending))) return false;
  throw new MockstackError(
    ErrorCode.SourceKind,
    `${relative(process.cwd(), path) || path} is not a kind of file mockstack serves; it accepts ${accepted(kinds)}`,
  );
}

/** A kind of contract file `up` serves (kinds without `serve` are the tooling's only). */
type ServedKind = ContractFileKind & Required<Pick<ContractFileKind, 'serve'>>;
function isServed(kind: ContractFileKind): kind is ServedKind {
  return kind.serve !== undefined;
}

/** `a scenario module (.ts/.mts/.js/.mjs) or a contract: .proto (gRPC), …`: for messages. */
function accepted(kinds: readonly ContractFileKind[]): string {
  return `a scenario module (${SCENARIO_ENDINGS.join('/')}) or a contract: ${describeKinds(kinds)}`;
}

/** `schemas/partner.graphql:8085` → the path and the port; a plain path has no port. */
function splitPort(source: string): { path: string; port: number | undefined } {
  const m = /^(.*):(\d{1,5})$/.exec(source);
  // An address's own port (`http://localhost:8080`) is no port suffix; one after its path is (`https://…/api.yaml:4010`).
  if (!m?.[1] || existsSync(source) || (isContractUrl(source) && !/^https?:\/\/[^/]+\/./i.test(m[1]))) return { path: source, port: undefined };
  return { path: m[1], port: Number(m[2]) };
}

function uniqueName(base: string, taken: Record<string, unknown>): string {
  const clean = base.replace(/[^A-Za-z0-9_-]+/g, '-') || 'service';
  let name = clean;
  for (let n = 2; name in taken; n++) name = `${clean}-${n}`;
  return name;
}
