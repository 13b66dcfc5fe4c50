import { resolve } from 'node:path';
import { ErrorCode, MockstackError, ScenarioCompileError } from '@mockstack/core';
import { loadModel } from '@mockstack/runner';
import { startStack } from '@mockstack/testing';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures', name);

async function loadError(path: string): Promise<MockstackError> {
  const error = await loadModel(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MockstackError);
  return error as MockstackError;
}

describe('loading a scenario module', () => {
  test('imports local .ts modules and .json fixtures', async () => {
    const stack = await startStack(fixture('scenarios/with-imports.ts'));
    try {
      expect(await (await fetch(`${stack.url('api')}/greeting`)).json()).toEqual({ text: 'hello from a local module' });
      expect(await (await fetch(`${stack.url('api')}/people`)).json()).toEqual([{ name: 'Ada' }, { name: 'Grace' }]);
    } finally {
      await stack.close();
    }
  });

  test('a file that does not exist says so', async () => {
    const error = await loadError(fixture('scenarios/nope.ts'));
    expect(error.code).toBe(ErrorCode.ScenarioNotFound);
    expect(error.message).toMatch(/nope\.ts does not exist \(looked at .*\); pass a scenario module/);
  });

  test('a syntax error names the file, line and column', async () => {
    const error = await loadError(fixture('broken/syntax-error.ts'));
    expect(error.code).toBe(ErrorCode.ScenarioLoad);
    expect(error.format()).toMatch(/broken\/syntax-error\.ts:4:\d+: cannot load scenario: Expected "}" but found "\)"/);
  });

  test('a throw at import names the line that threw', async () => {
    const error = await loadError(fixture('broken/throws.ts'));
    expect(error.code).toBe(ErrorCode.ScenarioLoad);
    expect(error.message).toMatch(/threw while loading: fixture data is missing/);
    expect(error.source).toMatchObject({ file: fixture('broken/throws.ts'), line: 4 });
  });

  test('a missing relative import names the importing line', async () => {
    const error = await loadError(fixture('broken/missing-import.ts'));
    expect(error.format()).toMatch(/broken\/missing-import\.ts:2:\d+: cannot load scenario: Could not resolve "\.\/does-not-exist\.js"/);
  });

  test('a module without a default-exported scenario says how to export one', async () => {
    const error = await loadError(fixture('broken/no-default.ts'));
    expect(error.code).toBe(ErrorCode.ScenarioInvalid);
    expect(error.message).toMatch(/has no default-exported scenario; end it with `export default scenario\(/);
  });
});

describe('compiling a scenario', () => {
  test('reports every problem with its file and line', async () => {
    const error = (await loadError(fixture('broken/compile-errors.ts'))) as ScenarioCompileError;
    expect(error).toBeInstanceOf(ScenarioCompileError);
    expect(error.code).toBe(ErrorCode.ScenarioCompile);
    const messages = error.problems.map((p) => `${p.source?.line ?? '?'}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^7: duplicate route: GET \/orders\/:id of service "a" is already answered by rule a#1 at .*compile-errors\.ts:6:\d+/),
        expect.stringMatching(/^8: service "a": path "orders" must start with "\/"/),
        expect.stringMatching(/^10: service "a": routes GET \/items\/:sku and GET \/items\/:code are the same route with different parameter names/),
        expect.stringMatching(/^11: service "a": path "\/files\/\*\/raw" has "\*" before its last segment/),
        expect.stringMatching(/^12: service "a": path "\/bad\/:1x" has a malformed parameter ":1x"/),
        expect.stringMatching(/^14: services "a" and "b" both want port 18181/),
        expect.stringMatching(/variant "c-down" changes service "c", which the scenario does not declare \(services: a, b\)/),
      ]),
    );
    expect(error.problems).toHaveLength(7);
  });

  test('an unknown variant at start lists the variants that exist', async () => {
    const error = await startStack(resolve(import.meta.dirname, '../../scenarios/checkout.ts'), { variant: 'payments-dwn' }).then(
      () => undefined,
      (e: unknown) => e as MockstackError,
    );
    expect(error?.code).toBe(ErrorCode.VariantUnknown);
    expect(error?.message).toMatch(/unknown variant "payments-dwn"; scenario "checkout" has .*"payments-down"/);
  });
});
