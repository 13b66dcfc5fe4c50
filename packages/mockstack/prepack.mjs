// Before `npm pack` / `npm publish`: the repository's README and LICENSE go into the tarball
// (npm takes them from the package's own folder; here they are copies, ignored by git).
import { copyFileSync } from 'node:fs';

for (const file of ['README.md', 'LICENSE']) copyFileSync(new URL(`../../${file}`, import.meta.url), new URL(`./${file}`, import.meta.url));
