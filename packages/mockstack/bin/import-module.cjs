// The bundles' import() of a scenario module (it replaces packages/runner/src/import-module.ts;
// see bundle.mjs). A file of its own, compiled by node as usual: code that runs from a V8 code
// cache cannot call import() on Node 20.
//
// jest in its default CommonJS mode (ts-jest, babel-jest) runs code that cannot call import()
// either. There the scenario, which the runner has bundled into one ES module file, is turned into
// CommonJS and required through jest's own require, so its `import … from 'mockstack'` gets
// mockstack's CommonJS build (dist/index.cjs).
const { rmSync, writeFileSync } = require('node:fs');
const { fileURLToPath } = require('node:url');

exports.importModule = async (url) => {
  try {
    return await import(url);
  } catch (error) {
    if (!importUnavailable(error)) throw error;
    return requireAsCommonJs(fileURLToPath(url));
  }
};

/** Node's ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING(_FLAG), or jest's own words for it. */
function importUnavailable(error) {
  const code = String(error?.code ?? '');
  return code.startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') || /supports ES Modules in the VM API/.test(String(error?.message));
}

function requireAsCommonJs(file) {
  const { buildSync } = require('esbuild');
  const commonJs = file.replace(/\.mjs$/, '.cjs');
  const [output] = buildSync({
    entryPoints: [file],
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    outfile: commonJs,
    logLevel: 'silent',
  }).outputFiles;
  writeFileSync(commonJs, output.text);
  try {
    return require(commonJs);
  } finally {
    rmSync(commonJs, { force: true });
  }
}
