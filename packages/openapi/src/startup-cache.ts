import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where mockstack keeps start-up work it can reuse while its inputs are unchanged (a parsed OpenAPI
 * document, a passed spec check; the CLI's V8 code cache too, see packages/mockstack/bin): the OS
 * temp dir, or MOCKSTACK_CACHE_DIR.
 */
export function startupCacheDir(): string {
  return process.env.MOCKSTACK_CACHE_DIR ?? join(tmpdir(), 'mockstack-cache');
}

/** A hash of a text, for cache keys and for telling whether a file changed. */
export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The JSON value saved under `name` by writeStartupCache, or undefined. */
export function readStartupCache<T>(name: string): T | undefined {
  try {
    return JSON.parse(readFileSync(join(startupCacheDir(), name), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Saves a JSON value under `name`. A cache dir that cannot be written only costs the work next time. */
export function writeStartupCache(name: string, value: unknown): void {
  const file = join(startupCacheDir(), name);
  try {
    mkdirSync(startupCacheDir(), { recursive: true });
    // Written aside and renamed: a process starting now reads all of it or nothing.
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(value));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // read-only temp dir
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
