import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type RunningStack, runScenario } from '@mockstack/runner';

const dir = resolve(import.meta.dirname, '../fixtures', `.watch-${process.pid}`);
const file = resolve(dir, 'live.ts');
const version = (text: string, seed = 1) => `import { rest, scenario } from 'mockstack';
import { greeting } from './greeting.js';
export default scenario('live', { seed: ${seed}, state: () => ({ hits: 0 }) }).services({
  api: rest({}, [
    rest.get('/hello', { text: ${JSON.stringify(text)}, greeting }),
    rest.get('/hits', ({ state }) => ({ hits: ++state.hits })),
  ]),
});
`;

let running: RunningStack;
const reloads: { ok: boolean; error?: unknown; ms: number }[] = [];

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'greeting.ts'), "export const greeting = 'hi';\n");
  writeFileSync(file, version('one'));
  running = await runScenario(file, { watch: true, randomPorts: true, adminPort: false, onReload: (r) => reloads.push(r) });
});
afterAll(async () => {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string) => (await fetch(`${running.stack.address('api').url}${path}`)).json();

async function edit(path: string, text: string): Promise<{ ok: boolean; error?: unknown }> {
  const count = reloads.length;
  writeFileSync(path, text);
  for (let i = 0; i < 200 && reloads.length === count; i++) await new Promise((r) => setTimeout(r, 20));
  return reloads[reloads.length - 1] as { ok: boolean; error?: unknown };
}

test('an edit to the scenario or a file it imports is served without a restart, keeping state', async () => {
  expect(await get('/hits')).toEqual({ hits: 1 });
  expect((await edit(file, version('two'))).ok).toBe(true);
  expect(await get('/hello')).toEqual({ text: 'two', greeting: 'hi' });
  expect(await get('/hits')).toEqual({ hits: 2 });
  expect((await edit(resolve(dir, 'greeting.ts'), "export const greeting = 'hello';\n")).ok).toBe(true);
  expect(await get('/hello')).toEqual({ text: 'two', greeting: 'hello' });
});

test('a broken edit is reported and the last good version keeps serving', async () => {
  const result = await edit(file, version('three').replace('rest.get(', 'rest.get(('));
  expect(result.ok).toBe(false);
  expect(String((result.error as Error).message)).toMatch(/cannot load scenario/);
  expect(await get('/hello')).toEqual({ text: 'two', greeting: 'hello' });
});

test('a new seed starts state afresh', async () => {
  expect((await edit(file, version('four', 2))).ok).toBe(true);
  expect(await get('/hits')).toEqual({ hits: 1 });
});
