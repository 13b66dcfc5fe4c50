import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  declareAuthoredBundle,
  ErrorCode,
  firstUserFrame,
  MockstackError,
  type ScenarioDefinition,
  type SourceLocation,
  scenarioDefinitionOf,
} from '@mockstack/core';
import { contentHash, fileHashes, readStartupCache, unchanged, writeStartupCache } from '@mockstack/core/startup-cache';
import type { Message } from 'esbuild';
import { importModule } from './import-module.js';
import { mswHandlersOf, mswScenarioOf } from './msw-module.js';

export interface LoadedScenario {
  file: string;
  definition: ScenarioDefinition;
  /** Every local file the scenario imports (itself included), for --watch. */
  inputs: string[];
}

let loads = 0;

/** Scenario modules being imported now, and whether source maps were on before the first of them. */
let importing = 0;
let sourceMapsBefore = false;

/**
 * Turns source maps on while scenario modules are imported, and returns what turns them back as they
 * were once the last import running ends: they make stack frames in a scenario (a throw at import,
 * where each rule is written) name its own .ts lines, but with them on node reads the .map file of
 * every module loaded next (gRPC's alone are ~70, ~40 ms of start-up). runScenario turns them on once
 * serving, for errors thrown by handlers; node keeps a scenario's map until then. Counted, not saved
 * per load: `check` loads its scenarios at once, and a load that ended first turned them off under
 * another one still importing, whose rules then named the bundle's lines (a lost drift problem).
 */
function sourceMapsOnWhileImporting(): () => void {
  if (importing++ === 0) {
    sourceMapsBefore = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(true);
  }
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (--importing === 0) process.setSourceMapsEnabled(sourceMapsBefore);
  };
}

/**
 * Loads a TypeScript scenario module at runtime: esbuild bundles its local imports (node_modules
 * stay external) into a temporary .mjs (see bundleDir), which node then imports. Errors name the
 * scenario file and line.
 */
export async function loadScenario(path: string): Promise<LoadedScenario> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new MockstackError(ErrorCode.ScenarioNotFound, `scenario file ${path} does not exist (looked at ${file}); pass the path of a .ts scenario module`);
  }
  const dir = bundleDir(file);
  removeStaleBundles(dir);
  // Also those an older mockstack wrote next to the scenario.
  if (dir !== dirname(file)) removeStaleBundles(dirname(file));
  const temp = join(dir, `.${basename(file)}.${process.pid}.${++loads}.mjs`);
  const { code, inputs } = await bundleScenario(file, temp);
  declareAuthoredBundle(pathToFileURL(temp).href, inputs);

  let exports: Record<string, unknown>;
  const sourceMapsOff = sourceMapsOnWhileImporting();
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, code);
    exports = (await importModule(pathToFileURL(temp).href)) as Record<string, unknown>;
  } catch (error) {
    throw importError(file, error);
  } finally {
    sourceMapsOff();
    rmSync(temp, { force: true });
  }

  const definition = scenarioDefinitionOf(exports.default);
  if (definition) return { file, definition, inputs };
  // An app's MSW handlers (src/mocks/handlers.ts), served as they are.
  const handlers = mswHandlersOf(exports);
  if (handlers) return { file, definition: mswScenarioOf(basename(file).replace(/\.[^.]+$/, ''), handlers), inputs };
  throw new MockstackError(
    ErrorCode.ScenarioInvalid,
    `${relative(process.cwd(), file)} has no default-exported scenario; end it with \`export default scenario('name', { … }).services({ … })\` (import { scenario } from 'mockstack'), or export MSW handlers (\`export const handlers = [http.get(…)]\`) to serve those`,
    { source: { file, line: 1, column: 1 } },
  );
}

/**
 * The scenario bundled by esbuild into one ES module (its local imports inside, packages outside),
 * and every local file it read. A bundle made before is taken from the start-up cache while it would
 * come out the same: every input has the same content, each folder holding one lists the same files
 * (an import could resolve to a new one), and the tsconfig.json, jsconfig.json and package.json
 * esbuild reads on the way up from each are the same. That spares starting esbuild's service (a
 * process of its own, started on the first build) and its build: ~40 ms of CPU of every start, more on
 * a loaded machine, and loading esbuild's JavaScript API at all (see esbuild()).
 */
