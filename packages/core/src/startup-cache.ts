import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Where mockstack keeps start-up work it can reuse while its inputs are unchanged (the CLI's V8 code
 * cache, a parsed OpenAPI document, a passed spec check, a proto file set parsed and its descriptors): MOCKSTACK_CACHE_DIR; else
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

/**
 * The build of mockstack running: a hash of its bundles, set by packages/mockstack/bundle.mjs (esbuild
 * `define`); undefined when run from the sources (its tests), where entry names carry a version instead.
 */
declare const MOCKSTACK_BUILD_ID: string | undefined;
export const startupCacheBuild: string | undefined = typeof MOCKSTACK_BUILD_ID === 'string' ? MOCKSTACK_BUILD_ID : undefined;

/**
 * An entry's file name: the name given, and the build that writes and reads it. An entry another
 * mockstack wrote (an older version still in node_modules/.cache after an upgrade, or another install
 * sharing MOCKSTACK_CACHE_DIR) can hold what that version made of a document, its warnings and its
 * checks: it is never read by this one, and ages out (see keepWithinBudget).
 */
function entryName(name: string): string {
  return startupCacheBuild === undefined ? name : `${name}.${startupCacheBuild}`;
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
  return readStartupCacheText(name, (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    return isValid(value) ? value : undefined;
  });
}

/**
 * What `decode` makes of the text saved under `name` by writeStartupCacheText, or undefined; as
 * readStartupCache, an entry that is not what was written, or that `decode` refuses (undefined), is
 * removed. The text comes as a one-byte string: slices of it cost no copy.
 */
export function readStartupCacheText<T>(given: string, decode: (text: string) => T | undefined): T | undefined {
  const name = entryName(given);
  const file = join(startupCacheDir(), name);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') removeEntry(file);
    return undefined;
  }
  const text = textOfEntry(name, bytes);
  const value = text === undefined ? undefined : decode(text);
  if (value !== undefined) {
    markUsed(file);
    return value;
  }
  removeEntry(file);
  return undefined;
}

/** Removes a bad entry; a cache dir that cannot be used (not a dir, read-only) only costs the work each time. */
function removeEntry(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // left as it is
  }
}

/**
 * The text of an entry as writeStartupCacheText writes it, `{"name":…,"hash":"<sha1 of the
 * text>","value":<the text>}`, or undefined. The hash is checked on the bytes as read, and the text
 * (ASCII) is decoded one byte a character: a parsed OpenAPI document of 7 MB reads in a fraction of
 * the time its JSON would take to re-serialise for the check, or to decode as UTF-8.
 */
function textOfEntry(name: string, bytes: Buffer): string | undefined {
  const head = `{"name":${JSON.stringify(name)},"hash":"`;
  const middle = '","value":';
  const valueAt = head.length + HASH_LENGTH + middle.length;
  if (bytes.length <= valueAt || bytes[bytes.length - 1] !== CLOSING_BRACE) return undefined;
  if (bytes.toString('latin1', 0, head.length) !== head || bytes.toString('latin1', head.length + HASH_LENGTH, valueAt) !== middle) return undefined;
  const text = bytes.subarray(valueAt, bytes.length - 1);
  if (createHash('sha1').update(text).digest('hex') !== bytes.toString('latin1', head.length, head.length + HASH_LENGTH)) return undefined;
  return text.toString(isAscii(text) ? 'latin1' : 'utf8');
}

/** Hex digits of a sha1 (contentHash). */
const HASH_LENGTH = 40;
const CLOSING_BRACE = 0x7d;

/** Saves a JSON value under `name` (read back by readStartupCache). */
export function writeStartupCache(name: string, value: unknown): void {
  writeStartupCacheText(name, JSON.stringify(value ?? null));
}

/**
 * Saves a text under `name` (read back by readStartupCacheText). It is written in ASCII (`\u`
 * escapes, so JSON in it stays JSON) and reads back as a one-byte string (see textOfEntry). A cache
 * dir that cannot be written only costs the work next time.
 */
export function writeStartupCacheText(given: string, text: string): void {
  const dir = startupCacheDir();
  const name = entryName(given);
  const file = join(dir, name);
  try {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: a process starting now reads all of it or nothing.
    const ascii = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    writeFileSync(`${file}.${process.pid}`, `{"name":${JSON.stringify(name)},"hash":"${contentHash(ascii)}","value":${ascii}}`);
    renameSync(`${file}.${process.pid}`, file);
    keepWithinBudget(dir, name);
  } catch {
    // a read-only cache dir
  }
}

/** Its modification time is when an entry was last used: the entries used least recently go first. */
function markUsed(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // a read-only cache dir: the entry ages as if unused
  }
}

/** How much the entries may hold: MOCKSTACK_CACHE_MAX_MB, else 256 MB. */
function budgetBytes(): number {
  const mb = Number(process.env.MOCKSTACK_CACHE_MAX_MB);
  return (process.env.MOCKSTACK_CACHE_MAX_MB && Number.isFinite(mb) && mb >= 0 ? mb : 256) * 1024 * 1024;
}

/**
 * Past its budget, removes the entries used least recently (never `written`, the one just saved) until
 * they hold three quarters of it: every changed contract or scenario leaves a new entry behind, and
 * a parsed OpenAPI document can weigh several MB. The CLI's code caches (`.v8`, a few per command,
 * see bin/mockstack.js) and folders are left alone.
 */
function keepWithinBudget(dir: string, written: string): void {
  const budget = budgetBytes();
  const entries: { file: string; size: number; usedAt: number }[] = [];
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.v8') || name === written) continue;
    const file = join(dir, name);
    try {
      const stat = statSync(file);
      if (!stat.isFile()) continue;
      entries.push({ file, size: stat.size, usedAt: stat.mtimeMs });
      total += stat.size;
    } catch {
      // removed meanwhile by another process
    }
  }
  if (total <= budget) return;
  entries.sort((a, b) => a.usedAt - b.usedAt);
  for (const { file, size } of entries) {
    if (total <= budget * 0.75) break;
    removeEntry(file);
    total -= size;
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
