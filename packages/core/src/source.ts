import { originalPosition } from '@mockstack/core/platform';
import type { SourceLocation } from './model.js';

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;
// Frames from mockstack's own packages are skipped so that the location is the author's line.
const INTERNAL = /[/\\](?:packages[/\\](?:core|dsl|mockstack|rest|graphql|grpc|runner|testing|contracts|cli|admin)[/\\](?:src|dist)|node_modules)[/\\]/;

/** The first frame of a stack that is the user's code: not node's, not mockstack's, not a dependency's. */
export function firstUserFrame(stack: string, skip: (file: string) => boolean = () => false): SourceLocation | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m?.[1] || m[1].startsWith('node:') || !/[/\\]/.test(m[1])) continue;
    const file = m[1].startsWith('file://') ? decodeURIComponent(new URL(m[1]).pathname) : m[1];
    if (INTERNAL.test(file) || skip(file)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/**
 * The file:line of the first caller outside mockstack, taken from the stack.
 * DSL factories record it so that compile errors point at the scenario line that declared a rule.
 */
export function captureSource(): SourceLocation | undefined {
  return fromCallSites() ?? firstUserFrame(stackOf(NEAR_FRAMES)) ?? firstUserFrame(new Error().stack ?? '');
}

/**
 * The author's line from V8's call sites, mapped through the scenario's source map here: node's own
 * formatting of a stack (every frame mapped, turned into text, parsed back) was 30 % of starting
 * 10,000 rules. Only where node formats stacks itself; a test runner's formatter (jest) maps through
 * maps node does not have, so its text is read instead (undefined here).
 */
function fromCallSites(): SourceLocation | undefined {
  const prepare = Error.prepareStackTrace;
  // Node's own formatter is `Error.prepareStackTrace` itself in recent versions, undefined in older ones.
  if ((prepare !== undefined && prepare.name !== 'ErrorPrepareStackTrace') || typeof process === 'undefined' || !process.sourceMapsEnabled) return undefined;
  const limit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  Error.stackTraceLimit = 50;
  Error.prepareStackTrace = (_error, sites) => sites;
  let sites: unknown;
  try {
    Error.captureStackTrace(holder, captureSource);
    // Read here: V8 formats a captured stack on first access, with the formatter set then.
    sites = holder.stack;
  } finally {
    if (prepare) Error.prepareStackTrace = prepare;
    else Reflect.deleteProperty(Error, 'prepareStackTrace');
    Error.stackTraceLimit = limit;
  }
  if (!Array.isArray(sites)) return undefined;
  for (const site of sites as NodeJS.CallSite[]) {
    const name = site.getFileName() ?? '';
    if (!name || name.startsWith('node:') || unmappedInternalFiles.has(name)) continue;
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (line === null || column === null) continue;
    // Past DEFERRED_LOCATIONS, parsing the map once and mapping each rule at once costs less than deferring each.
    if (authoredBundles.has(name) && deferredLocations < DEFERRED_LOCATIONS) {
      deferredLocations++;
      return mappedWhenRead(name, line, column);
    }
    const mapped = originalPosition(name, line, column);
    const file = pathOf(mapped?.file ?? name);
    if (!/[/\\]/.test(file) || INTERNAL.test(file)) {
      if (!mapped) unmappedInternalFiles.add(name);
      continue;
    }
    // An author's frame node has no map for (code a test runner compiled): its formatted stack knows better.
    if (!mapped) return undefined;
    return { file, line: mapped.line, column: mapped.column };
  }
  return undefined;
}

/**
 * Bundles (by URL) made only of the author's files: a scenario and its local imports, bundled by the
 * runner (declareAuthoredBundle). Shared through the global registry: the runner that bundles and the
 * DSL that takes the sources can be separate copies of this module (the CLI bundle, the package the
 * scenario imports).
 */
const authoredBundles = sharedSet(Symbol.for('mockstack.authored-bundles'));

function sharedSet(key: symbol): Set<string> {
  const registry = globalThis as { [key: symbol]: unknown };
  if (!(registry[key] instanceof Set)) registry[key] = new Set<string>();
  return registry[key] as Set<string>;
}

/**
 * Declares a bundle, by the URL its frames carry, and the files it was made from. When none of them
 * is mockstack's own or a dependency's, every frame in it is the author's: captureSource then takes the
 * first one as it is and maps it through the bundle's source map only when the location is read (a
 * compile error, the admin API). Mapping each rule's line as it was declared, which first parses the
 * whole map, was ~20 ms of starting the checkout example.
 */
export function declareAuthoredBundle(url: string, sources: readonly string[]): void {
  if (sources.every((source) => !INTERNAL.test(source))) authoredBundles.add(url);
}

/**
 * How many locations a process keeps unmapped until read (reloads under --watch count too). Each
 * costs an object with accessors (~5 µs to make, against ~1 µs to map a position once the map is
 * parsed), so a scenario of thousands of rules maps the rest as they are declared: the checkout
 * example declares 14.
 */
const DEFERRED_LOCATIONS = 1000;
let deferredLocations = 0;

/**
 * The location of a position in an authored bundle, mapped on the first read of any of its fields
 * (then plain data). Without a mapping for it (code esbuild wrote), the bundle's own position.
 */
function mappedWhenRead(bundle: string, line: number, column: number): SourceLocation {
  const location = {} as SourceLocation;
  const settle = (): SourceLocation => {
    const mapped = originalPosition(bundle, line, column);
    const settled = mapped ? { file: pathOf(mapped.file), line: mapped.line, column: mapped.column } : { file: pathOf(bundle), line, column };
    Object.defineProperties(location, {
      file: { value: settled.file, enumerable: true, writable: true },
      line: { value: settled.line, enumerable: true, writable: true },
      column: { value: settled.column, enumerable: true, writable: true },
    });
    return settled;
  };
  return Object.defineProperties(location, {
    file: { get: () => settle().file, enumerable: true, configurable: true },
    line: { get: () => settle().line, enumerable: true, configurable: true },
    column: { get: () => settle().column, enumerable: true, configurable: true },
  });
}

/**
 * Files of frames skipped without a source map (the DSL's own): every rule's stack passes through
 * them, so they are recognised by name before any position or map lookup.
 */
const unmappedInternalFiles = new Set<string>();
/** Paths of `file://` URLs met in stacks (the DSL's, the scenario's): a few, each parsed once. */
const pathsOfUrls = new Map<string, string>();

function pathOf(file: string): string {
  if (!file.startsWith('file://')) return file;
  let path = pathsOfUrls.get(file);
  if (path === undefined) {
    path = decodeURIComponent(new URL(file).pathname);
    pathsOfUrls.set(file, path);
  }
  return path;
}

/**
 * Frames taken first: enough for a DSL factory called from the scenario (stackOf, this function, the
 * factory's helper, the factory, the author's line). Each frame of a stack costs a source-map lookup
 * when source maps are on (a scenario has them): with 10,000 rules, taking node's default 10 frames
 * was a third of the start-up. A deeper author's line is found from a whole stack.
 */
const NEAR_FRAMES = 6;

/** The stack here, at most `frames` deep (where the engine can limit it). */
function stackOf(frames: number): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = frames;
  try {
    return new Error().stack ?? '';
  } finally {
    Error.stackTraceLimit = limit;
  }
}