async function bundleScenario(file: string, temp: string): Promise<{ code: string; inputs: string[] }> {
  // This mockstack's place too: a bundle of a project without mockstack imports it (see thisMockstackWhereNoneIsInstalled).
  const cacheName = `scenario-bundle-v1-${contentHash(`${file}\n${dirname(temp)}\n${esbuildVersion()}\n${ownManifest() ?? ''}`)}.json`;
  const cached = readStartupCache(cacheName, isCachedBundle);
  if (cached && unchanged(cached.inputs) && sameSurroundings(cached.surroundings)) return { code: cached.code, inputs: Object.keys(cached.inputs) };
  let code: string;
  let inputs: string[];
  try {
    const result = await esbuild().build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'silent',
      metafile: true,
      plugins: [thisMockstackWhereNoneIsInstalled],
      // The source map's paths are relative to the bundle's folder (the same for every load), not its name.
      outfile: temp,
      // As if the bundle were the scenario itself: a scenario that finds its files from import.meta.
      define: {
        'import.meta.url': JSON.stringify(pathToFileURL(file).href),
        'import.meta.filename': JSON.stringify(file),
        'import.meta.dirname': JSON.stringify(dirname(file)),
      },
    });
    code = result.outputFiles[0]?.text ?? '';
    inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
  } catch (error) {
    throw buildError(file, error);
  }
  try {
    writeStartupCache(cacheName, { code, inputs: fileHashes(inputs), surroundings: surroundingsOf(inputs) } satisfies CachedBundle);
  } catch {
    // an input removed since esbuild read it: nothing to cache
  }
  return { code, inputs };
}

interface CachedBundle {
  code: string;
  /** Each input file with the hash of its content (fileHashes). */
  inputs: Record<string, string>;
  /** See surroundingsOf. */
  surroundings: Record<string, string>;
}

function isCachedBundle(value: unknown): value is CachedBundle {
  const record = (x: unknown): x is Record<string, string> =>
    typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string');
  if (typeof value !== 'object' || value === null) return false;
  const { code, inputs, surroundings } = value as Partial<CachedBundle>;
  return typeof code === 'string' && record(inputs) && record(surroundings);
}

const requireFromHere = createRequire(import.meta.url);

/**
 * A scenario's `mockstack` imports, where the scenario's project has no mockstack installed
 * (`npx mockstack up scenario.ts` in a folder without a package.json, a scenario kept outside any
 * project), import the mockstack running: before, such a scenario failed to load with "Cannot find
 * package 'mockstack'". An installed one is always the one imported.
 */
const thisMockstackWhereNoneIsInstalled: import('esbuild').Plugin = {
  name: 'mockstack-where-none-is-installed',
  setup(build) {
    build.onResolve({ filter: /^mockstack(?:\/[\w-]+)?$/ }, ({ path, resolveDir }) => {
      if (isInstalled(path, resolveDir)) return undefined;
      const own = ownEntryOf(path);
      return own ? { path: pathToFileURL(own).href, external: true } : undefined;
    });
  },
};

function isInstalled(specifier: string, from: string): boolean {
  try {
    createRequire(join(from, 'scenario.js')).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/** The ES module file of this mockstack that `specifier` (`mockstack`, `mockstack/testing`…) names, from its package.json's exports. */
function ownEntryOf(specifier: string): string | undefined {
  const manifest = ownManifest();
  if (!manifest) return undefined;
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> };
  const entry = exports?.[`.${specifier.slice('mockstack'.length)}`];
  const target = esmTargetOf(entry);
  return target ? join(dirname(manifest), target) : undefined;
}

/** This mockstack's package.json. */
function ownManifest(): string | undefined {
  try {
    return requireFromHere.resolve('mockstack/package.json');
  } catch {
    return undefined;
  }
}

/** An exports entry's file for `import` (a nested `{ types, default }` or a path), skipping the repository's source condition. */
function esmTargetOf(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const conditions = entry as Record<string, unknown>;
  return esmTargetOf(conditions.import) ?? esmTargetOf(conditions.node) ?? esmTargetOf(conditions.default);
}

/**
 * esbuild's JavaScript API, loaded by the first scenario bundle made: 25-50 ms of a start that takes
 * its bundle from the start-up cache would go to loading what it never calls. Required rather than
 * import()ed: import() fails where mockstack/testing runs as CommonJS under jest.
 */
function esbuild(): typeof import('esbuild') {
  return requireFromHere('esbuild') as typeof import('esbuild');
}

/** The version of the esbuild that would bundle a scenario, from its package.json (not loading esbuild). */
function esbuildVersion(): string {
  return (requireFromHere('esbuild/package.json') as { version: string }).version;
}

/** The config files esbuild reads in each folder on the way up from a file it bundles. */
const CONFIG_FILES = ['tsconfig.json', 'jsconfig.json', 'package.json'];

/**
 * What else decides how the inputs bundle: the file names in each input's folder (by path
 * `<folder>/`) and the content hash of each config file in it and the folders above it (by path;
 * '' when there is none).
 */
function surroundingsOf(inputs: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const input of inputs) {
    found[`${dirname(input)}/`] ??= surroundingHash(`${dirname(input)}/`);
    for (let folder = dirname(input); ; folder = dirname(folder)) {
      for (const name of CONFIG_FILES) {
        const config = join(folder, name);
        found[config] ??= surroundingHash(config);
      }
      if (folder === dirname(folder)) break;
    }
  }
  return found;
}

