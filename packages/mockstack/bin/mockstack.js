#!/usr/bin/env node
// Committed so npm links the `mockstack` bin on a fresh clone, before anything is built.
//
// Runs the CLI bundle (dist/cli/mockstack.cjs, built by bundle.mjs) from a V8 code cache:
// compiling the bundle's code is much of a cold start, and node 20 has no compile cache of its
// own. A run of a command without a cache compiles as usual and saves one when it exits well (in
// startupCacheDir(): node_modules/.cache/mockstack of the project, see packages/core/src/startup-cache.ts); later runs
// load that code instead (`npm run warm-up` in this repository fills the cache of `up` ahead, see
// bench/train-up-cache.mjs). The cache is
// named after the bundle's content (the hash bundle.mjs writes beside it, dist/cli/mockstack.cjs.id),
// not its path or modification time: a rebuild starts a new one, while a moved or copied install
// (another checkout path, a container layer) keeps using its cache. V8 itself refuses a cache from
// another node version (the run then compiles and saves again).
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

const command = /^[a-z]+$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
const cacheDir = startupCacheDir();
// One cache per command and bundle content; saving one drops all but the newest few of the command
// (other builds, or other installs sharing a MOCKSTACK_CACHE_DIR, keep theirs for a while).
const cachePrefix = `cli-${command}-`;
const cacheFile = join(cacheDir, `${cachePrefix}${bundleId()}.v8`);
const KEPT_CACHES = 3;
const { script, compiled } = compileBundle();
if (compiled) {
  // Only after a run that went well: a run that failed early compiled too little to be worth keeping.
  process.once('exit', (code) => {
    if (code !== 0) return;
    try {
      mkdirSync(cacheDir, { recursive: true });
      // Written aside and renamed: another mockstack starting now reads a whole cache or none.
      writeFileSync(`${cacheFile}.${process.pid}`, script.createCachedData());
      renameSync(`${cacheFile}.${process.pid}`, cacheFile);
      const others = readdirSync(cacheDir)
        .filter((name) => name.startsWith(cachePrefix) && name.endsWith('.v8') && name !== basename(cacheFile))
        .map((name) => ({ name, mtimeMs: statSync(join(cacheDir, name)).mtimeMs }))
        .sort((a, b) => b.mtimeMs - a.mtimeMs);
      for (const { name } of others.slice(KEPT_CACHES - 1)) rmSync(join(cacheDir, name), { force: true });
    } catch {
      // a read-only cache dir only costs the compile next time
    }
  });
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));

/**
 * The bundle as a script run as node runs a CommonJS module (a function of exports, require, module,
 * __filename, __dirname), from the code cache when there is one; `compiled` when it was compiled anew.
 * bundle.mjs writes it so wrapped and in ASCII: its bytes are decoded once, one byte a character, and
 * handed to V8 as they are (a concatenated string is flattened into a second copy that stays until a
 * full GC). A bundle from before it came wrapped is wrapped here, as one buffer. Nothing read here
 * outlives the call but the script, which holds its source.
 */
function compileBundle() {
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache yet: this run compiles and saves one
  }
  const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
  const body = readFileSync(bundle);
  // A wrapped bundle is ASCII (bundle.mjs escapes the rest): decoded as latin1 without scanning it first.
  const source = body.subarray(0, WRAPPER.length).equals(Buffer.from(WRAPPER))
    ? body.toString('latin1')
    : Buffer.concat([Buffer.from(WRAPPER), body, Buffer.from('\n})')]).toString('utf8');
  const script = new Script(source, { filename: bundle, cachedData });
  return { script, compiled: cachedData === undefined || script.cachedDataRejected === true };
}

/**
 * What names the bundle's code cache: the content hash bundle.mjs saved beside it; for a bundle built
 * without one, its size and modification time (hashing 8 MB on every start would cost more than it saves).
 */
function bundleId() {
  try {
    const id = readFileSync(`${bundle}.id`, 'utf8').trim();
    if (/^[0-9a-f]{8,64}$/.test(id)) return id;
  } catch {
    // an older build: no id file
  }
  const { size, mtimeMs } = statSync(bundle);
  return `${createHash('sha1').update(bundle).digest('hex').slice(0, 8)}-${size}-${Math.round(mtimeMs)}`;
}
