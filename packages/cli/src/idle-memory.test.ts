import { getHeapStatistics } from 'node:v8';
import { releaseMemoryWhenIdle } from './idle-memory.js';

/** Leaves garbage behind: objects made and dropped, as requests leave theirs. */
function makeGarbage(objects: number): void {
  let kept: { n: number; text: string }[] = [];
  for (let n = 0; n < objects; n++) {
    kept.push({ n, text: `request ${n}` });
    if (kept.length === 50_000) kept = [];
  }
}

/** The next release `releaseMemoryWhenIdle` makes (checking every 20 ms), and its stop function. */
async function nextRelease(minGrowthBytes = 1): Promise<{ release: Promise<{ heapBefore: number; heapAfter: number }>; stop: () => void }> {
  let onRelease: (release: { heapBefore: number; heapAfter: number }) => void = () => {};
  const release = new Promise<{ heapBefore: number; heapAfter: number }>((resolve) => {
    onRelease = resolve;
  });
  const stop = await releaseMemoryWhenIdle({ checkEveryMs: 20, minGrowthBytes, onRelease });
  return { release, stop };
}

test('once idle, the heap that garbage made grow is given back', async () => {
  const { release, stop } = await nextRelease();
  makeGarbage(1_000_000);
  const grown = getHeapStatistics().total_heap_size;
  try {
    const { heapBefore, heapAfter } = await release;
    expect(heapBefore).toBeGreaterThanOrEqual(grown * 0.5);
    expect(heapAfter).toBeLessThan(heapBefore);
    expect(getHeapStatistics().total_heap_size).toBeLessThan(grown);
  } finally {
    stop();
  }
});

test('nothing is collected while the event loop is busy; once it is idle again, it is', async () => {
  const { release, stop } = await nextRelease();
  let released = false;
  void release.then(() => {
    released = true;
  });
  try {
    // Busy for several check intervals: work in every turn of the event loop, making garbage.
    const busyUntil = performance.now() + 300;
    await new Promise<void>((done) => {
      const work = (): void => {
        makeGarbage(2000);
        if (released || performance.now() >= busyUntil) done();
        else setImmediate(work);
      };
      work();
    });
    expect(released).toBe(false);
    await release;
  } finally {
    stop();
  }
});

test('after a release, an idle process is left alone until its heap grows again by the threshold', async () => {
  const releases: { heapBefore: number; heapAfter: number }[] = [];
  const stop = await releaseMemoryWhenIdle({ checkEveryMs: 20, minGrowthBytes: 4 * 1024 * 1024, onRelease: (r) => releases.push(r) });
  try {
    makeGarbage(1_000_000);
    while (releases.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    // Idle for many check intervals: nothing grew, nothing to give back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(releases).toHaveLength(1);
    makeGarbage(1_000_000);
    while (releases.length === 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(releases).toHaveLength(2);
  } finally {
    stop();
  }
});
