import { createRequire } from 'node:module';
import { main } from '@mockstack/cli';

// This file runs bundled, from dist/cli/mockstack.cjs: the package's package.json is two folders up.
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

// No top-level await: bundle.mjs bundles this file as CommonJS.
void main(process.argv.slice(2), { version }).then((code) => {
  process.exitCode = code;
  // Done: a timer or socket left behind by a scenario's handler must not keep the process (and its
  // ports' owner, from a supervisor's view) alive. Unref'd, so a clean exit does not wait for it.
  setTimeout(() => process.exit(code), 1000).unref();
});
