// The .d.ts files of the published `mockstack` package (after bundle.mjs): the declarations of
// src/index.ts (what scenario files import) and src/testing.ts (mockstack/testing), with those of
// the @mockstack/* packages they reach rolled in (rollup-plugin-dts), so a user's TypeScript reads
// only these files and never compiles mockstack's sources. Declarations both entries use live in a
// shared chunk, so a scenario built with `mockstack` is the very type `startStack` takes.
// Written twice: .d.ts for ES module users and .d.cts for CommonJS ones (TypeScript reads a .d.ts
// of this "type": "module" package as an ES module, which a CommonJS file cannot require).
import { isAbsolute } from 'node:path';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const dist = new URL('./dist/', import.meta.url).pathname;
const bundle = await rollup({
  input: {
    index: new URL('./src/index.ts', import.meta.url).pathname,
    testing: new URL('./src/testing.ts', import.meta.url).pathname,
    msw: new URL('./src/msw.ts', import.meta.url).pathname,
    wiremock: new URL('./src/wiremock.ts', import.meta.url).pathname,
    mountebank: new URL('./src/mountebank.ts', import.meta.url).pathname,
  },
  // Rolled in: our packages (resolved to their built dist/*.d.ts, not to src: no custom condition).
  // Left as imports: libraries; below, only node's own modules may stay (a user's @types/node).
  external: (id) => !id.startsWith('@mockstack/') && !id.startsWith('.') && !isAbsolute(id),
  plugins: [
    dts({
      respectExternal: true,
      tsconfig: new URL('./tsconfig.json', import.meta.url).pathname,
      compilerOptions: { customConditions: [], declarationMap: false },
    }),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`bundle-types: ${warning.message}`);
    warn(warning);
  },
});
for (const extension of ['d.ts', 'd.cts']) {
  const { output } = await bundle.write({ dir: dist, format: 'es', entryFileNames: `[name].${extension}`, chunkFileNames: `types-[hash].${extension}` });
  for (const chunk of output) {
    // msw is the user's own (a peer dependency of mockstack/msw).
    const libraries =
      chunk.type === 'chunk' ? chunk.imports.filter((id) => !id.startsWith('node:') && id !== 'msw' && !output.some((o) => o.fileName === id)) : [];
    if (libraries.length) throw new Error(`bundle-types: ${chunk.fileName} imports ${libraries.join(', ')}, which a user does not install`);
  }
}
await bundle.close();
