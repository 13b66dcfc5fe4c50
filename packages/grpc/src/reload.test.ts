import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { afterAll, expect, test } from '@jest/globals';
import { compile, createStack, scenarioDefinitionOf } from '@mockstack/core';
import { grpc, scenario } from '@mockstack/dsl';
import { grpcAdapter } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'mockstack-grpc-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const proto = (methods: string) => `syntax = "proto3";
package test.reload.v1;
message Ping { string text = 1; }
service Echo { ${methods} }
`;

async function modelOf() {
  const def = scenarioDefinitionOf(
    scenario('reload').services({
      echo: grpc({ proto: join(dir, 'echo.proto') }, { 'test.reload.v1.Echo': { Say: ({ request }) => ({ text: `said ${String(request.text)}` }) } }),
    }),
  );
  if (!def) throw new Error('not a scenario');
  return compile(def, { adapters: [grpcAdapter], file: join(dir, 'scenario.ts') });
}

function call(port: number, method: string): Promise<{ error: grpcJs.ServiceError | null; text?: string }> {
  const client = new grpcJs.Client(`127.0.0.1:${port}`, grpcJs.credentials.createInsecure());
  const identity = (b: Buffer) => b;
  // Ping { text: "hi" }
  const request = Buffer.from([0x0a, 0x02, 0x68, 0x69]);
  return new Promise((resolve) =>
    client.makeUnaryRequest(`/test.reload.v1.Echo/${method}`, identity, identity, request, (error, value) => {
      client.close();
      resolve({ error, ...(value && { text: value.subarray(2).toString() }) });
    }),
  );
}

test('a reload with a changed proto file restarts the service on its port, serving the new methods', async () => {
  writeFileSync(join(dir, 'echo.proto'), proto('rpc Say(Ping) returns (Ping);'));
  const stack = createStack(await modelOf(), { adapters: [grpcAdapter] });
  try {
    await stack.listen();
    const port = stack.address('echo').port;
    expect((await call(port, 'Say')).text).toBe('said hi');
    expect((await call(port, 'Shout')).error?.code).toBe(grpcJs.status.UNIMPLEMENTED);

    writeFileSync(join(dir, 'echo.proto'), proto('rpc Say(Ping) returns (Ping); rpc Shout(Ping) returns (Ping);'));
    utimesSync(join(dir, 'echo.proto'), new Date(), new Date(Date.now() + 5000));
    await stack.reload(await modelOf());
    expect(stack.address('echo').port).toBe(port);
    expect((await call(port, 'Say')).text).toBe('said hi');
    // Shout has no rule: auto-mocked (the request's text is echoed into the same-named field).
    expect((await call(port, 'Shout')).text).toBe('hi');
  } finally {
    await stack.close();
  }
});
