import { resolve } from 'node:path';
import { compile, createStack, type Stack, scenarioDefinitionOf } from '@mockstack/core';
import { grpcAdapter } from '@mockstack/grpc';
import { type GrpcOptions, type GrpcServices, grpc, type RuleOf, scenario } from 'mockstack';

/** One gRPC service from `options` (port 0, loopback) and its handlers, listening; close the stack when done. */
export async function serveGrpc(
  options: Omit<GrpcOptions, 'port'>,
  implementation: GrpcServices<unknown> | readonly RuleOf<unknown>[] = {},
): Promise<{ stack: Stack; address: string }> {
  const definition = scenarioDefinitionOf(
    scenario('grpc-under-test', { seed: 7 }).services({
      svc: isRuleList(implementation)
        ? grpc({ port: 0, host: '127.0.0.1', ...options }, implementation)
        : grpc({ port: 0, host: '127.0.0.1', ...options }, implementation),
    }),
  );
  if (!definition) throw new Error('not a scenario');
  const model = await compile(definition, { adapters: [grpcAdapter], file: resolve(import.meta.dirname, '../scenario.ts') });
  const stack = createStack(model, { adapters: [grpcAdapter] });
  await stack.listen();
  return { stack, address: `127.0.0.1:${stack.address('svc').port}` };
}

function isRuleList(implementation: GrpcServices<unknown> | readonly RuleOf<unknown>[]): implementation is readonly RuleOf<unknown>[] {
  return Array.isArray(implementation);
}
