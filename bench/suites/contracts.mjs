// Typed contracts: `mockstack check scenarios/checkout.ts` cold (a fresh process, as on every save
// in an editor hook or in CI) and `mockstack gen` for the example contracts (protos/, schemas/).
// Target: ≤ 3 s cold check. Run alone: `node bench/suites/contracts.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const bin = join(root, 'packages/mockstack/bin/mockstack.js');
const RUNS = 5;

function timed(args) {
  const started = performance.now();
  try {
    execFileSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'pipe', env: { ...process.env, NODE_OPTIONS: '' } });
  } catch (error) {
    if (args[0] !== '--help') throw new Error(`mockstack ${args.join(' ')} failed:\n${error.stdout}${error.stderr}`);
  }
  return performance.now() - started;
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
}

const ms = (n) => `${(n / 1000).toFixed(2)} s`;

export async function main() {
  const out = mkdtempSync(join(tmpdir(), 'mockstack-gen-'));
  try {
    timed(['gen']); // types up to date, so check measures checking only
    const node = summary(Array.from({ length: RUNS }, () => timed(['--help'])));
    const gen = summary(Array.from({ length: RUNS }, () => timed(['gen', '--out', out])));
    const check = summary(Array.from({ length: RUNS }, () => timed(['check', 'scenarios/checkout.ts'])));
    console.log('\ncontracts (fresh process each run, median of 5 [min–max])');
    console.log(`  mockstack --help (process floor)           ${ms(node.median)} [${ms(node.min)}–${ms(node.max)}]`);
    console.log(`  mockstack gen (2 protos, 1 SDL, 2 OpenAPI) ${ms(gen.median)} [${ms(gen.min)}–${ms(gen.max)}]`);
    console.log(
      `  mockstack check scenarios/checkout.ts      ${ms(check.median)} [${ms(check.min)}–${ms(check.max)}]  target ≤ 3.00 s ${check.median <= 3000 ? '✓' : '✗'}`,
    );
    return { gen, check };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
