#!/usr/bin/env node
// Committed so npm links the `mockstack` bin on a fresh clone, before anything is built.
//
// Runs the CLI bundle (dist/cli/mockstack.cjs, built by bundle.mjs) from a V8 code cache:
// compiling the bundle's code is much of a cold start, and node 20 has no compile cache of its
// own. A run of a command without a cache compiles as usual and saves one when it exits well (in
// startupCacheDir(): node_modules/.cache/mockstack of the project, see packages/core/src/startup-cache.ts); later runs
// load that code instead (`npm run warm-up` in this repository fills the cache of `up` ahead, see
// bench/train-up-cache.mjs). The cache is
// named after the bundle's size and modification time, so a rebuild starts a new one, and V8
// itself refuses a cache from another node version (the run then compiles and saves again).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/cli/mockstack.cjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('mockstack is not built yet: run `npm install` (it builds) or `npm run build` at the repository root.');
  process.exit(1);
}
const { startupCacheDir } = await import('../dist/cli/startup-cache.js');

const { size, mtimeMs } = statSync(bundle);
const command = /^[a-z]+$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
const cacheDir = startupCacheDir();
// One cache per command and installed bundle; a new build replaces that bundle's older caches.
const cachePrefix = `cli-${command}-${createHash('sha1').update(bundle).digest('hex').slice(0, 8)}-`;
const cacheFile = join(cacheDir, `${cachePrefix}${size}-${Math.round(mtimeMs)}.v8`);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // no cache yet: this run compiles and saves one
}

// Run as node runs a CommonJS module: a function of exports, require, module, __filename, __dirname.
const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`;
const script = new Script(source, { filename: bundle, cachedData });
if (cachedData === undefined || script.cachedDataRejected) {
  // Only after a run that went well: a run that failed early compiled too little to be worth keeping.
  process.once('exit', (code) => {
    if (code !== 0) return;
    try {
      mkdirSync(cacheDir, { recursive: true });
      // Written aside and renamed: another mockstack starting now reads a whole cache or none.
      writeFileSync(`${cacheFile}.${process.pid}`, script.createCachedData());
      renameSync(`${cacheFile}.${process.pid}`, cacheFile);
      for (const old of readdirSync(cacheDir)) if (old.startsWith(cachePrefix) && old !== basename(cacheFile)) rmSync(join(cacheDir, old), { force: true });
    } catch {
      // a read-only cache dir only costs the compile next time
    }
  });
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
