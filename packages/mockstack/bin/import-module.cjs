// The CLI bundle's import() of a scenario module (it replaces packages/runner/src/import-module.ts;
// see bundle-cli.mjs). A file of its own, compiled by node as usual: code that runs from a V8 code
// cache cannot call import() on Node 20.
exports.importModule = (url) => import(url);
