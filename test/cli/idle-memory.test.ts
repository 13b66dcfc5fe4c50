/**
 * `up` grows its young generation in one step under load (`growYoungGenerationAtOnce`) and gives the heap
 * that load made grow back once it is idle (`releaseMemoryWhenIdle`). Each case runs
 * in a process of its own: what is measured is that process's heap alone, and the low-memory collections
 * it asks for (through an in-process inspector session) are not made on the test runner's heap.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const child = resolve(import.meta.dirname, 'fixtures/idle-memory-child.mjs');

/** Runs one case of the child program and returns what it printed. */
function runCase<T>(name: string): Promise<T> {
  return new Promise((done, fail) =>
    execFile(process.execPath, [child, name], { env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) => {
      if (error) fail(new Error(`idle-memory child (${name}) failed: ${error.message}\n${stdout}${stderr}`));
      else done(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T);
    }),
  );
}

test('once idle, the heap that garbage made grow is given back', async () => {
  const { grown, heapBefore, heapAfter, now } = await runCase<{ grown: number; heapBefore: number; heapAfter: number; now: number }>('grown');
  expect(heapBefore).toBeGreaterThanOrEqual(grown * 0.5);
  expect(heapAfter).toBeLessThan(heapBefore);
  expect(now).toBeLessThan(grown);
});

test('nothing is collected while the event loop is busy; once it is idle again, it is', async () => {
  expect(await runCase('busy')).toEqual({ whileBusy: 0, afterwards: 1 });
});

test('after a release, an idle process is left alone until its heap grows again by the threshold', async () => {
  expect(await runCase('threshold')).toEqual({ whileIdle: 1, afterGrowth: 2 });
});

test('load that comes back soon after a release makes the next one wait twice as long; after a long quiet, one interval again', async () => {
  expect(await runCase('backoff')).toEqual([20, 40, 80, 20]);
});

test('under load that keeps objects alive, the young generation reaches its full size in a step or two, not in doublings', async () => {
  const doubling = await runCase<number[]>('doubling');
  const atOnce = await runCase<number[]>('atOnce');
  expect(atOnce.at(-1)).toBe(doubling.at(-1));
  expect(atOnce.length).toBeLessThanOrEqual(3);
  expect(doubling.length).toBeGreaterThan(atOnce.length);
});
