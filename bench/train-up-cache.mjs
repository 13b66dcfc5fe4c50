// `npm run warm-up` (opt-in, after the build): fills the V8 code cache of `mockstack up` ahead.
//
// Why: bin/mockstack.js saves a command's compiled code after its first run, so without this the
// first `up` after a build compiles the whole CLI bundle on its way to the first answer. It is not
// part of `npm install`: an install binds no port and starts no stack. Here the example stack runs once with one request per
// service, as a user's first `up` would (so the request path is compiled too), and stops; its code
// cache is copied into the project's start-up cache. The cache holds only mockstack's own code,
// which any scenario runs. The OpenAPI entries that run writes belong to one document (a check
// that document passed), so it writes them to a scratch dir that is dropped: a user's own document,
// and the bench, get no head start from them.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startupCacheDir } from '@mockstack/core/startup-cache';
import { mockstackOnce, probes } from './suites/cold-start.mjs';

const target = startupCacheDir();
const scratch = mkdtempSync(join(tmpdir(), 'mockstack-train-'));
try {
  await mockstackOnce(probes.checkout, undefined, { MOCKSTACK_CACHE_DIR: scratch });
  const [trained] = readdirSync(scratch).filter((name) => name.startsWith('cli-up-'));
  if (!trained) throw new Error('the run saved no code cache');
  mkdirSync(target, { recursive: true });
  // Copied aside and renamed, as bin/mockstack.js saves it (which also drops old caches when it saves one).
  copyFileSync(join(scratch, trained), join(target, `${trained}.${process.pid}`));
  renameSync(join(target, `${trained}.${process.pid}`), join(target, trained));
} catch (error) {
  // Never fails the install: without the cache the first `up` is only slower.
  console.warn(`mockstack: the code cache of \`up\` was not filled (${error.message}); the first mockstack up compiles instead.`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
