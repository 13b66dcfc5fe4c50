import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Where mockstack keeps start-up work it can reuse (the CLI's V8 code cache; parsed OpenAPI
 * documents and passed spec checks, see startupCacheDir() in packages/openapi/src/startup-cache.ts,
 * which finds the same place): MOCKSTACK_CACHE_DIR; else node_modules/.cache/mockstack in the
 * nearest folder up from the working directory that has a node_modules, so the cache belongs to
 * that install (`npm install` fills it, deleting node_modules clears it); else the OS temp dir.
 */
export function startupCacheDir(from = process.cwd()) {
  if (process.env.MOCKSTACK_CACHE_DIR) return process.env.MOCKSTACK_CACHE_DIR;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'mockstack');
    if (dir === dirname(dir)) return join(tmpdir(), 'mockstack-cache');
  }
}
