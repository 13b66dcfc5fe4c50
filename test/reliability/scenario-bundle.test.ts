import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadScenario } from '@mockstack/runner';
import { startStack } from '@mockstack/testing';
import { scratchDir, startCli } from './cli-process.js';

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

describe('the start-up cache of scenario bundles', () => {
  const cache = join(project.dir, 'bundle-cache');
  const before = process.env.MOCKSTACK_CACHE_DIR;
  beforeAll(() => {
    process.env.MOCKSTACK_CACHE_DIR = cache;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.MOCKSTACK_CACHE_DIR;
    else process.env.MOCKSTACK_CACHE_DIR = before;
  });
  const folder = join(project.dir, 'cached');
  const scenario = join(folder, 'cached.ts');
  /** The answer of the scenario's one rule, as loaded now. */
  const answer = async () => (await loadScenario(scenario)).definition.services.api?.rules[0]?.respond;
  /** The cache entry's inode: a saved entry is a new file renamed into place, one used as it was keeps its inode. */
  const entry = () => {
    const names = readdirSync(cache).filter((name) => name.startsWith('scenario-bundle-'));
    expect(names).toHaveLength(1);
    return statSync(join(cache, String(names[0]))).ino;
  };

  test('an unchanged scenario comes from the cache; an edited import, a new file an import now resolves to, or an edited tsconfig.json bundle again', async () => {
    mkdirSync(join(folder, 'answer'), { recursive: true });
    writeFileSync(join(folder, 'answer', 'index.ts'), 'export const answer = { from: "answer/index.ts" };\n');
    writeFileSync(
      scenario,
      `import { rest, scenario } from 'mockstack';
import { answer } from './answer';
export default scenario('cached').services({ api: rest({ port: 0 }, [rest.get('/answer', answer)]) });
`,
    );
    expect(await answer()).toEqual({ from: 'answer/index.ts' });
    const saved = entry();
    expect(await answer()).toEqual({ from: 'answer/index.ts' });
    expect(entry()).toBe(saved);

    writeFileSync(join(folder, 'answer', 'index.ts'), 'export const answer = { from: "answer/index.ts, edited" };\n');
    expect(await answer()).toEqual({ from: 'answer/index.ts, edited' });
    const edited = entry();
    expect(edited).not.toBe(saved);

    // `./answer` now resolves to answer.ts, a file no bundle has read yet.
    writeFileSync(join(folder, 'answer.ts'), 'export const answer = { from: "answer.ts" };\n');
    expect(await answer()).toEqual({ from: 'answer.ts' });
    const resolvedAnew = entry();
    expect(resolvedAnew).not.toBe(edited);

    writeFileSync(join(project.dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
    expect(await answer()).toEqual({ from: 'answer.ts' });
    expect(entry()).not.toBe(resolvedAnew);
  });

  test('a scenario that does not build is reported every time, cached or not', async () => {
    writeFileSync(scenario, "import { scenario } from 'mockstack';\nexport default scenario('broken'\n");
    await expect(loadScenario(scenario)).rejects.toThrow(/cannot load scenario/);
    await expect(loadScenario(scenario)).rejects.toThrow(/cannot load scenario/);
    writeFileSync(
      scenario,
      "import { rest, scenario } from 'mockstack';\nexport default scenario('fixed').services({ api: rest({ port: 0 }, [rest.get('/x', 1)]) });\n",
    );
    expect((await loadScenario(scenario)).definition.name).toBe('fixed');
  });
});

// `check` loads its scenarios at once. Source maps are on while a scenario module is imported (its rules
// then name its .ts lines); a load that ended first used to turn them off under one still importing.
test('scenarios loaded at once all import with source maps on, and they are as before once all have loaded', async () => {
  const seen = '__mockstackSourceMapsSeen';
  const write = (name: string, body: string) =>
    writeFileSync(
      join(scenarios, name),
      `import { rest, scenario } from 'mockstack';\n${body}\nexport default scenario('${name}').services({ api: rest({ port: 0 }, [rest.get('/x', {})]) });\n`,
    );
  write('quick.ts', `((globalThis as Record<string, unknown>).${seen} as boolean[]).push(process.sourceMapsEnabled);`);
  // Still importing (a top-level await) when quick.ts has long loaded.
  write(
    'slow.ts',
    `await new Promise((done) => setTimeout(done, 100));\n((globalThis as Record<string, unknown>).${seen} as boolean[]).push(process.sourceMapsEnabled);`,
  );
  const global = globalThis as Record<string, unknown>;
  const before = process.sourceMapsEnabled;
  try {
    // Loaded once first: their bundles come from the start-up cache, so each import starts in the order asked.
    global[seen] = [];
    await loadScenario(join(scenarios, 'quick.ts'));
    await loadScenario(join(scenarios, 'slow.ts'));
    global[seen] = [];
    const loads = [loadScenario(join(scenarios, 'quick.ts')), loadScenario(join(scenarios, 'slow.ts'))];
    expect((await Promise.all(loads)).map((loaded) => loaded.definition.name)).toEqual(['quick.ts', 'slow.ts']);
    expect(global[seen]).toEqual([true, true]);
    expect(process.sourceMapsEnabled).toBe(before);
  } finally {
    delete global[seen];
  }
});

test("a project whose node_modules is a symlink to a folder elsewhere (a CI cache, a shared install): each rule's file:line is the scenario's", async () => {
  // deps/node_modules holds the install; app/node_modules points there, as a restored CI cache does.
  const app = join(project.dir, 'app');
  const deps = join(project.dir, 'deps', 'node_modules');
  mkdirSync(join(app, 'scenarios'), { recursive: true });
  mkdirSync(deps, { recursive: true });
  symlinkSync(join(root, 'node_modules', 'mockstack'), join(deps, 'mockstack'), 'dir');
  symlinkSync(deps, join(app, 'node_modules'), 'dir');
  const file = join(app, 'scenarios', 'linked.ts');
  writeFileSync(
    file,
    `import { rest, scenario } from 'mockstack';\n\nexport default scenario('linked').services({\n  api: rest({ port: 0 }, [rest.get('/here', { ok: true })]),\n});\n`,
  );
  const up = await startCli(file);
  try {
    expect(await (await fetch(`${up.urls.api}/here`)).json()).toEqual({ ok: true });
    const rules = (await (await fetch(`${up.admin}/rules`)).json()) as { id: string; source: string }[];
    const [, shown, line] = /^(.*):(\d+):\d+$/.exec(rules[0]?.source ?? '') ?? [];
    // Shown relative to where mockstack runs (here the repository); before, it named deps/scenarios/linked.ts, a file that does not exist.
    expect([resolve(root, shown ?? ''), line]).toEqual([file, '4']);
  } finally {
    await up.stop();
  }
  // The bundle went to the real node_modules, and was removed.
  expect(readdirSync(join(deps, '.cache', 'mockstack', 'scenarios')).filter((name) => name.startsWith('.linked.ts.'))).toEqual([]);
});
