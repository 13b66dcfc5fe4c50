import { createRequire } from 'node:module';
import { main } from '@mockstack/cli';

// This file runs bundled, from dist/cli/mockstack.cjs: the package's package.json is two folders up.
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

// No top-level await: bundle.mjs bundles this file as CommonJS.
void main(process.argv.slice(2), { version }).then((code) => {
  process.exitCode = code;
});
