// The part of core that touches the machine: files and paths. Core's other modules reach it as
// `@mockstack/core/platform`, whose `browser` condition swaps in platform.browser.ts, so the
// engine, matching and state bundle for the browser (mockstack/msw) with no node builtin.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { findSourceMap } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Model } from './model.js';

/**
 * Where a contract path written in a scenario (`'schemas/catalog.graphql'`) points: next to the
 * scenario file first, then the project root (nearest package.json above it), then the cwd.
 */
export function resolveContractPath(model: Pick<Model, 'file' | 'root'>, path: string): string {
  if (isAbsolute(path)) return path;
  const candidates = [model.file && resolve(dirname(model.file), path), model.root && resolve(model.root, path), resolve(path)];
  return candidates.find((c): c is string => Boolean(c) && existsSync(c as string)) ?? resolve(model.root ?? process.cwd(), path);
}

/** The nearest directory at or above `from` that holds a package.json (or `from` itself). */
export function projectRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}

/** The root contract paths resolve against when the caller gives none: the scenario's project, or the cwd. */
export function defaultRoot(file: string | undefined): string {
  return file ? projectRoot(dirname(file)) : process.cwd();
}

/**
 * A file as mockstack shows it in answers, logs and messages: relative to the working directory
 * (the project, where `mockstack up` runs), never the absolute path, which tells a caller of a
 * mock about the machine it runs on. Editors and CI logs resolve it from there too.
 */
export function displayPath(file: string): string {
  if (!isAbsolute(file) || typeof process === 'undefined') return file;
  return relative(process.cwd(), file) || '.';
}

/** A contract file's text. */
export function readTextFile(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/**
 * A contract file's hash (of its bytes: ~10× cheaper than hashing the decoded text of a large
 * document), for cache keys, and its text, decoded when asked: a caller that finds what it needs in a
 * cache under that hash never decodes it (a 13 MB document with non-ASCII text decodes in ~0.15 s).
 */
export async function readHashedTextFile(path: string): Promise<{ hash: string; text: () => string }> {
  const bytes = await readFile(path);
  return { hash: createHash('sha1').update(bytes).digest('hex'), text: () => bytes.toString('utf8') };
}

/** A contract file's text, synchronously. */
export function readTextFileSync(path: string): string {
  return readFileSync(path, 'utf8');
}

/** What changes when a file is edited (`mtime:size`), or '' when it cannot be read. */
export function fileVersion(path: string): string {
  try {
    const info = statSync(path);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return '';
  }
}

/**
 * What tells a file's content apart without reading it (`stamp`: its device, inode, size, and
 * modification and change times in nanoseconds), and when it last changed (`changedAt`, ms since the
 * epoch, the change time: it moves with every write, also one that sets the modification time back);
 * undefined when it cannot be read. File times tick coarsely (a few ms): two writes of one size within
 * a tick leave the same stamp, so trust a stamp only for a file that had not changed for a while when
 * it was taken.
 */
export function fileStamp(path: string): { stamp: string; changedAt: number } | undefined {
  try {
    const info = statSync(path, { bigint: true });
    return { stamp: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`, changedAt: Number(info.ctimeMs) };
  } catch {
    return undefined;
  }
}

/** Replaces a file's text at once (a temporary file beside it, renamed over it): a reader sees the old text or the new, never half. */
export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

let lastMapped: { file: string; map: ReturnType<typeof findSourceMap> | undefined } = { file: '', map: undefined };

/**
 * The source map node keeps for a file. Node 22 and later answer none for a file under node_modules
 * while source maps are off, though they keep it: the runner bundles a scenario into
 * node_modules/.cache and turns source maps off once it is loaded (see loadScenario), so a compile
 * error named the bundle's lines instead of the scenario's. Asked with them on for that moment.
 */
function sourceMapOf(file: string): ReturnType<typeof findSourceMap> | undefined {
  const map = findSourceMap(file);
  if (map || process.sourceMapsEnabled) return map;
  process.setSourceMapsEnabled(true);
  try {
    return findSourceMap(file);
  } finally {
    process.setSourceMapsEnabled(false);
  }
}

/**
 * Where a position of generated code (a bundled scenario) was written, through the source map node
 * keeps for it (source maps on); undefined without one. `line` and `column` count from 1.
 */
export function originalPosition(file: string, line: number, column: number): { file: string; line: number; column: number } | undefined {
  // The map of the file asked last is kept: every rule of a scenario asks for the same one, and node's
  // lookup (the path made a URL, two caches searched) was a fifth of taking a rule's source.
  if (file !== lastMapped.file) lastMapped = { file, map: sourceMapOf(file) };
  const map = lastMapped.map;
  if (!map) return undefined;
  const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return undefined;
  return { file: entry.originalSource, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}
