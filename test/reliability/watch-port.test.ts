import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { accepts } from './cli-process.js';

const dir = resolve(import.meta.dirname, 'fixtures', `.watch-port-${process.pid}`);
const file = resolve(dir, 'moving.ts');
const version = (port: number, text: string) => `import { rest, scenario } from 'mockstack';
export default scenario('moving').services({ api: rest({ port: ${port} }, [rest.get('/hello', { text: ${JSON.stringify(text)} })]) });
`;

/** A port that was free a moment ago (the OS hands out another one next). */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let running: RunningStack;
const reloads: { ok: boolean; error?: unknown }[] = [];
beforeAll(() => mkdirSync(dir, { recursive: true }));
afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function edit(text: string): Promise<{ ok: boolean; error?: unknown }> {
  const count = reloads.length;
  writeFileSync(file, text);
  for (let i = 0; i < 250 && reloads.length === count; i++) await new Promise((r) => setTimeout(r, 20));
  return reloads[reloads.length - 1] as { ok: boolean; error?: unknown };
}

test('--watch rebinds a service whose port changed in the scenario', async () => {
  const first = await freePort();
  writeFileSync(file, version(first, 'one'));
  running = await runScenario(file, { watch: true, adminPort: false, onReload: (r) => reloads.push(r) });
  expect(running.stack.address('api').port).toBe(first);

  const second = await freePort();
  expect((await edit(version(second, 'two'))).ok).toBe(true);
  expect(running.stack.address('api').port).toBe(second);
  expect(await (await fetch(`http://127.0.0.1:${second}/hello`)).json()).toEqual({ text: 'two' });
  expect(await accepts(first)).toBe(false);
});