function sameSurroundings(saved: Readonly<Record<string, string>>): boolean {
  try {
    return Object.entries(saved).every(([path, was]) => surroundingHash(path) === was);
  } catch {
    return false;
  }
}

/** A folder's (`<folder>/`) file names, hashed; a config file's content, hashed ('' when there is none). */
function surroundingHash(path: string): string {
  if (path.endsWith('/')) return contentHash(readdirSync(path.slice(0, -1)).sort().join('\n'));
  return existsSync(path) ? contentHash(readFileSync(path, 'utf8')) : '';
}

function buildError(file: string, error: unknown): MockstackError {
  const messages = (error as { errors?: Message[] }).errors ?? [];
  const first = messages[0];
  if (!first) return new MockstackError(ErrorCode.ScenarioLoad, `cannot load ${file}: ${String(error)}`, { cause: error });
  const source: SourceLocation | undefined = first.location
    ? { file: resolve(first.location.file), line: first.location.line, column: first.location.column + 1 }
    : undefined;
  const detail = messages.map((m) => (m.location ? `${m.text}\n    ${m.location.line} | ${m.location.lineText}` : m.text)).join('\n  ');
  return new MockstackError(ErrorCode.ScenarioLoad, `cannot load scenario: ${detail}`, { source, cause: error });
}

/** A throw while the scenario module runs: point at the first stack frame in the user's files. */
function importError(file: string, error: unknown): MockstackError {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const source = firstUserFrame(stack, (path) => path.endsWith('.mjs'));
  const code = (error as { code?: string }).code;
  const hint = code === 'ERR_MODULE_NOT_FOUND' ? ' (is the package installed? scenario files import from "mockstack")' : '';
  return new MockstackError(ErrorCode.ScenarioLoad, `scenario ${relative(process.cwd(), file)} threw while loading: ${message}${hint}`, {
    source: source ?? { file, line: 1, column: 1 },
    cause: error,
  });
}

/**
 * Where a scenario's bundle is written: node_modules/.cache/mockstack/scenarios of the nearest
 * folder above the scenario with a node_modules, so that its bare imports (`mockstack`, the
 * user's own packages) resolve from the user's project as they would from the scenario, and
 * nothing is left in the user's folders. A scenario with no node_modules above it is bundled next
 * to itself, as a hidden file.
 */
function bundleDir(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    // Its real path: node imports the bundle by it (a node_modules that is a symlink, as CI caches and some installs
    // make, is left behind), and the source map's paths, relative to the bundle's folder, resolve from there.
    if (existsSync(join(dir, 'node_modules'))) return join(realpathSync(join(dir, 'node_modules')), '.cache', 'mockstack', 'scenarios');
    if (dir === dirname(dir)) return dirname(file);
  }
}

/** `.checkout.ts.<pid>.<n>.mjs` */
const BUNDLE = /^\.[^/\\]+\.(?:ts|mts|cts|js|mjs|cjs)\.(\d+)\.\d+\.mjs$/;

/**
 * Bundles left by a process that was killed before it could remove them (kill -9 during start-up):
 * each is named after its process id, and one whose process is gone is removed.
 */
function removeStaleBundles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(BUNDLE.exec(name)?.[1]);
    if (!pid || pid === process.pid || isRunning(pid)) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user
    return (error as { code?: string }).code === 'EPERM';
  }
}
