import { main } from '@mockstack/cli';

// No top-level await: bundle-cli.mjs bundles this file as CommonJS.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Done: a timer or socket left behind by a scenario's handler must not keep the process (and its
  // ports' owner, from a supervisor's view) alive. Unref'd, so a clean exit does not wait for it.
  setTimeout(() => process.exit(code), 1000).unref();
});
