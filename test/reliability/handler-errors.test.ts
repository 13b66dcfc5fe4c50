/**
 * Issue 16 item 1: an error a handler leaves behind (a rejection nobody handles, a throw in a timer)
 * does not end the process. It is logged with its file:line, noted on the request's journal entry
 * against the rule, and every protocol goes on serving. Run as users run it: `mockstack up` in its own process.
 */
import type { JournalEntry } from '@mockstack/core';
import { GraphQLClient } from 'graphql-request';
import { type CliStack, STARTUP_TIMEOUT_MS, startCli, waitFor } from './cli-process.js';
import { type Greeter, greeterClient, sayHello } from './grpc-client.js';

let stack: CliStack;
let greeter: Greeter;

beforeAll(async () => {
  stack = await startCli('test/reliability/fixtures/stray-errors.ts');
  greeter = greeterClient(stack.urls.rpc as string);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  greeter?.close();
  await stack?.stop();
});

async function journal(): Promise<JournalEntry[]> {
  const res = await fetch(`${stack.admin}/journal`);
  return ((await res.json()) as { entries: JournalEntry[] }).entries;
}

/** Waits until the journal entry of `operation` carries the stray error (it comes after the answer). */
async function strayErrorsOf(operation: string): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const entry = (await journal()).reverse().find((e) => e.operation === operation && e.strayErrors?.length);
    if (entry?.strayErrors) return entry.strayErrors;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no stray error journaled for ${operation}:\n${stack.output()}`);
}

test('REST: a stray rejection is journaled against its rule with file:line, and every protocol keeps serving', async () => {
  const res = await fetch(`${stack.urls.api}/rejection`);
  expect(res.status).toBe(200);
  const [stray] = await strayErrorsOf('GET /rejection');
  expect(stray).toMatch(/handler of rule api#1 \(.*stray-errors\.ts:\d+:\d+\) left an uncaught error at .*stray-errors\.ts:7:\d+: stray rejection from REST/);
  await waitFor(stack, /"rule":"api#1".*stray rejection from REST|stray rejection from REST.*"rule":"api#1"/);
  expect(stack.exitCode()).toBeNull();
  expect(await (await fetch(`${stack.urls.api}/fine`)).json()).toEqual({ fine: true });
});

test('REST: a throw in a timer the handler set is journaled against its rule, and serving continues', async () => {
  expect((await fetch(`${stack.urls.api}/timer`)).status).toBe(200);
  const [stray] = await strayErrorsOf('GET /timer');
  expect(stray).toMatch(/handler of rule api#2 .* at .*stray-errors\.ts:12:\d+: timer throw from REST/);
  expect(stack.exitCode()).toBeNull();
  expect((await fetch(`${stack.urls.api}/fine`)).status).toBe(200);
});

test('GraphQL: a resolver that leaves a stray rejection answers, the error is logged with file:line, and serving continues', async () => {
  const client = new GraphQLClient(stack.urls.gql as string);
  expect(await client.request('{ item(id: "1") { id } }')).toEqual({ item: { id: '1' } });
  await waitFor(stack, /left an uncaught error at .*stray-errors\.ts:23:\d+: stray rejection from GraphQL/);
  expect(stack.exitCode()).toBeNull();
  expect(await client.request('{ item(id: "2") { id } }')).toEqual({ item: { id: '2' } });
});

test('gRPC: a throw in a timer is journaled against the method rule, and serving continues', async () => {
  expect((await sayHello(greeter)).reply?.message).toBe('hello');
  const [stray] = await strayErrorsOf('demo.greeter.v1.Greeter/SayHello');
  expect(stray).toMatch(/left an uncaught error at .*stray-errors\.ts:32:\d+: timer throw from gRPC/);
  expect(stack.exitCode()).toBeNull();
  expect((await sayHello(greeter)).reply?.message).toBe('hello');
  expect((await fetch(`${stack.urls.api}/fine`)).status).toBe(200);
});

test('an async handler: what it starts after an await (a timer, then a rejection in it) is charged to its rule', async () => {
  expect((await fetch(`${stack.urls.later}/after-await`)).status).toBe(200);
  const [stray] = await strayErrorsOf('GET /after-await');
  expect(stray).toMatch(/handler of rule later#1 .* at .*stray-errors\.ts:\d+:\d+: stray rejection from a timer set after an await/);
  expect(stack.exitCode()).toBeNull();
  expect((await fetch(`${stack.urls.later}/after-await`)).status).toBe(200);
});
