// Build step after `tsc`: bundles the CLI (dist/bin.js and every @mockstack package and library
// it imports) into dist/cli/, which bin/mockstack.js runs.
//
// Why: `mockstack up` used to load ~950 files from node_modules at start (fastify alone pulls in
// semver's 48). Resolving, reading and compiling each one, and for CommonJS imported from ESM also
// scanning it for its exports, was a large part of the time to first answer. A bundle is a
// handful of files. Code the CLI imports lazily (`await import(...)`: OpenAPI, GraphQL, gRPC,
// gen/check/init) becomes chunks of its own, still loaded only when needed.
//
// Pitfall: bundled, `await import('a-commonjs-library')` gives only `default`, not its named
// exports. Import such a library statically in a module of our own and load that module lazily
// (packages/openapi/src/yaml.ts). test/cli.test.ts and test/init-cli.test.ts run the bundle.
//
// Only the CLI is bundled. Scenarios keep importing `mockstack` (dist/index.js, unbundled); the
// two copies of @mockstack/core agree because scenario objects are tagged with Symbol.for keys.
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

/**
 * Left out of the bundle and imported from node_modules at run time: esbuild runs its own binary,
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
 * A bundled CommonJS file's `__dirname` would be undefined (the bundle is an ES module) or, if
 * defined, the bundle's folder. This gives each library file that mentions it the folder it is
 * installed in, found at run time through its package (undefined when that cannot be found: the
 * mention was a comment, or code we never run).
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

const outdir = new URL('./dist/cli/', import.meta.url).pathname;
// The packages that read their own files must be found from where the bundle runs.
for (const name of readsFilesNextToItself) createRequire(outdir).resolve(`${name}/package.json`);

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { bin: new URL('./dist/bin.js', import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [installedDirname],
  // Bundled CommonJS libraries call require() for node's own modules; an ES module has none.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
});
