/**
 * Imports an ES module by URL (the scenario, bundled to a temporary .mjs).
 *
 * Its own module because the CLI bundle swaps it for packages/mockstack/bin/import-module.cjs
 * (see packages/mockstack/bundle.mjs): the bundle runs from a V8 code cache, and on Node 20
 * code compiled with a code cache cannot call import() itself.
 */
export function importModule(url: string): Promise<{ default?: unknown }> {
  return import(url);
}
