import { PAUSE, pauseOf, sendPaced } from './paced.js';

const pause = (ms: number | string) => ({ [PAUSE]: ms });

test('sends every item but pauses, in order, from sync and async sources', async () => {
  const sent: unknown[] = [];
  expect(await sendPaced(['a', pause('1ms'), 'b', pause(0), 'c'], 1, (item) => sent.push(item) > 0)).toBe(true);
  async function* events() {
    yield 1;
    yield pause(1);
    yield 2;
  }
  expect(await sendPaced(events(), 0, (item) => sent.push(item) > 0)).toBe(true);
  expect(sent).toEqual(['a', 'b', 'c', 1, 2]);
});

test('a sync source without pace goes out in one tick', async () => {
  const sent: number[] = [];
  const done = sendPaced([1, 2, 3], 0, (item) => sent.push(item as number) > 0);
  expect(sent).toEqual([1, 2, 3]);
  expect(await done).toBe(true);
});

test('stops when send says so (at once or through its promise), or when the signal aborts a wait', async () => {
  const sent: unknown[] = [];
  const keep = (item: unknown): unknown => sent.push(item) && item;
  expect(await sendPaced(['a', 'b', 'c'], 0, (item) => keep(item) !== 'b')).toBe(false);
  expect(await sendPaced(['d', 'e'], 0, (item) => Promise.resolve(keep(item) === undefined))).toBe(false);
  expect(sent).toEqual(['a', 'b', 'd']);
  const controller = new AbortController();
  const waiting = sendPaced(['x', pause(60_000), 'y'], 0, (item) => sent.push(item) > 0, controller.signal);
  controller.abort();
  expect(await waiting).toBe(false);
  expect(sent).toEqual(['a', 'b', 'd', 'x']);
});

test('a throw of send or of the source rejects', async () => {
  await expect(
    sendPaced([1], 0, () => {
      throw new Error('no');
    }),
  ).rejects.toThrow('no');
  async function* broken() {
    yield 1;
    throw new Error('source broke');
  }
  await expect(sendPaced(broken(), 0, () => true)).rejects.toThrow('source broke');
});

test('pauseOf reads durations; other items are no pause', () => {
  expect(pauseOf(pause('1.5s'))).toBe(1500);
  expect(pauseOf(pause(20))).toBe(20);
  expect(pauseOf({ text: 'hi' })).toBeUndefined();
  expect(pauseOf(null)).toBeUndefined();
});

test('stopped early, it closes the source (its finally runs), as a for…of break does', async () => {
  const closed: string[] = [];
  function* endless(name: string) {
    try {
      for (;;) yield name;
    } finally {
      closed.push(name);
    }
  }
  expect(await sendPaced(endless('sync'), 0, () => false)).toBe(false);
  const controller = new AbortController();
  const waiting = sendPaced(endless('aborted'), 60_000, () => true, controller.signal);
  controller.abort();
  expect(await waiting).toBe(false);
  await expect(
    sendPaced(endless('thrown'), 0, () => {
      throw new Error('no');
    }),
  ).rejects.toThrow('no');
  expect(closed).toEqual(['sync', 'aborted', 'thrown']);
});
