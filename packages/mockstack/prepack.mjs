// Before `npm pack` / `npm publish` (postpack.mjs undoes it after):
// - the repository's README and LICENSE go into the tarball (npm takes them from the package's own
//   folder; here they are copies, ignored by git);
// - package.json becomes the one a user installs: without the `@mockstack/source` export condition
//   (it points at src/, which the tarball does not hold: a user's bundler or tsc given that
//   condition would fail), the workspace devDependencies (unpublished @mockstack/* packages) and the
//   scripts (they run files the tarball does not hold). The repository's own package.json is kept in
//   package.json.repo until postpack puts it back; npm packs package.json as it is on disk after this.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const here = (file) => new URL(`./${file}`, import.meta.url);
for (const file of ['README.md', 'LICENSE']) copyFileSync(new URL(`../../${file}`, import.meta.url), here(file));

// A pack that died before postpack left the repository's package.json aside: start from it again.
if (existsSync(here('package.json.repo'))) copyFileSync(here('package.json.repo'), here('package.json'));
const repository = readFileSync(here('package.json'), 'utf8');
writeFileSync(here('package.json.repo'), repository);

/** `exports` without the development-only condition, at any depth. */
function withoutSourceCondition(value) {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '@mockstack/source')
      .map(([key, inner]) => [key, withoutSourceCondition(inner)]),
  );
}
const { devDependencies, scripts, ...published } = JSON.parse(repository);
published.exports = withoutSourceCondition(published.exports);
writeFileSync(here('package.json'), `${JSON.stringify(published, null, 2)}\n`);
