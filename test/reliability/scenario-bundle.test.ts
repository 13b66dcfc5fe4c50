import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadScenario } from '@mockstack/runner';
import { startStack } from '@mockstack/testing';
import { scratchDir } from './cli-process.js';

const root = resolve(import.meta.dirname, '../..');
const project = scratchDir();
afterAll(() => project.remove());

// A user's project: its scenarios folder, and node_modules where `mockstack` is installed.
const scenarios = join(project.dir, 'scenarios');
mkdirSync(scenarios);
symlinkSync(join(root, 'node_modules'), join(project.dir, 'node_modules'), 'dir');
const bundles = join(project.dir, 'node_modules', '.cache', 'mockstack', 'scenarios');
writeFileSync(
  join(scenarios, 'shop.ts'),
  `import { rest, scenario } from 'mockstack';
export default scenario('shop').services({ api: rest({ port: 0 }, [rest.get('/here', { dir: import.meta.dirname })]) });
`,
);

/** What kill -9 during a start-up leaves: a bundle named after a process that is gone. */
const DEAD_PID = 2147483646;

test('the bundle is written under node_modules/.cache, not in the scenarios folder; bare imports and import.meta still work', async () => {
  const stack = await startStack(join(scenarios, 'shop.ts'));
  try {
    expect(await (await fetch(`${stack.url('api')}/here`)).json()).toEqual({ dir: scenarios });
  } finally {
    await stack.close();
  }
  expect(readdirSync(scenarios)).toEqual(['shop.ts']);
  expect(readdirSync(bundles).filter((name) => name.startsWith('.shop.ts.'))).toEqual([]);
});

test('bundles left by a killed process are removed at the next start, there and in the scenarios folder', async () => {
  mkdirSync(bundles, { recursive: true });
  const stale = [join(bundles, `.shop.ts.${DEAD_PID}.1.mjs`), join(scenarios, `.shop.ts.${DEAD_PID}.3.mjs`)];
  for (const file of stale) writeFileSync(file, 'export default 1;\n');
  // A file of the user's that only looks alike is left alone.
  writeFileSync(join(scenarios, `notes.${DEAD_PID}.1.mjs`), '');
  const live = join(bundles, `.shop.ts.${process.pid}.999.mjs`);
  writeFileSync(live, '');

  const loaded = await loadScenario(join(scenarios, 'shop.ts'));
  expect(loaded.definition.name).toBe('shop');
  for (const file of stale) expect(existsSync(file)).toBe(false);
  expect(existsSync(join(scenarios, `notes.${DEAD_PID}.1.mjs`))).toBe(true);
  // this process's own bundles are its business
  expect(existsSync(live)).toBe(true);
  rmSync(live);
});
