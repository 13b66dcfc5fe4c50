#!/usr/bin/env node
// Committed so npm links the `mockstack` bin on a fresh clone, before anything is built.
//
// Runs the CLI bundle (dist/cli/mockstack.cjs, built by bundle.mjs) from a V8 code cache:
// compiling the bundle's code is much of a cold start, and node 20 has no compile cache of its
// own. A run of a command without a cache compiles as usual and saves one when it exits well (in
// startupCacheDir(): node_modules/.cache/mockstack of the project, see packages/core/src/startup-cache.ts); later runs
// load that code instead (`npm run warm-up` in this repository fills the cache of `up` ahead, see
// bench/train-up-cache.mjs). A cache holds the code of the bundled modules its runs ran: a run that
// ran others (a first `up` served one REST service, a later one GraphQL and gRPC too) compiled them,
// and saves the cache again with them (see ranBeyondCache). The cache is
// named after the bundle's content (the hash bundle.mjs writes beside it, dist/cli/mockstack.cjs.id),
// not its path or modification time: a rebuild starts a new one, while a moved or copied install
// (another checkout path, a container layer) keeps using its cache. V8 itself refuses a cache from
// another node version (the run then compiles and saves again).
//
// Not a V8 startup snapshot (`node --snapshot-blob`, tried for issue 17 on node 20.20): node 20 cannot
// put http, https, http2 or tls in a user snapshot (V8 aborts: "global handle not serialized"), so
// fastify and grpc-js would need them stubbed at build and loaded at run time, where a process started
// from a user snapshot compiles node's own modules without their code cache; deserialising the
// evaluated bundle (a 15-17 MB blob) takes ~180 ms more than node's own snapshot; code first run after
// start is compiled with no cache; and the blob must be given to a node starting, i.e. a second
// process. Started directly from such a blob, checkout answered 1.22x later with 1.15-1.21x the CPU.
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
const CACHE_MAGIC = 'msv8';
const { script, compiled, cachedModulesJson } = compileBundle();
// The bundle lists the modules it ran in module.exports.modulesRun (see recordModulesRun in bundle.mjs).
const module = { exports: {} };
// Only after a run that went well: a run that failed early compiled too little to be worth keeping.
process.once('exit', (code) => {
  if (code !== 0) return;
  const modulesRun = module.exports.modulesRun ?? [];
  const cachedModules = compiled ? [] : parseModules(cachedModulesJson);
  if (!compiled && !ranBeyondCache(modulesRun, cachedModules)) return;
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: another mockstack starting now reads a whole cache or none.
    writeFileSync(`${cacheFile}.${process.pid}`, cacheFileBytes(script.createCachedData(), [...new Set([...cachedModules, ...modulesRun])]));
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
  let cachedModulesJson = '[]';
  try {
    ({ cachedData, cachedModulesJson } = readCacheFile(readFileSync(cacheFile)));
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
  return { script, compiled: cachedData === undefined || script.cachedDataRejected === true, cachedModulesJson };
}

/**
 * Whether this run ran bundled modules that none of the runs that saved its cache ran: their code
 * was compiled in this run, and would be in every later run like it. Telling costs ~1 ms at exit (a
 * set of a thousand paths); saving the cache costs ~100 ms, so it is done only then. (A module that
 * ran takes most of its code with it; code of a module first reached later, e.g. by a first request,
 * stays out until the cache is saved anew.)
 */
function ranBeyondCache(modulesRun, cachedModules) {
  const cached = new Set(cachedModules);
  return modulesRun.some((path) => !cached.has(path));
}

/**
 * A cache file: CACHE_MAGIC; the byte length of a JSON list of the modules its runs ran (uint32
 * LE); that list, padded with spaces to a multiple of 8 bytes, so that V8's data after it stays
 * aligned and is read in place; V8's cached data. A file without the magic (saved before it had
 * one) is handed to V8 as it is, with no module known to be in it, so it is saved again once.
 */
function cacheFileBytes(cachedData, modules) {
  const json = Buffer.from(JSON.stringify(modules));
  const header = Buffer.alloc(cacheHeaderBytes(json.length), ' ');
  header.write(CACHE_MAGIC, 0, 'latin1');
  header.writeUInt32LE(json.length, 4);
  json.copy(header, 8);
  return Buffer.concat([header, cachedData]);
}

function cacheHeaderBytes(listBytes) {
  return Math.ceil((8 + listBytes) / 8) * 8;
}

function readCacheFile(bytes) {
  if (bytes.length < 8 || bytes.toString('latin1', 0, CACHE_MAGIC.length) !== CACHE_MAGIC) return { cachedData: bytes, cachedModulesJson: '[]' };
  const jsonBytes = bytes.readUInt32LE(4);
  const dataStart = cacheHeaderBytes(jsonBytes);
  if (dataStart >= bytes.length) return { cachedData: undefined, cachedModulesJson: '[]' };
  return { cachedData: bytes.subarray(dataStart), cachedModulesJson: bytes.toString('utf8', 8, 8 + jsonBytes) };
}

/** The module list of a cache file; none when it is not one (a damaged file: V8 refused its data too, most likely). */
function parseModules(json) {
  try {
    const modules = JSON.parse(json);
    return Array.isArray(modules) ? modules.filter((path) => typeof path === 'string') : [];
  } catch {
    return [];
  }
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
