import { main } from '@mockstack/cli';

// No top-level await: bundle-cli.mjs bundles this file as CommonJS.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
