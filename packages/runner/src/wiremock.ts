import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { AdminRoute } from '@mockstack/admin';
import { displayPath, ErrorCode, type Logger, MockstackError, type Model, parseJsonOrUndefined, type Service, type Stack } from '@mockstack/core';
import { OperationRouter } from '@mockstack/rest/operation-router';
import {
  type BodyFiles,
  isMappingsDocument,
  type MappingsFile,
  type MappingsFolder,
  type MappingsService,
  mappingsService,
  REFUSED_MAPPINGS,
  type RefusedMapping,
  type RouteFinder,
  WiremockMappingInvalid,
  wiremockAdminRoutes,
} from '@mockstack/wiremock';

/**
 * WireMock's admin endpoints over a running stack (stub mappings as live rules, its journal and
 * scenarios); a mapping's `bodyFileName` is read in `filesDir` (WireMock's `__files`).
 */
export function wiremockRoutesOf(stack: Stack, filesDir: string): Promise<AdminRoute[]> {
  return wiremockAdminRoutes(stack, { routeOf: scenarioRouteOf(stack), bodyFiles: bodyFilesIn(filesDir), mappingsFolder: mappingsBeside(filesDir) });
}

/**
 * WireMock's `mappings` folder beside its files folder (both in WireMock's root), where `POST
 * /__admin/mappings/save` writes; made when first written, and only when the files folder or the mappings
 * folder exists (else the working directory is not a WireMock root and nothing is written).
 */
