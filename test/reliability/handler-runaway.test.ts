/**
 * Issue 16 item 2: a handler stuck in a synchronous loop would freeze every protocol, the admin API and
 * SIGTERM. The watchdog thread stops it after the rule's timeout: the request is answered 500 naming
 * the rule, it is journaled, every protocol serves again, and SIGTERM stops the process.
 */
import type { JournalEntry } from '@mockstack/core';
import { GraphQLClient } from 'graphql-request';
import { type CliStack, STARTUP_TIMEOUT_MS, startCli } from './cli-process.js';
import { type Greeter, greeterClient, sayHello } from './grpc-client.js';

let stack: CliStack;
let greeter: Greeter;

beforeAll(async () => {
  stack = await startCli('test/reliability/fixtures/runaway.ts');
  greeter = greeterClient(stack.urls.rpc as string);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  greeter?.close();
  await stack?.stop();
});

test('a handler in an endless loop is stopped after its timeout and answered 500 naming the rule; everything serves again', async () => {
  const res = await fetch(`${stack.urls.api}/spin`);
  expect(res.status).toBe(500);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error).toMatchObject({ code: 'INTERNAL' });
  expect(body.error.message).toMatch(/handler of rule api#1 \(.*runaway\.ts:\d+:\d+\) ran for more than 500 ms without returning/);

  expect(await (await fetch(`${stack.urls.api}/fine`)).json()).toEqual({ fine: true });
  expect((await sayHello(greeter)).reply?.message).toBe('hello');
  expect(await new GraphQLClient(stack.urls.gql as string).request('{ items(first: 1) { id } }')).toEqual({ items: [{ id: expect.any(String) }] });
  const journal = ((await (await fetch(`${stack.admin}/journal?operation=GET%20/spin`)).json()) as { entries: JournalEntry[] }).entries;
  expect(journal).toEqual([expect.objectContaining({ rule: 'api#1', status: 500, code: 'INTERNAL' })]);
});

test('a second runaway call is stopped the same way, and SIGTERM then stops the process', async () => {
  const [spun, fine] = await Promise.all([fetch(`${stack.urls.api}/spin`), fetch(`${stack.urls.api}/fine`)]);
  expect(spun.status).toBe(500);
  expect(fine.status).toBe(200);
  stack.child.kill('SIGTERM');
  await new Promise((done) => stack.child.once('exit', done));
  expect(stack.exitCode()).toBe(0);
});
