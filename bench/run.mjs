// `npm run bench`: every benchmark, each against a baseline measured in the same run.
// Not part of `npm test`. Figures are ratios; this machine is shared and noisy.
import { existsSync } from 'node:fs';
import { benchColdStart, printColdStart } from './suites/cold-start.mjs';
import { benchRest, printRest } from './suites/rest.mjs';
import { benchScale, printScale } from './suites/scale.mjs';

console.log(`mockstack bench · node ${process.version} · ${new Date().toISOString()}`);
printRest(await benchRest());
printScale(await benchScale());
printColdStart(await benchColdStart());

for (const name of ['graphql', 'grpc', 'openapi', 'openapi-github', 'big-contracts', 'contracts', 'tls', 'store', 'checkout-memory']) {
  const script = new URL(`./suites/${name}.mjs`, import.meta.url);
  if (!existsSync(script)) continue;
  const mod = await import(script.href);
  if (typeof mod.main === 'function') await mod.main();
}
