/**
 * `mockstack gen` and `mockstack check`: loaded only by those commands, so `up` never pays for
 * ts-morph.
 */
import { resolve } from 'node:path';
import { check, formatJson, formatJunit, formatText, generate, isStale } from '@mockstack/contracts';
import { MockstackError } from '@mockstack/core';

export async function runGen(options: { root: string; out?: string; includeDir?: string[]; lenient?: boolean }): Promise<number> {
  const started = performance.now();
  try {
    const result = await generate({ root: resolve(options.root), outDir: options.out, includeDirs: options.includeDir, lenient: options.lenient });
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    const ms = (performance.now() - started).toFixed(0);
    console.log(`${result.written ? 'wrote' : 'unchanged'} ${result.file} from ${result.contracts.length} contract(s) in ${ms} ms`);
    return 0;
  } catch (error) {
    console.error(error instanceof MockstackError ? error.message : error);
    return 1;
  }
}

export async function runCheck(files: string[], options: { format: string; root: string; lenient?: boolean }): Promise<number> {
  if (!['text', 'json', 'junit'].includes(options.format)) {
    console.error(`--format ${options.format} is not one of text, json, junit`);
    return 2;
  }
  const started = performance.now();
  const result = await check(files, { root: resolve(options.root), lenient: options.lenient });
  for (const warning of result.warnings) console.error(`warning: ${warning}`);
  if (options.format === 'json') console.log(formatJson(result));
  else if (options.format === 'junit') process.stdout.write(formatJunit(result));
  else if (result.problems.length) console.log(formatText(result.problems));
  else console.log(`✓ ${result.files.length} scenario(s) match their contracts (${(performance.now() - started).toFixed(0)} ms)`);
  if (options.format === 'text' && result.problems.length) console.log(`\n${result.problems.length} problem(s)`);
  return result.problems.length ? 1 : 0;
}

/** Regenerates the contract types when a contract is newer (for `up`); a contract that does not load is left to the adapters to report. */
export async function regenerateIfStale(warn: (message: string) => void, lenient?: boolean): Promise<void> {
  if (!isStale()) return;
  try {
    const result = await generate({ lenient });
    for (const warning of result.warnings) warn(warning);
    warn(`contract types regenerated: ${result.file}`);
  } catch (error) {
    warn(`contract types not regenerated: ${error instanceof Error ? error.message : String(error)}`);
  }
}
