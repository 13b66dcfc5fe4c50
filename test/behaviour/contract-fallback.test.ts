/**
 * What no rule answers, the contract answers (the engine's `fallback` outcome): an OpenAPI operation,
 * a GraphQL query and a gRPC method without rules still get the service's delay, rate limit, chaos
 * and a variant's delay, and are journaled as `contract:<operation>`. One table, three protocols.
 */
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { DelaySpec, RateLimit } from '@mockstack/core';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, grpc as grpcService, rest, scenario } from 'mockstack';

const proto = resolve(import.meta.dirname, '../fixtures/contracts/greeter.proto');
const sdl = resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql');

type Behaviour = { delay?: DelaySpec; rateLimit?: RateLimit };
/** A call reduced to what the table compares: answered, or how the protocol said no. */
type Result = 'ok' | 'limited' | 'unavailable' | 'timed out';

/** Long enough that no test waits for it: a delayed call is cut by the client's own timeout. */
const SLOW = '60s';
const TIMEOUT_MS = 300;

type Greeter = grpc.Client & {
  SayHello(req: object, options: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: { message: string }) => void): void;
};
const Greeter = (
  grpc.loadPackageDefinition(protoLoader.loadSync(proto)) as unknown as { demo: { greeter: { v1: { Greeter: grpc.ServiceClientConstructor } } } }
).demo.greeter.v1.Greeter;
const clients = new Map<string, Greeter>();

let stack: TestStack;

/** Cut by the client after TIMEOUT_MS when `timeout` is set (else the call waits for its answer). */
async function httpResult(response: Promise<Response>): Promise<Result> {
  try {
    const res = await response;
    await res.arrayBuffer();
    return res.status === 429 ? 'limited' : res.status === 503 ? 'unavailable' : res.ok ? 'ok' : (`HTTP ${res.status}` as Result);
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return 'timed out';
    throw error;
  }
}

const protocols = {
  rest: {
    service: (behaviour: Behaviour) => rest({ openapi: 'schemas/petstore.json', validateRequests: false, ...behaviour }),
    operation: 'GET /api/pets',
    call: (service: string, timeout: boolean): Promise<Result> =>
      httpResult(fetch(`${stack.url(service)}/api/pets`, timeout ? { signal: AbortSignal.timeout(TIMEOUT_MS) } : {})),
  },
  graphql: {
    service: (behaviour: Behaviour) => graphql({ schema: sdl, ...behaviour }),
    operation: 'query Items',
    call: (service: string, timeout: boolean): Promise<Result> =>
      httpResult(
        fetch(stack.url(service), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'query Items { items { id name } }' }),
          ...(timeout && { signal: AbortSignal.timeout(TIMEOUT_MS) }),
        }),
      ),
  },
  grpc: {
    service: (behaviour: Behaviour) => grpcService({ proto, ...behaviour }),
    operation: 'demo.greeter.v1.Greeter/SayHello',
    call: (service: string, timeout: boolean): Promise<Result> => {
      let client = clients.get(service);
      if (!client) {
        client = new Greeter(stack.url(service).replace('grpc://', ''), grpc.credentials.createInsecure()) as unknown as Greeter;
        clients.set(service, client);
      }
      const options = timeout ? { deadline: Date.now() + TIMEOUT_MS } : {};
      return new Promise((done, fail) =>
        client.SayHello({ name: 'ada' }, options, (error) => {
          if (!error) done('ok');
          else if (error.code === grpc.status.RESOURCE_EXHAUSTED) done('limited');
          else if (error.code === grpc.status.UNAVAILABLE) done('unavailable');
          else if (error.code === grpc.status.DEADLINE_EXCEEDED) done('timed out');
          else fail(error);
        }),
      );
    },
  },
} as const;
type Protocol = keyof typeof protocols;
const names = Object.keys(protocols) as Protocol[];

const fallbackScenario = scenario('contract-fallback', { seed: 3 })
  .services(
    Object.fromEntries(
      names.flatMap((p) => [
        [p, protocols[p].service({})],
        [`${p}-slow`, protocols[p].service({ delay: SLOW })],
        [`${p}-limited`, protocols[p].service({ rateLimit: { limit: 1, window: '60s' } })],
      ]),
    ),
  )
  .variants({
    chaos: Object.fromEntries(names.map((p) => [p, { chaos: { failRate: 1 } }])),
    slow: Object.fromEntries(names.map((p) => [p, { delay: SLOW }])),
  });

beforeAll(async () => {
  stack = await startStack(fallbackScenario);
});
afterAll(async () => {
  for (const client of clients.values()) client.close();
  await stack?.close();
});
beforeEach(() => {
  stack.reset();
  stack.variant();
});

const lastEntry = (service: string) => stack.engine.journal.list({ service }).at(-1);

describe.each(names)('%s: an operation without rules answered by its contract', (protocol) => {
  const { call, operation } = protocols[protocol];

  test('is journaled as contract:<operation>', async () => {
    expect(await call(protocol, false)).toBe('ok');
    expect(lastEntry(protocol)).toMatchObject({ operation, rule: `contract:${operation}` });
  });

  test("honours the service's rate limit, and answers again in the next window", async () => {
    expect(await call(`${protocol}-limited`, false)).toBe('ok');
    expect(await call(`${protocol}-limited`, false)).toBe('limited');
    expect(lastEntry(`${protocol}-limited`)).toMatchObject({ rule: `contract:${operation}`, code: 'RESOURCE_EXHAUSTED' });
    stack.reset();
    expect(await call(`${protocol}-limited`, false)).toBe('ok');
  });

  test("honours the service's delay: a client that cannot wait gets no answer", async () => {
    expect(await call(`${protocol}-slow`, true)).toBe('timed out');
    expect(await call(protocol, false)).toBe('ok');
  });

  test("honours a variant's chaos, and answers again when the variant is off", async () => {
    stack.variant('chaos');
    expect(await call(protocol, false)).toBe('unavailable');
    expect(lastEntry(protocol)).toMatchObject({ rule: `contract:${operation}`, code: 'UNAVAILABLE' });
    stack.variant();
    expect(await call(protocol, false)).toBe('ok');
  });

  test("honours a variant's delay, and answers again when the variant is off", async () => {
    stack.variant('slow');
    expect(await call(protocol, true)).toBe('timed out');
    stack.variant();
    expect(await call(protocol, false)).toBe('ok');
  });
});
