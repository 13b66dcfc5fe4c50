/**
 * One scenario, three protocols: each behaviour asserted over REST (fetch), GraphQL
 * (graphql-request) and gRPC (@grpc/grpc-js), in each protocol's own terms.
 */
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { matchers, startStack, type TestStack } from '@mockstack/testing';
import { type ClientError, GraphQLClient } from 'graphql-request';
import { fault, graphql, grpc as grpcService, rest, scenario } from 'mockstack';

expect.extend(matchers);

const proto = resolve(import.meta.dirname, '../fixtures/contracts/greeter.proto');
const sdl = resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql');

interface State {
  greetings: number;
}

const stackScenario = scenario('cross-protocol', { seed: 5, state: (): State => ({ greetings: 0 }), machines: { visitor: ['new', 'greeted'] } })
  .services({
    api: rest({}, [
      rest.post('/greetings', ({ state }) => ({ greetings: ++state.greetings })),
      rest.get('/visitor', { whenState: { visitor: 'greeted' } }, { welcomeBack: true }),
      rest.get('/visitor', { welcomeBack: false }),
    ]),
    gql: graphql(
      { schema: sdl },
      {
        Query: {
          item: (_parent, args, { state }) => ({ id: String(args.id), name: `seen ${state.greetings} greetings`, email: 'ada@example.com', quantity: 1 }),
        },
      },
    ),
    rpc: grpcService({ proto }, [
      grpcService.method('demo.greeter.v1.Greeter/SayHello', { setState: { visitor: 'greeted' } }, ({ state }: { state: State }) => ({
        message: `hello #${++state.greetings}`,
        email: 'ada@example.com',
        count: state.greetings,
      })),
    ]),
  })
  .variants({
    'all-down': { api: fault.unavailable('api down'), gql: fault.unavailable('gql down'), rpc: fault.unavailable('rpc down') },
    'all-limited': {
      api: { rateLimit: { limit: 1, window: '10s' } },
      gql: { rateLimit: { limit: 1, window: '10s' } },
      rpc: { rateLimit: { limit: 1, window: '10s' } },
    },
  });

type Greeter = grpc.Client & { SayHello(req: object, cb: (e: grpc.ServiceError | null, r: { message: string; count: number }) => void): void };

let stack: TestStack;
let greeter: Greeter;
let gqlClient: GraphQLClient;

beforeAll(async () => {
  stack = await startStack(stackScenario);
  const definition = protoLoader.loadSync(proto, { longs: String, enums: String, defaults: true });
  const Greeter = (grpc.loadPackageDefinition(definition) as unknown as { demo: { greeter: { v1: { Greeter: grpc.ServiceClientConstructor } } } }).demo.greeter
    .v1.Greeter;
  greeter = new Greeter(stack.url('rpc'), grpc.credentials.createInsecure()) as unknown as Greeter;
  gqlClient = new GraphQLClient(stack.url('gql'));
});
afterAll(async () => {
  greeter.close();
  await stack.close();
});
beforeEach(() => {
  stack.reset();
  stack.variant();
});

/** Each protocol's call, reduced to what the tests compare: ok, or the failure as the protocol says it. */
const calls = {
  rest: async () => {
    const res = await fetch(`${stack.url('api')}/greetings`, { method: 'POST' });
    return res.ok ? { ok: true, value: await res.json() } : { ok: false, status: res.status, body: await res.json() };
  },
  graphql: async () => {
    try {
      return { ok: true, value: await gqlClient.request<{ item: { name: string } }>('query Item { item(id: "i1") { name } }') };
    } catch (error) {
      const response = (error as ClientError).response;
      return { ok: false, status: response?.status, errors: response?.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) };
    }
  },
  grpc: () =>
    new Promise<{ ok: boolean; value?: unknown; code?: string; details?: string }>((done) =>
      greeter.SayHello({ name: 'Ada' }, (error, reply) =>
        done(error ? { ok: false, code: grpc.status[error.code], details: error.details } : { ok: true, value: reply }),
      ),
    ),
};

test('one state behind all three protocols', async () => {
  expect((await calls.rest()).value).toEqual({ greetings: 1 });
  expect((await calls.grpc()).value).toMatchObject({ message: 'hello #2', count: 2 });
  expect((await calls.graphql()).value).toEqual({ item: { name: 'seen 2 greetings' } });
  stack.reset();
  expect((await calls.graphql()).value).toEqual({ item: { name: 'seen 0 greetings' } });
});

test('a state machine moved over gRPC changes what REST answers', async () => {
  const visitor = async () => (await fetch(`${stack.url('api')}/visitor`)).json();
  expect(await visitor()).toEqual({ welcomeBack: false });
  await calls.grpc();
  expect(await visitor()).toEqual({ welcomeBack: true });
});

test('a variant switched at runtime fails every protocol in its own terms', async () => {
  stack.variant('all-down');
  expect(await calls.rest()).toEqual({ ok: false, status: 503, body: { error: { code: 'UNAVAILABLE', message: 'api down' } } });
  expect(await calls.graphql()).toEqual({ ok: false, status: 503, errors: [{ message: 'gql down', code: 'UNAVAILABLE' }] });
  expect(await calls.grpc()).toEqual({ ok: false, code: 'UNAVAILABLE', details: 'rpc down' });
  stack.variant();
  expect((await calls.rest()).ok && (await calls.graphql()).ok && (await calls.grpc()).ok).toBe(true);
});

test('a rate limit answers 429, a GraphQL error, RESOURCE_EXHAUSTED', async () => {
  stack.variant('all-limited');
  for (const call of Object.values(calls)) expect((await call()).ok).toBe(true);
  expect(await calls.rest()).toMatchObject({ ok: false, status: 429 });
  expect(await calls.graphql()).toMatchObject({ ok: false, status: 429, errors: [{ code: 'RESOURCE_EXHAUSTED' }] });
  expect(await calls.grpc()).toMatchObject({ ok: false, code: 'RESOURCE_EXHAUSTED' });
});

test('every call of every protocol is journaled and verifiable', async () => {
  await calls.rest();
  await calls.graphql();
  await calls.grpc();
  expect(stack).toHaveReceived('POST /greetings', { service: 'api', times: 1 });
  expect(stack).toHaveReceived('query Item', { service: 'gql', times: 1 });
  expect(stack).toHaveReceived('demo.greeter.v1.Greeter/SayHello', { body: { name: 'Ada' }, times: 1 });
  expect(stack.requests().map((e) => `${e.protocol} ${e.status}`)).toEqual(['rest 200', 'graphql 200', 'grpc OK']);
});
