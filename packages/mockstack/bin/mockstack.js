#!/usr/bin/env node
// Committed so npm links the `mockstack` bin on a fresh clone, before anything is built.
// dist/cli/ is the CLI bundled by bundle-cli.mjs (the build's last step): it starts faster.
import('../dist/cli/bin.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/dist/')) {
    console.error('mockstack is not built yet: run `npm install` (it builds) or `npm run build` at the repository root.');
    process.exit(1);
  }
  throw error;
});
