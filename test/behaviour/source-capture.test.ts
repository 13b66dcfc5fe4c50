// (In test/: frames from packages/core/src are mockstack's own, which captureSource skips.)
import { captureSource, firstUserFrame } from '@mockstack/core';

// captureSource first reads a short stack (each frame costs a source-map lookup); an author's line
// deeper than that is still found, from the whole stack.
test('captureSource names the calling line, from a short stack', () => {
  // biome-ignore format: both on one line, so that they name the same line
  const [source, here] = [captureSource(), firstUserFrame(new Error().stack ?? '')];
  expect(here?.file).toMatch(/source-capture\.test\.ts$/);
  expect(source).toEqual({ ...here, column: expect.any(Number) });
});

test('captureSource finds a caller deeper than the short stack it reads first', () => {
  // Every Array.map adds a frame of node's own, skipped as not the author's: the caller is 12 frames down.
  let deep: () => unknown = captureSource;
  for (let i = 0; i < 10; i++) deep = Array.prototype.map.bind([0], deep) as () => unknown;
  // biome-ignore format: both on one line, so that they name the same line
  const [nested, here] = [deep(), firstUserFrame(new Error().stack ?? '')];
  expect((nested as unknown[]).flat(Number.POSITIVE_INFINITY)).toEqual([{ ...here, column: expect.any(Number) }]);
  expect(here?.file).toMatch(/source-capture\.test\.ts$/);
});
