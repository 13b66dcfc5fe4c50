// Build step after `tsc`: bundles the CLI (dist/bin.js and every @mockstack package and library it
// imports) into one CommonJS file, dist/cli/mockstack.cjs, which bin/mockstack.js runs with a V8
// code cache.
//
// Why: `mockstack up` used to load ~950 files from node_modules at start (fastify alone pulls in
// semver's 48). Resolving, reading, scanning and compiling each one was most of the time to first
// answer. One file is read once, and its compiled code is cached between runs (bin/mockstack.js).
// What the CLI imports lazily (`await import(...)`: OpenAPI, GraphQL, gRPC, gen/check/init) is in
// the file but still runs only when needed.
//
// Only the CLI is bundled. Scenarios keep importing `mockstack` (dist/index.js, unbundled); the
// two copies of @mockstack/core agree because scenario objects are tagged with Symbol.for keys.
// test/cli.test.ts and test/init-cli.test.ts run the bundle.
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

/**
 * Left out of the bundle and required from node_modules at run time: esbuild runs its own binary,
 * found next to its JavaScript; ts-morph (with its TypeScript) is large and only `check`, `gen`
 * and `init` load it.
 */
const external = ['esbuild', 'ts-morph'];

/**
 * Packages whose files read data shipped next to them through `__dirname` (the gRPC health and
 * reflection services load their .proto files that way). They must be dependencies of this
 * package, so that an installed `mockstack` finds them (see installedDirname).
 */
const readsFilesNextToItself = ['@grpc/grpc-js', '@grpc/reflection', 'grpc-health-check'];

const { dependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const undeclared = [...external, ...readsFilesNextToItself].filter((name) => !(name in dependencies));
if (undeclared.length) throw new Error(`bundle-cli: add ${undeclared.join(', ')} to the dependencies of packages/mockstack/package.json`);

/**
 * A bundled library file's `__dirname` would be the bundle's folder. This gives each library file
 * that mentions it the folder it is installed in, found at run time through its package
 * (undefined when that cannot be found: the mention was a comment, or code we never run).
 */
const installedDirname = {
  name: 'installed-dirname',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async ({ path }) => {
      const contents = await readFile(path, 'utf8');
      if (!/\b__dirname\b/.test(contents)) return undefined;
      const { name, dir } = packageOf(path);
      const packageJson = JSON.stringify(`${name}/package.json`);
      const inside = JSON.stringify(relative(dir, dirname(path)));
      const line = `var __dirname = (() => { try { return require('node:path').join(require('node:path').dirname(require.resolve(${packageJson})), ${inside}); } catch {} })();`;
      return { contents: `${line}\n${contents}`, loader: 'js', resolveDir: dirname(path) };
    });
  },
};

/** The installed package a file belongs to: its name and folder. */
function packageOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (name) return { name, dir };
    } catch {
      // no package.json here: look further up
    }
  }
  throw new Error(`bundle-cli: ${file} belongs to no package`);
}

/**
 * The runner imports the scenario (an ES module) through its import-module.js. Code run from a V8
 * code cache cannot call import() on Node 20, so the bundle requires bin/import-module.cjs for it
 * instead, a file node compiles as usual. (Every other import() in the bundle becomes a require().)
 */
const importModuleOutside = {
  name: 'import-module-outside',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/import-module\.js$/ }, ({ importer }) =>
      /[\\/]runner[\\/]dist[\\/]/.test(importer) ? { path: '../../bin/import-module.cjs', external: true } : undefined,
    );
  },
};

const outfile = new URL('./dist/cli/mockstack.cjs', import.meta.url).pathname;
// The packages that read their own files must be found from where the bundle runs.
for (const name of readsFilesNextToItself) createRequire(outfile).resolve(`${name}/package.json`);

rmSync(dirname(outfile), { recursive: true, force: true });
await build({
  entryPoints: [new URL('./dist/bin.js', import.meta.url).pathname],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  external,
  plugins: [installedDirname, importModuleOutside],
  logLevel: 'warning',
});