export function mappingsBeside(filesDir: string): MappingsFolder {
  const files = resolve(filesDir);
  const dir = join(dirname(files), 'mappings');
  return {
    where: displayPath(dir),
    write(name, text) {
      if (!isDirectory(files) && !isDirectory(dir))
        throw new Error(
          `mappings are saved beside WireMock's files folder ${displayPath(files)}, which does not exist: create it (or start with --wiremock-files <dir>)`,
        );
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, name), text);
    },
    read(name) {
      try {
        return readFileSync(join(dir, name), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The files of a folder by name, for `bodyFileName`: only inside it (a name reaching out of it, by
 * `..` or a link, reads as no file), read when a mapping is added.
 */
export function bodyFilesIn(dir: string): BodyFiles {
  const root = resolve(dir);
  return {
    where: displayPath(root),
    read(name) {
      try {
        const file = realpathSync(resolve(root, name));
        const inside = relative(realpathSync(root), file);
        if (inside.startsWith(`..${sep}`) || inside === '..' || resolve(inside) === inside || !statSync(file).isFile()) return undefined;
        return readFileSync(file);
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The scenario's route a request goes to, as the REST server routes it (the router fastify's routes
 * follow): a WireMock stub's literal URL under one of its templates goes to that template's operation.
 */
function scenarioRouteOf(stack: Stack): RouteFinder {
  // One router per service of the model (a reload makes new services, so new routers).
  const routers = new WeakMap<Service, OperationRouter<string>>();
  return (serviceName, method, path) => {
    const service = stack.engine.model.services.get(serviceName);
    if (!service) return undefined;
    let router = routers.get(service);
    if (!router) {
      router = new OperationRouter<string>();
      for (const operation of service.operations.values()) router.add(String(operation.meta.method), String(operation.meta.path), operation.id);
      routers.set(service, router);
    }
    const found = router.find(method, path);
    return found && { operation: found.handler, params: found.params };
  };
}

const isDirectory = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

/** WireMock mappings given to `up`: a root folder, its `mappings` folder, or one file of them. */
export interface WiremockSource {
  path: string;
  port: number | undefined;
  files: MappingsFile[];
  /** WireMock's `__files`, where `bodyFileName` is read. */
  filesDir: string;
  /** The `mappings` folder the files were read from (a root or its `mappings` folder given), watched whole by `--watch`. */
  folder?: string;
}

/**
 * A folder given to `up` that holds WireMock mappings: a root (`wiremock/` with `mappings/` and
 * `__files/`, as `--root-dir` takes it) or its `mappings` folder; every `.json` file below it read.
 * Undefined for anything else.
 */
export function wiremockFolderOf(path: string): Pick<WiremockSource, 'files' | 'filesDir' | 'folder'> | undefined {
  if (!isDirectory(path)) return undefined;
  const root = existsSync(join(path, 'mappings')) ? path : basename(resolve(path)) === 'mappings' ? dirname(resolve(path)) : undefined;
  if (root === undefined) return undefined;
  const folder = join(root, 'mappings');
  const names = (readdirSync(folder, { recursive: true }) as string[]).filter((name) => name.toLowerCase().endsWith('.json')).sort();
  const files = names.map((name): MappingsFile => {
    const file = join(folder, name);
    const document = parseJsonOrUndefined(readFileSync(file, 'utf8'));
    if (document === undefined)
      throw new MockstackError(
        ErrorCode.ContractLoad,
        `${displayPath(file)} is not JSON; a file of WireMock's mappings folder holds one mapping or { "mappings": [...] }`,
      );
    return { file: displayPath(file), name, document };
  });
  return { files, filesDir: join(root, '__files'), folder };
}

/** A `.json` file's text that is WireMock's (one mapping, or `{ "mappings": [...] }`), parsed; undefined otherwise. */
export function wiremockMappings(text: string): unknown {
  const document = parseJsonOrUndefined(text);
  return isMappingsDocument(document) ? document : undefined;
}

/** WireMock's `__files` for a file of mappings: beside its `mappings` folder, else in the working directory. */
export function filesDirBeside(file: string): string {
  const folder = dirname(file);
  return basename(folder) === 'mappings' ? join(dirname(folder), '__files') : resolve('__files');
}

/**
 * What `--watch` watches for WireMock mappings given to `up`: the whole `mappings` folder (a file added
 * or removed there reloads too) and `__files` (a body file changed), else the one file given.
 */
export function wiremockInputs(source: WiremockSource): string[] {
  const watched = source.folder ? [resolve(source.folder)] : source.files.map((f) => resolve(f.file));
  if (isDirectory(source.filesDir)) watched.push(resolve(source.filesDir));
  return watched;
}

/**
 * The REST service serving WireMock mappings, or a MockstackError naming each malformed mapping (WireMock
 * refuses to start on one). A mapping mockstack cannot serve is left out (listed in the service's config,
 * see `REFUSED_MAPPINGS`; `warnRefusedMappings` prints each) and the rest served, as WireMock serves them.
 */
export function wiremockService(source: WiremockSource): MappingsService {
  try {
    // WireMock serves the files of its __files at their paths; a root without any keeps the near misses of its routes.
    const servesFiles = isDirectory(source.filesDir) && readdirSync(source.filesDir).length > 0;
    return mappingsService(source.files, { port: source.port ?? 0, bodyFiles: bodyFilesIn(source.filesDir), servesFiles });
  } catch (error) {
    if (!(error instanceof WiremockMappingInvalid)) throw error;
    throw new MockstackError(
      ErrorCode.ContractLoad,
      `${source.path}: malformed WireMock mappings (WireMock refuses them too):\n${error.problems.map((p) => `  - ${p}`).join('\n')}`,
      { cause: error },
    );
  }
}

/** One warning per WireMock mapping a model's services do not serve: its file, the error's code and why. */
export function warnRefusedMappings(model: Model, logger: Logger): void {
  for (const service of model.services.values()) {
    const refused = service.config[REFUSED_MAPPINGS];
    if (!Array.isArray(refused)) continue;
    for (const { where, problems } of refused as RefusedMapping[])
      logger.warn(
        `${where}: this WireMock mapping is not served [${ErrorCode.WiremockMappingInvalid}]: ${problems.join('; ')} (service "${service.name}" serves the others; a request to its URL is answered 500 with this)`,
      );
  }
}
