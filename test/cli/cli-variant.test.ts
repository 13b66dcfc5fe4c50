import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { fault, rest, scenario } from 'mockstack';

// `mockstack variant` against a running stack's admin API: lists with no names, --off, --add, --remove.
const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');

const shop = scenario('cli-variant')
  .services({ shop: rest({}, [rest.get('/ping', { ok: true })]) })
  .variants({ 'shop-down': { shop: fault.unavailable('down') }, 'shop-slow': { shop: { delay: '1ms' } }, 'shop-teapot': { shop: fault.unavailable('tea') } });

let running: RunningStack;
let admin: string;

beforeAll(async () => {
  running = await runScenario(shop, { randomPorts: true, adminPort: 0 });
  admin = running.admin?.url ?? '';
});
afterAll(() => running.close());

function variant(...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [bin, 'variant', ...args, '--admin', admin], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((done) => child.once('close', (code) => done({ code, output })));
}

test('with no names it lists the variants, the active ones marked, and changes nothing', async () => {
  running.stack.engine.setVariants(['shop-slow']);
  expect(await variant()).toEqual({ code: 0, output: 'active variants: shop-slow\n  ○ shop-down\n  ● shop-slow\n  ○ shop-teapot\n' });
  expect(running.stack.engine.variants).toEqual(['shop-slow']);
});

test('names set exactly those; --add and --remove change one; --off turns all off', async () => {
  expect((await variant('shop-down')).output).toMatch(/^active variants: shop-down\n/);
  expect((await fetch(`${running.stack.address('shop').url}/ping`)).status).toBe(503);
  expect((await variant('--add', 'shop-slow')).output).toMatch(/^active variants: shop-down, shop-slow\n/);
  expect((await variant('--remove', 'shop-down')).output).toMatch(/^active variants: shop-slow\n/);
  expect(await variant('--off')).toMatchObject({ code: 0, output: expect.stringMatching(/^active variants: \(none\)\n/) });
  expect(running.stack.engine.variants).toEqual([]);
  expect((await fetch(`${running.stack.address('shop').url}/ping`)).status).toBe(200);
});

test('an unknown name or mixed ways are one-line errors, and nothing changes', async () => {
  running.stack.engine.setVariants(['shop-slow']);
  expect(await variant('--add', 'shop-dwn')).toEqual({
    code: 1,
    output: 'unknown variant "shop-dwn"; the stack has "shop-down", "shop-slow", "shop-teapot"\n',
  });
  expect(await variant('shop-down', '--off')).toMatchObject({
    code: 1,
    output: expect.stringMatching(/^give variant names, or --off, or --add\/--remove, not several/),
  });
  expect(running.stack.engine.variants).toEqual(['shop-slow']);
  expect((await fetch(`${running.stack.address('shop').url}/ping`)).status).toBe(200);
});
