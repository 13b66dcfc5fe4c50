import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { compile, ScenarioCompileError, scenarioDefinitionOf } from '@mockstack/core';
import { grpc, scenario } from '@mockstack/dsl';
import { grpcAdapter } from './index.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const file = fileURLToPath(import.meta.url);

async function problemsOf(service: ReturnType<typeof grpc>): Promise<ScenarioCompileError> {
  const definition = scenarioDefinitionOf(scenario('bad').services({ svc: service }));
  if (!definition) throw new Error('not a scenario');
  const error = await compile(definition, { adapters: [grpcAdapter], file }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScenarioCompileError);
  return error as ScenarioCompileError;
}

describe('compile-time checks', () => {
  test('a proto syntax error names the proto file and line', async () => {
    const error = await problemsOf(grpc({ proto: `${fixtures}broken-syntax.proto` }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.source).toEqual({ file: `${fixtures}broken-syntax.proto`, line: 8, column: 1 });
    expect(error.problems[0]?.message).toMatch(/syntax error in .*broken-syntax\.proto: illegal token 'bool'/);
    expect(error.format()).toContain('broken-syntax.proto:8:1');
  });

  test('a file in an edition mockstack cannot read yet names the file, the line and what to write instead', async () => {
    const error = await problemsOf(grpc({ proto: `${fixtures}edition-2024.proto` }));
    expect(error.problems[0]?.source).toEqual({ file: `${fixtures}edition-2024.proto`, line: 3, column: 1 });
    expect(error.problems[0]?.message).toContain('edition-2024.proto is written in edition 2024, which mockstack cannot read yet');
    expect(error.problems[0]?.message).toContain('write edition = "2023" there if the file uses nothing newer');
  });

  test('a missing import names the importing file, the line of the import, and what to do', async () => {
    const error = await problemsOf(grpc({ proto: `${fixtures}missing-import.proto` }));
    expect(error.problems[0]?.source).toEqual({ file: `${fixtures}missing-import.proto`, line: 6, column: 1 });
    expect(error.problems[0]?.message).toContain(
      'imports "nowhere/missing.proto", which is in none of the include dirs, the folders above the file or the working directory; add the directory its path starts from to the include dirs (--include-dir',
    );
  });

  test('an import relative to the root of the proto tree is found there with no include dirs (as buf modules and protoc -I <root> have it)', async () => {
    const orders = `${fixtures}rooted/acme/orders/v1/orders.proto`;
    const service = grpc({ proto: orders }, { 'acme.orders.v1.Orders': { GetOrder: { id: 'o1' } } });
    const definition = scenarioDefinitionOf(scenario('rooted').services({ svc: service }));
    if (!definition) throw new Error('not a scenario');
    const model = await compile(definition, { adapters: [grpcAdapter], file });
    expect([...(model.services.get('svc')?.operations.keys() ?? [])]).toEqual(['acme.orders.v1.Orders/GetOrder']);
  });

  test('a proto file that does not exist is named', async () => {
    const error = await problemsOf(grpc({ proto: `${fixtures}nope.proto` }));
    expect(error.problems[0]?.message).toContain('nope.proto does not exist');
  });

  test('an unknown service names the services the protos define, at the scenario line', async () => {
    const error = await problemsOf(grpc({ proto: `${fixtures}kitchen.proto` }, { 'test.kitchen.v1.Kitchn': { PlaceOrder: {} } }));
    expect(error.problems[0]?.message).toBe(
      'service "svc" answers test.kitchen.v1.Kitchn/PlaceOrder, but its protos define no service test.kitchen.v1.Kitchn; they define test.kitchen.v1.Kitchen, test.kitchen.v1.Bar',
    );
  });

  test('an unknown method names the methods of the service', async () => {
    const error = await problemsOf(grpc({ proto: `${fixtures}kitchen.proto` }, [grpc.method('test.kitchen.v1.Kitchen/PlaceOrdr', {})]));
    expect(error.problems[0]?.message).toBe(
      'service "svc" answers test.kitchen.v1.Kitchen/PlaceOrdr, but test.kitchen.v1.Kitchen has no method "PlaceOrdr"; it has PlaceOrder, Track, Batch, Chat, Menu',
    );
  });

  test('a proto path relative to the scenario or the project root resolves', async () => {
    const definition = scenarioDefinitionOf(scenario('ok').services({ svc: grpc({ proto: '../fixtures/kitchen.proto', includeDirs: ['../fixtures'] }) }));
    if (!definition) throw new Error('not a scenario');
    const model = await compile(definition, { adapters: [grpcAdapter], file });
    expect(model.services.get('svc')?.protocol).toBe('grpc');
  });
});
