import { resolve } from 'node:path';
import { compile, ScenarioCompileError, scenarioDefinitionOf } from '@mockstack/core';
import { grpcAdapter } from '@mockstack/grpc';
import { grpc, scenario } from 'mockstack';

const file = resolve(import.meta.dirname, 'grpc-compile.test.ts');

test('an unknown gRPC method points at the scenario line that names it, and lists what the proto defines', async () => {
  const bad = scenario('typo').services({
    payments: grpc({ proto: 'protos/payments.proto' }, [
      grpc.method('checkout.payments.v1.PaymentService/Authorise', { ok: true }), // line 11
    ]),
  });
  const definition = scenarioDefinitionOf(bad);
  if (!definition) throw new Error('not a scenario');
  const error = await compile(definition, { adapters: [grpcAdapter], file }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ScenarioCompileError);
  const problem = (error as ScenarioCompileError).problems[0];
  expect(problem?.source).toMatchObject({ file, line: 11 });
  expect(problem?.message).toContain('has no method "Authorise"; it has Authorize, Capture, Refund, WatchPayment');
  // shown from the project, never as an absolute path
  expect((error as ScenarioCompileError).format()).toContain('test/serve/grpc-compile.test.ts:11:');
  expect((error as ScenarioCompileError).format()).not.toContain(file);
});
