import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Adapter, type CoreRequest, compile, Engine } from '@mockstack/core';
import { containmentStarted, containScenarioCode, contextGuard, prestartContainment, watchdogThreads } from './containment.js';

/** Compiles the rules only; the engine is driven directly. */
const compileOnly: Adapter = {
  protocol: 'test',
  create: () => {
    throw new Error('not served in this test');
  },
};

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

test('a handler run that returned keeps no hold on its request (nor on the answer it points to)', async () => {
  const model = await compile(
    { name: 'retention', seed: 1, services: { api: { protocol: 'test', rules: [{ operation: 'a', respond: () => 'ok' }] } } },
    { adapters: [compileOnly] },
  );
  const engine = new Engine(model, { guard: contextGuard });
  const release = containScenarioCode(engine);
  try {
    let request: CoreRequest | undefined = {
      protocol: 'test',
      service: 'api',
      operation: 'a',
      params: {},
      query: {},
      headers: {},
      body: undefined,
      target: 'a',
    };
    const held = new WeakRef(request);
    expect(await engine.handle(request)).toMatchObject({ kind: 'body', body: 'ok' });
    request = undefined;
    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(held.deref()).toBeUndefined();
  } finally {
    release();
  }
});

test('containmentStarted() settles once the watchdog thread watches, so that its start-up is over before a stack serves', async () => {
  const model = await compile({ name: 'started', seed: 1, services: { api: { protocol: 'test', rules: [] } } }, { adapters: [compileOnly] });
  const release = containScenarioCode(new Engine(model, { guard: contextGuard }));
  try {
    // Its thread posts once it has booted (it never exits by itself): without that message this never settles.
    await expect(containmentStarted()).resolves.toBeUndefined();
  } finally {
    release();
  }
  await expect(containmentStarted()).resolves.toBeUndefined();
});

test('a watchdog started ahead (prestartContainment) is the one the stack contained next adopts', async () => {
  const model = await compile({ name: 'prestarted', seed: 1, services: { api: { protocol: 'test', rules: [] } } }, { adapters: [compileOnly] });
  const discardFirst = prestartContainment();
  const discardSecond = prestartContainment();
  const { prestarted } = watchdogThreads();
  expect(prestarted).toEqual(expect.any(Number));
  // One of two callers gave up (twice, as a finally block may): the other still waits for it.
  discardFirst();
  discardFirst();
  expect(watchdogThreads()).toEqual({ prestarted, watching: undefined });
  const release = containScenarioCode(new Engine(model, { guard: contextGuard }));
  discardSecond();
  try {
    expect(watchdogThreads()).toEqual({ prestarted: undefined, watching: prestarted });
    await expect(containmentStarted()).resolves.toBeUndefined();
    // A watchdog runs: nothing to start ahead.
    prestartContainment()();
    expect(watchdogThreads()).toEqual({ prestarted: undefined, watching: prestarted });
  } finally {
    release();
  }
  expect(watchdogThreads()).toEqual({ prestarted: undefined, watching: undefined });
});

test('a watchdog started ahead that nothing adopts stops once every caller discarded it', async () => {
  const discard = prestartContainment();
  expect(watchdogThreads().prestarted).toEqual(expect.any(Number));
  discard();
  expect(watchdogThreads()).toEqual({ prestarted: undefined, watching: undefined });
});
