/**
 * Issue 16 item 3: an answer that cannot be serialised or sent (a BigInt, a cycle, a throwing toJSON,
 * an invalid status, a bad header name, a Symbol or function body) is one clear 500 / INTERNAL naming
 * the rule and its file:line, journaled once, and the service goes on serving.
 */
import { resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';
import { type ClientError, GraphQLClient } from 'graphql-request';
import { graphql, grpc, respond, rest, scenario } from 'mockstack';
import { type Greeter, greeterClient, greeterProto, sayHello } from './grpc-client.js';

const cycle = (): object => {
  const node: Record<string, unknown> = { name: 'loop' };
  node.self = node;
  return node;
};

/** Handlers by route name (typed with the scenario's empty state, so that the rules they make fit it). */
const bodies: Record<string, (context: { state: Record<string, never> }) => unknown> = {
  bigint: () => ({ total: 10n }),
  'top-level-bigint': () => 10n,
  cycle,
  'throwing-tojson': () => ({
    toJSON() {
      throw new Error('toJSON refused');
    },
  }),
  'throwing-tojson-instance': () =>
    new (class Money {
      toJSON(): never {
        throw new Error('Money refused');
      }
    })(),
  symbol: () => Symbol('s'),
  function: () => () => 1,
  'invalid-status': () => respond({ ok: true }, { status: 99 as number }),
  'string-status': () => respond({ ok: true }, { status: 'teapot' as unknown as number }),
  'bad-header-name': () => respond({ ok: true }, { headers: { 'bad name': 'x' } }),
  'bad-header-value': () => respond({ ok: true }, { headers: { 'x-ok': 'line\nbreak' } }),
};

const unserialisable = scenario('unserialisable').services({
  // Rules built with map() name no state: they fit the scenario's.
  api: rest(
    {},
    [...Object.entries(bodies), ['fine', () => ({ fine: true })] as const].map(([name, body]) => rest.get(`/${name}`, body)),
  ),
  gql: graphql({ schema: resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql') }, {}, [
    graphql.query('Cyclic', () => respond(cycle())),
    graphql.query('BadStatus', () => respond({ data: null }, { status: 1000 as number })),
    graphql.query('BadHeader', () => respond({ data: null }, { headers: { 'bad name': 'x' } })),
  ]),
  rpc: grpc({ proto: greeterProto }, [
    grpc.method('demo.greeter.v1.Greeter/SayHello', { match: { body: { name: 'symbol' } } }, () => Symbol('s')),
    grpc.method('demo.greeter.v1.Greeter/SayHello', { match: { body: { name: 'function' } } }, () => () => 1),
    grpc.method('demo.greeter.v1.Greeter/SayHello', { match: { body: { name: 'bigint' } } }, () => ({ message: 10n })),
    grpc.method('demo.greeter.v1.Greeter/SayHello', { match: { body: { name: 'bad-metadata' } } }, () =>
      respond({ message: 'hi' }, { headers: { 'bad name': 'x' } }),
    ),
    grpc.method('demo.greeter.v1.Greeter/SayHello', { message: 'fine', email: 'ada@example.com', count: 1 }),
  ]),
});

let stack: TestStack;
let greeter: Greeter;

beforeAll(async () => {
  stack = await startStack(unserialisable);
  greeter = greeterClient(stack.url('rpc'));
});
afterAll(async () => {
  greeter.close();
  await stack.close();
});
beforeEach(() => stack.reset());

const ruleOf = (name: string): string => `api#${Object.keys(bodies).indexOf(name) + 1}`;

test.each(Object.keys(bodies))('REST: %s answers one 500 naming the rule and its file:line, journaled once', async (name) => {
  const res = await fetch(`${stack.url('api')}/${name}`);
  expect(res.status).toBe(500);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('INTERNAL');
  expect(body.error.message).toMatch(new RegExp(`the answer of rule ${ruleOf(name)} \\(.*serialisation\\.test\\.ts:\\d+:\\d+\\) cannot be sent: `));
  expect(stack.requests()).toEqual([expect.objectContaining({ operation: `GET /${name}`, status: 500, code: 'INTERNAL', rule: ruleOf(name) })]);
  expect(await (await fetch(`${stack.url('api')}/fine`)).json()).toEqual({ fine: true });
});

test.each(['Cyclic', 'BadStatus', 'BadHeader'])('GraphQL: query %s answers one INTERNAL_SERVER_ERROR naming the rule, journaled once', async (name) => {
  const client = new GraphQLClient(stack.url('gql'));
  const error = await client.request(`query ${name} { items { id } }`).then(
    () => undefined,
    (e: ClientError) => e,
  );
  expect(error?.response.status).toBe(500);
  expect(error?.response.errors?.[0]?.message).toMatch(/the answer of rule gql#\d+ \(.*serialisation\.test\.ts:\d+:\d+\) cannot be sent: /);
  expect(error?.response.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  expect(stack.requests()).toEqual([expect.objectContaining({ operation: `query ${name}`, status: 500 })]);
  expect(await client.request('{ items(first: 1) { id } }')).toEqual({ items: [{ id: expect.any(String) }] });
});

test.each(['symbol', 'function', 'bigint', 'bad-metadata'])('gRPC: a %s answer ends INTERNAL naming the rule, journaled once', async (name) => {
  const { error } = await sayHello(greeter, name);
  expect(error?.code).toBe(13);
  expect(error?.details).toMatch(/rpc#\d+/);
  expect(stack.requests()).toEqual([expect.objectContaining({ status: 'INTERNAL', rule: expect.stringMatching(/^rpc#\d$/) })]);
  expect((await sayHello(greeter, 'someone')).reply?.message).toBe('fine');
});
