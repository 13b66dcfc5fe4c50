import { checkDelay, parseDuration, resolveDelay } from './delay.js';
import { SeededRandom } from './random.js';

test('durations read as milliseconds', () => {
  expect([parseDuration(250), parseDuration('250ms'), parseDuration('2s'), parseDuration('1.5s'), parseDuration('soon')]).toEqual([
    250,
    250,
    2000,
    1500,
    undefined,
  ]);
});

test('a range draws within its bounds, the same draws for the same seed', () => {
  const draw = (seed: number) =>
    Array.from(
      { length: 50 },
      (
        (random) => () =>
          resolveDelay({ min: '100ms', max: '200ms' }, random)
      )(new SeededRandom(seed)),
    );
  const first = draw(7);
  expect(first.every((ms) => ms >= 100 && ms <= 200)).toBe(true);
  expect(draw(7)).toEqual(first);
  expect(draw(8)).not.toEqual(first);
});

test('a lognormal delay has its median and a long tail', () => {
  const random = new SeededRandom(42);
  const draws = Array.from({ length: 4001 }, () => resolveDelay({ median: '100ms', sigma: 0.5 }, random)).sort((a, b) => a - b);
  expect(draws[2000]).toBeGreaterThan(90);
  expect(draws[2000]).toBeLessThan(110);
  expect(draws[3960]).toBeGreaterThan(250);
  expect(draws[0]).toBeGreaterThan(0);
});

test('bad delays say how to write one', () => {
  expect(checkDelay('soon' as never)).toMatch(/write 250, '250ms' or '2s'/);
  expect(checkDelay({ min: '2s', max: '1s' })).toMatch(/min 2000ms above max 1000ms/);
  expect(checkDelay({ median: '100ms', sigma: -1 })).toMatch(/sigma ≥ 0/);
  expect(checkDelay({ median: '100ms', sigma: 0.3 })).toBeUndefined();
});
