/**
 * Issue 16 item 2: a handler that never answers is cut off after its timeout (per rule, per service,
 * default 10 s), answered INTERNAL in each protocol's terms naming the rule, journaled once, and
 * the service goes on serving.
 */
import { join, resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { type ClientError, GraphQLClient } from 'graphql-request';
import { graphql, grpc, rest, scenario } from 'mockstack';
import { mockstack, readyFile, scratchDir } from './cli-process.js';
import { type Greeter, greeterClient, greeterProto, sayHello } from './grpc-client.js';

const never = (): Promise<never> => new Promise(() => {});

const hanging = scenario('hanging-handlers').services({
  api: rest({ timeout: '300ms' }, [
    rest.get('/never', never),
    rest.get('/slow-allowed', { timeout: '2s' }, () => new Promise((done) => setTimeout(() => done({ slow: 'but allowed' }), 500))),
    rest.get('/fine', { fine: true }),
  ]),
  gql: graphql({ schema: resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql'), timeout: 300 }, { Query: { item: () => never() } }),
  rpc: grpc({ proto: greeterProto }, [grpc.method('demo.greeter.v1.Greeter/SayHello', { timeout: '300ms' }, never)]),
});

let stack: TestStack;
let greeter: Greeter;

beforeAll(async () => {
  stack = await startStack(hanging);
  greeter = greeterClient(stack.url('rpc'));
});
afterAll(async () => {
  greeter.close();
  await stack.close();
});
beforeEach(() => stack.reset());

test('REST: a handler that never resolves is answered 500 naming the rule, journaled once, and the service keeps serving', async () => {
  const res = await fetch(`${stack.url('api')}/never`);
  expect(res.status).toBe(500);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('INTERNAL');
  expect(body.error.message).toMatch(/handler of rule api#1 \(.*handler-timeout\.test\.ts:\d+:\d+\) did not answer within 300 ms/);
  expect(stack.requests({ operation: 'GET /never' })).toEqual([expect.objectContaining({ status: 500, rule: 'api#1', code: 'INTERNAL' })]);
  expect(await (await fetch(`${stack.url('api')}/fine`)).json()).toEqual({ fine: true });
});

test("REST: a rule's own timeout wins over its service's", async () => {
  const res = await fetch(`${stack.url('api')}/slow-allowed`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ slow: 'but allowed' });
});

test('GraphQL: a resolver that never resolves gives a GraphQL error naming the rule, and the next query is served', async () => {
  const client = new GraphQLClient(stack.url('gql'));
  const error = await client.request('{ item(id: "1") { id } }').then(
    () => undefined,
    (e: ClientError) => e,
  );
  expect(error?.response.errors?.[0]).toMatchObject({ message: expect.stringMatching(/handler of rule gql#1 .* did not answer within 300 ms/) });
  expect(error?.response.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  expect(stack.requests({ service: 'gql' })).toHaveLength(1);
  expect(await client.request('{ items(first: 1) { id } }')).toEqual({ items: [{ id: expect.any(String) }] });
});

test('gRPC: a method handler that never resolves ends with INTERNAL naming the rule, and the next call is answered', async () => {
  const { error } = await sayHello(greeter);
  expect(error?.code).toBe(13); // INTERNAL
  expect(error?.details).toMatch(/handler of rule rpc#1 .* did not answer within 300 ms/);
  expect(stack.requests({ service: 'rpc' })).toEqual([expect.objectContaining({ status: 'INTERNAL', rule: 'rpc#1' })]);
  expect((await sayHello(greeter)).error?.code).toBe(13);
  expect(await (await fetch(`${stack.url('api')}/fine`)).json()).toEqual({ fine: true });
});

describe('the default handler timeout, for rules and services that set none', () => {
  const defaultOnly = scenario('default-timeout').services({
    api: rest({ port: 0 }, [
      rest.get('/never', never),
      rest.get('/slow-allowed', { timeout: '3s' }, () => new Promise((done) => setTimeout(() => done({ slow: 'but allowed' }), 400))),
      rest.get('/fine', { fine: true }),
    ]),
  });

  test("startStack's handlerTimeout answers a handler that never resolves with 500 after it; a rule's own timeout still wins", async () => {
    const short = await startStack(defaultOnly, { handlerTimeout: '200ms' });
    try {
      const res = await fetch(`${short.url('api')}/never`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/handler of rule api#1 .* did not answer within 200 ms/);
      expect(short.requests({ operation: 'GET /never' })).toEqual([expect.objectContaining({ status: 500, rule: 'api#1', code: 'INTERNAL' })]);
      const slow = await fetch(`${short.url('api')}/slow-allowed`);
      expect(slow.status).toBe(200);
      expect(await slow.json()).toEqual({ slow: 'but allowed' });
    } finally {
      await short.close();
    }
  });

  test.each([0, -5, Number.NaN, '10 seconds'])(
    'startStack refuses handlerTimeout %p with MOCKSTACK_ERR_OPTION_INVALID; other stacks keep serving',
    async (given) => {
      await expect(startStack(defaultOnly, { handlerTimeout: given as number })).rejects.toMatchObject({
        code: 'MOCKSTACK_ERR_OPTION_INVALID',
        message: expect.stringMatching(/handlerTimeout .* is not a duration above 0: give milliseconds or e\.g\. '500ms', '30s'/),
      });
      expect(await (await fetch(`${stack.url('api')}/fine`)).json()).toEqual({ fine: true });
    },
  );

  test('mockstack up --handler-timeout sets it for the whole stack, over a real process', async () => {
    const scratch = scratchDir();
    const ready = join(scratch.dir, 'ready.json');
    const up = mockstack([
      'up',
      'test/reliability/fixtures/never-answers.ts',
      '--handler-timeout',
      '300ms',
      '--random-ports',
      '--no-admin',
      '--ready-file',
      ready,
    ]);
    try {
      const api = (await readyFile(up, ready)).services.find((s) => s.name === 'api');
      const res = await fetch(`${api?.url}/never`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/did not answer within 300 ms/);
      expect(await (await fetch(`${api?.url}/fine`)).json()).toEqual({ fine: true });
    } finally {
      up.child.kill('SIGTERM');
      await up.exited;
      scratch.remove();
    }
  }, 30_000);

  test('mockstack up --handler-timeout 0 (or not a duration) exits 1 saying what it takes', async () => {
    for (const [given, expected] of [
      ['0', "argument '0' is invalid. expected a duration above 0: milliseconds, or e.g. '500ms', '30s'"],
      ['soon', "argument 'soon' is invalid. expected a duration: milliseconds, or e.g. '500ms', '10s'"],
    ] as const) {
      const up = mockstack(['up', 'test/reliability/fixtures/never-answers.ts', '--handler-timeout', given, '--random-ports', '--no-admin']);
      expect((await up.exited).code).toBe(1);
      expect(up.output()).toContain(`option '--handler-timeout <duration>' ${expected}`);
    }
  }, 30_000);
});
