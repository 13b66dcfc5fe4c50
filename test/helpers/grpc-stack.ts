import { resolve } from 'node:path';
import type { Client } from '@grpc/grpc-js';
import { type Adapter, compile, createStack, type Stack, scenarioDefinitionOf } from '@mockstack/core';
import { grpcAdapter } from '@mockstack/grpc';
import { type GrpcOptions, type GrpcServices, grpc, type RuleOf, scenario } from 'mockstack';

/** A scenario's stack on `adapters`, compiled as if written in `file` (its contract paths resolve from there); not listening yet. */
export async function stackOf(value: unknown, adapters: readonly Adapter[], file: string): Promise<Stack> {
  const definition = scenarioDefinitionOf(value);
  if (!definition) throw new Error('not a scenario');
  return createStack(await compile(definition, { adapters, file }), { adapters });
}

/**
 * Counts the TCP servers open now; the returned check, run once the stacks are closed, expects no more
 * (`--detectOpenHandles` misses a leaked fastify or grpc-js server; this does not).
 */
export function tcpServerGuard(): () => Promise<void> {
  const count = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
  const before = count();
  return async () => {
    // A closed server's handle goes in libuv's close phase, after the close callbacks: one loop turn later.
    await new Promise((done) => setTimeout(done, 0));
    expect(count()).toBeLessThanOrEqual(before);
  };
}

/** One gRPC service from `options` (port 0, loopback) and its handlers, listening; close the stack when done. */
export async function serveGrpc(
  options: Omit<GrpcOptions, 'port'>,
  implementation: GrpcServices<unknown> | readonly RuleOf<unknown>[] = {},
): Promise<{ stack: Stack; address: string }> {
  const under = scenario('grpc-under-test', { seed: 7 }).services({
    svc: isRuleList(implementation)
      ? grpc({ port: 0, host: '127.0.0.1', ...options }, implementation)
      : grpc({ port: 0, host: '127.0.0.1', ...options }, implementation),
  });
  const stack = await stackOf(under, [grpcAdapter], resolve(import.meta.dirname, '../scenario.ts'));
  await stack.listen();
  return { stack, address: `127.0.0.1:${stack.address('svc').port}` };
}

function isRuleList(implementation: GrpcServices<unknown> | readonly RuleOf<unknown>[]): implementation is readonly RuleOf<unknown>[] {
  return Array.isArray(implementation);
}

/** A unary call of `method` (`/pkg.Service/Method`) with `request`'s bytes (empty by default); resolves to the answer's bytes. */
export function unaryBytes(client: Client, method: string, request: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  return new Promise((done, fail) =>
    client.makeUnaryRequest(
      method,
      (b: Buffer) => b,
      (b: Buffer) => b,
      request,
      (error, value) => (error || !value ? fail(error ?? new Error(`${method} answered nothing`)) : done(value)),
    ),
  );
}
