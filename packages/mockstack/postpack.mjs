// After `npm pack` / `npm publish`: the repository's package.json back in place (see prepack.mjs).
import { existsSync, renameSync } from 'node:fs';

const repository = new URL('./package.json.repo', import.meta.url);
if (existsSync(repository)) renameSync(repository, new URL('./package.json', import.meta.url));
