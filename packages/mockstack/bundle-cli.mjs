// Build step after `tsc`: bundles the CLI (dist/bin.js and every @mockstack package and library
// it imports) into dist/cli/, which bin/mockstack.js runs.
//
// Why: `mockstack up` used to load ~950 files from node_modules at start (fastify alone pulls in
// semver's 48). Resolving, reading and compiling each one was a large part of the time to first
// answer. A bundle is a handful of files. Code the CLI imports lazily (`await import(...)`:
// OpenAPI, GraphQL, gRPC, gen/check) becomes chunks of its own, still loaded only when needed.
//
// Pitfall: bundled, `await import('a-commonjs-library')` gives only `default`, not its named
// exports. Import such a library statically in a module of our own and load that module lazily
// (packages/openapi/src/yaml.ts). test/cli.test.ts and test/init-cli.test.ts run the bundle.
//
// Only the CLI is bundled. Scenarios keep importing `mockstack` (dist/index.js, unbundled); the
// two copies of @mockstack/core agree because scenario objects are tagged with Symbol.for keys.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * Left out of the bundle and imported from node_modules at run time, because bundled they would
 * break or only cost: each reads files next to its own code (gRPC's .proto files via __dirname,
 * pino's worker, esbuild's binary), or is large and loaded only by `check`/`gen`/`init` (ts-morph).
 * protobufjs is shared with @grpc/proto-loader, so it stays external with it (one copy).
 */
const external = [
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  '@grpc/reflection',
  'grpc-health-check',
  'protobufjs',
  'pino',
  'esbuild',
  'ts-morph',
];

// An external must be a dependency of this package, or an installed `mockstack` could not find it.
const { dependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const undeclared = external.filter((name) => !(name in dependencies));
if (undeclared.length) throw new Error(`bundle-cli: add ${undeclared.join(', ')} to the dependencies of packages/mockstack/package.json`);

const outdir = new URL('./dist/cli/', import.meta.url).pathname;
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
  // Bundled CommonJS libraries call require() for node's own modules; an ES module has none.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
});
