import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Where mockstack keeps start-up work it can reuse while its inputs are unchanged (the CLI's V8 code
 * cache, a parsed OpenAPI document, a passed spec check): MOCKSTACK_CACHE_DIR; else
 * node_modules/.cache/mockstack in the nearest folder up from the working directory that has a
 * node_modules, so the cache belongs to that install (`npm install` fills it, deleting
 * node_modules clears it); else the OS temp dir. The bin imports this module alone
 * (`@mockstack/core/startup-cache`), before the CLI bundle loads.
 */
export function startupCacheDir(): string {
  if (process.env.MOCKSTACK_CACHE_DIR) return process.env.MOCKSTACK_CACHE_DIR;
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'mockstack');
    if (dir === dirname(dir)) return join(tmpdir(), 'mockstack-cache');
  }
}

/** A hash of a text, for cache keys and for telling whether a file changed. */
export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * The JSON value saved under `name` by writeStartupCache, or undefined: also when the entry is not
 * one writeStartupCache wrote under that name with that content (a truncated, edited, copied or
 * older-format file), or `isValid` refuses its value. Such an entry is removed, and the caller does
 * the work itself, so a bad cache never passes for a problem in the user's files.
 */
export function readStartupCache<T>(name: string, isValid: (value: unknown) => value is T): T | undefined {
  const file = join(startupCacheDir(), name);
  let entry: unknown;
  try {
    entry = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') rmSync(file, { force: true });
    return undefined;
  }
  const { name: saved, hash, value } = (entry ?? {}) as Partial<CacheEntry>;
  if (saved === name && hash === contentHash(JSON.stringify(value ?? null)) && isValid(value)) return value;
  rmSync(file, { force: true });
  return undefined;
}

/** How writeStartupCache keeps a value: under its name, with the hash of its JSON. */
interface CacheEntry {
  name: string;
  hash: string;
  value: unknown;
}

/** Saves a JSON value under `name`. A cache dir that cannot be written only costs the work next time. */
export function writeStartupCache(name: string, value: unknown): void {
  const dir = startupCacheDir();
  const file = join(dir, name);
  try {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: a process starting now reads all of it or nothing.
    const json = JSON.stringify(value ?? null);
    writeFileSync(`${file}.${process.pid}`, `{"name":${JSON.stringify(name)},"hash":"${contentHash(json)}","value":${json}}`);
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // a read-only cache dir
  }
}

/** The content hash of each file, to tell later with unchanged() whether any changed. */
export function fileHashes(files: readonly string[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file, contentHash(readFileSync(file, 'utf8'))]));
}

/** Whether every file still has the content fileHashes saw (false when one is gone). */
export function unchanged(hashes: Readonly<Record<string, string>>): boolean {
  try {
    return Object.entries(hashes).every(([file, hash]) => contentHash(readFileSync(file, 'utf8')) === hash);
  } catch {
    return false;
  }
}
