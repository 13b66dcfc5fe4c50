import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { compile, createStack, type Stack, scenarioDefinitionOf } from '@mockstack/core';
import { fault, grpc, respond, scenario, sequence } from '@mockstack/dsl';
import protobuf from 'protobufjs';
import { grpcAdapter } from './index.js';

const require = createRequire(import.meta.url);
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const KITCHEN = 'test.kitchen.v1.Kitchen';
const loadOptions = { longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [fixtures] };

type Callback = (error: grpcJs.ServiceError | null, value?: Record<string, unknown>) => void;
type UnaryMethod = (request: object, metadata: grpcJs.Metadata, options: grpcJs.CallOptions, callback: Callback) => grpcJs.ClientUnaryCall;
interface KitchenClient extends grpcJs.Client {
  PlaceOrder: UnaryMethod;
  Menu: UnaryMethod;
  Track(request: object, metadata?: grpcJs.Metadata, options?: grpcJs.CallOptions): grpcJs.ClientReadableStream<Record<string, unknown>>;
  Batch(metadata: grpcJs.Metadata, options: grpcJs.CallOptions, callback: Callback): grpcJs.ClientWritableStream<object>;
  Chat(metadata?: grpcJs.Metadata, options?: grpcJs.CallOptions): grpcJs.ClientDuplexStream<object, Record<string, unknown>>;
}
type ClientConstructor = new (address: string, credentials: grpcJs.ChannelCredentials) => grpcJs.Client;

const definition = grpcJs.loadPackageDefinition(loadSync(`${fixtures}kitchen.proto`, loadOptions));
const pick = (path: string): ClientConstructor => path.split('.').reduce((o: unknown, k) => (o as Record<string, unknown>)[k], definition) as ClientConstructor;

interface State {
  tickets: number;
  paid: string[];
}

/** Calls the 600 s delay rule has taken (its matcher runs before the delay). */
let delayedArrivals = 0;
const kitchen = scenario<State>('kitchen', { seed: 7, state: () => ({ tickets: 0, paid: [] }) })
  .services({
    kitchen: grpc<State>({ proto: `${fixtures}kitchen.proto` }, [
      grpc.method(`${KITCHEN}/PlaceOrder`, { match: { headers: { 'x-tenant': 'closed' } } }, fault.grpc('PERMISSION_DENIED', 'tenant closed')),
      grpc.method(
        `${KITCHEN}/PlaceOrder`,
        { match: { body: { dish: 'soup' } } },
        fault.grpc('FAILED_PRECONDITION', 'out of soup', {
          details: [
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'OUT_OF_STOCK', domain: 'kitchen.test', metadata: { dish: 'soup' } },
            { hint: 'try salad' },
          ],
          headers: { 'x-kitchen': 'busy' },
          retryAfter: 5,
        }),
      ),
      grpc.method(`${KITCHEN}/PlaceOrder`, { match: { body: { dish: 'wrong' } } }, () => ({ dish: 'x', quantity: 'three' })),
      grpc.method(`${KITCHEN}/PlaceOrder`, { match: { body: { dish: 'slow' } }, delay: '2s' }, { dish: 'slow' }),
      grpc.method(
        `${KITCHEN}/PlaceOrder`,
        {
          match: {
            when: ({ body }) => {
              const arrived = (body as { dish?: string }).dish === 'very-slow';
              if (arrived) delayedArrivals++;
              return arrived;
            },
          },
          delay: '600s',
        },
        { dish: 'very-slow' },
      ),
      grpc.method(`${KITCHEN}/PlaceOrder`, ({ request, state, metadata }) => {
        state.tickets++;
        return respond(
          {
            ticketId: `t_${state.tickets}`,
            dish: request.dish,
            quantity: request.quantity,
            category: 'MAIN',
            readyAt: '2026-11-24T12:00:00Z',
            totalCents: '12345678901',
          },
          { headers: { 'x-chef': 'ada', 'x-echo': String(metadata['x-tenant'] ?? '') }, trailers: { 'x-ticket': `t_${state.tickets}` } },
        );
      }),
      grpc.method('test.kitchen.v1.Bar/Tab', { match: { body: { dish: 'espresso' } }, times: 1 }, fault.unavailable('machine warming up')),
      grpc.method('test.kitchen.v1.Bar/Tab', { match: { body: { dish: 'espresso' } } }, sequence([{ ticketId: 'one' }, { ticketId: 'two' }])),
      grpc.method('test.kitchen.v1.Bar/Tab', { match: { body: { dish: 'bad-header' } } }, respond({ ticketId: 'x' }, { headers: { 'bad key': 'v' } })),
      grpc.method(
        'test.kitchen.v1.Bar/Tab',
        { match: { body: { dish: 'bad-details' } } },
        fault.grpc('ABORTED', 'x', { details: [{ '@type': 'type.googleapis.com/no.such.Detail', reason: 'r' }] }),
      ),
      ...grpc.service<State>(KITCHEN, {
        Track: ({ request }) =>
          grpc.stream(
            [
              { ticketId: request.ticketId, stage: 'QUEUED', step: 1 },
              grpc.pause('10ms'),
              { ticketId: request.ticketId, stage: 'COOKING', step: 2 },
              request.ticketId === 'burnt'
                ? fault.grpc('ABORTED', 'burnt')
                : request.ticketId === 'wrong'
                  ? { ticketId: request.ticketId, stage: 'READY', step: 'three' }
                  : { ticketId: request.ticketId, stage: 'READY', step: 3 },
            ],
            { interval: '5ms', headers: { 'x-stream': 'yes' }, trailers: { 'x-done': '1' } },
          ),
        Batch: ({ messages }) => ({
          orders: messages.length,
          items: messages.reduce((sum, m) => sum + Number(m.quantity), 0),
          dishes: messages.map((m) => String(m.dish)),
        }),
        Chat: async ({ incoming, write }) => {
          write({ text: 'welcome', seq: 0 });
          let seq = 0;
          for await (const line of incoming) {
            seq++;
            if (line.text === 'bye') return fault.grpc('CANCELLED', 'bye');
            if (line.text === 'bad') write({ text: 'x', seq: 'NaN' });
            write({ text: `echo ${String(line.text)}`, seq });
          }
          return undefined;
        },
      }),
    ]),
  })
  .variants({ 'kitchen-down': { kitchen: fault.grpc('UNAVAILABLE', 'kitchen closed') } });

let stack: Stack;
let address: string;
let client: KitchenClient;
let tcpBefore: number;
const tcpServers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

beforeAll(async () => {
  tcpBefore = tcpServers();
  const def = scenarioDefinitionOf(kitchen);
  if (!def) throw new Error('not a scenario');
  const model = await compile(def, { adapters: [grpcAdapter], file: fileURLToPath(import.meta.url) });
  stack = createStack(model, { adapters: [grpcAdapter] });
  const [served] = await stack.listen();
  address = `127.0.0.1:${served?.port}`;
  client = new (pick(KITCHEN))(address, grpcJs.credentials.createInsecure()) as KitchenClient;
});

afterAll(async () => {
  client.close();
  await stack.close();
  expect(tcpServers()).toBeLessThanOrEqual(tcpBefore);
});

beforeEach(() => {
  stack.engine.reset();
  stack.engine.setVariants([]);
});

interface UnaryResult {
  error: grpcJs.ServiceError | null;
  value: Record<string, unknown> | undefined;
  headers: grpcJs.Metadata | undefined;
  trailers: grpcJs.Metadata | undefined;
}

function unary(method: 'PlaceOrder' | 'Menu', request: object, metadata = new grpcJs.Metadata(), options: grpcJs.CallOptions = {}): Promise<UnaryResult> {
  return new Promise((resolve) => {
    let headers: grpcJs.Metadata | undefined;
    let trailers: grpcJs.Metadata | undefined;
    let result: { error: grpcJs.ServiceError | null; value: Record<string, unknown> | undefined } | undefined;
    let status = false;
    const done = (): void => {
      if (result && status) resolve({ ...result, headers, trailers });
    };
    const call = client[method](request, metadata, options, (error, value) => {
      result = { error, value };
      done();
    });
    call.on('metadata', (m) => (headers = m));
    call.on('status', (s) => {
      trailers = s.metadata;
      status = true;
      done();
    });
  });
}

const ok = { dish: 'salad', quantity: 2, tableId: 'tb_1' };

describe('unary', () => {
  test('answers from the handler with initial metadata and trailers, reading and changing state', async () => {
    const md = new grpcJs.Metadata();
    md.set('x-tenant', 'a');
    const r = await unary('PlaceOrder', ok, md);
    expect(r.error).toBeNull();
    expect(r.value).toMatchObject({ ticketId: 't_1', dish: 'salad', quantity: 2, category: 'MAIN', totalCents: '12345678901' });
    expect(r.value?.readyAt).toEqual({ seconds: String(Date.parse('2026-11-24T12:00:00Z') / 1000), nanos: 0 });
    expect(r.headers?.get('x-chef')).toEqual(['ada']);
    expect(r.headers?.get('x-echo')).toEqual(['a']);
    expect(r.trailers?.get('x-ticket')).toEqual(['t_1']);
    expect((stack.engine.state as State).tickets).toBe(1);
    const [entry] = stack.engine.journal.list();
    expect(entry).toMatchObject({ protocol: 'grpc', service: 'kitchen', operation: `${KITCHEN}/PlaceOrder`, status: 'OK', rule: 'kitchen#6' });
    expect(entry?.request.body).toMatchObject({ dish: 'salad', quantity: 2 });
    expect(entry?.request.headers['x-tenant']).toBe('a');
  });

  test('matches on metadata', async () => {
    const md = new grpcJs.Metadata();
    md.set('x-tenant', 'closed');
    const r = await unary('PlaceOrder', ok, md);
    expect(r.error?.code).toBe(grpcJs.status.PERMISSION_DENIED);
    expect(r.error?.details).toBe('tenant closed');
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'PERMISSION_DENIED', code: 'PERMISSION_DENIED', rule: 'kitchen#1' });
  });

  test('a fault carries trailers and google.rpc.Status details (ErrorInfo, Struct, RetryInfo)', async () => {
    const r = await unary('PlaceOrder', { dish: 'soup', quantity: 1 });
    expect(r.error?.code).toBe(grpcJs.status.FAILED_PRECONDITION);
    expect(r.error?.details).toBe('out of soup');
    expect(r.trailers?.get('x-kitchen')).toEqual(['busy']);
    const [bin] = r.trailers?.get('grpc-status-details-bin') ?? [];
    expect(Buffer.isBuffer(bin)).toBe(true);
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith('google/rpc') ? fileURLToPath(new URL(`../protos/${target}`, import.meta.url)) : target);
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto', 'google/protobuf/struct.proto']);
    const Status = root.lookupType('google.rpc.Status');
    const status = Status.toObject(Status.decode(bin as Buffer), { longs: String }) as {
      code: number;
      message: string;
      details: { type_url: string; value: Uint8Array }[];
    };
    expect(status.code).toBe(grpcJs.status.FAILED_PRECONDITION);
    expect(status.message).toBe('out of soup');
    expect(status.details.map((d) => d.type_url)).toEqual([
      'type.googleapis.com/google.rpc.ErrorInfo',
      'type.googleapis.com/google.protobuf.Struct',
      'type.googleapis.com/google.rpc.RetryInfo',
    ]);
    const [errorInfo, , retryInfo] = status.details;
    expect(root.lookupType('google.rpc.ErrorInfo').toObject(root.lookupType('google.rpc.ErrorInfo').decode(errorInfo?.value ?? new Uint8Array()))).toEqual({
      reason: 'OUT_OF_STOCK',
      domain: 'kitchen.test',
      metadata: { dish: 'soup' },
    });
    const retry = root.lookupType('google.rpc.RetryInfo');
    expect(retry.toObject(retry.decode(retryInfo?.value ?? new Uint8Array()), { longs: String })).toEqual({ retryDelay: { seconds: '5', nanos: 0 } });
  });

  test('a delay past the client deadline ends in DEADLINE_EXCEEDED, journaled so', async () => {
    const r = await unary('PlaceOrder', { dish: 'slow' }, new grpcJs.Metadata(), { deadline: Date.now() + 150 });
    expect(r.error?.code).toBe(grpcJs.status.DEADLINE_EXCEEDED);
    await waitFor(() => stack.engine.journal.count() === 1);
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'DEADLINE_EXCEEDED', code: 'DEADLINE_EXCEEDED', rule: 'kitchen#4' });
    expect((await unary('PlaceOrder', ok)).error).toBeNull();
  });

  test('a call without a deadline that the client cancels during a delay ends the delay, journaled CANCELLED', async () => {
    const before = delayedArrivals;
    const call = client.PlaceOrder({ dish: 'very-slow' }, new grpcJs.Metadata(), {}, () => {});
    await waitFor(() => delayedArrivals > before);
    call.cancel();
    // Without the delay cut, this entry would come after 600 s (and the server's close would wait for it).
    await waitFor(() => stack.engine.journal.count() === 1);
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'CANCELLED', rule: 'kitchen#5' });
    expect((await unary('PlaceOrder', ok)).error).toBeNull();
  });

  test('a variant fails every method, auto-mocked ones too', async () => {
    stack.engine.setVariants(['kitchen-down']);
    expect((await unary('PlaceOrder', ok)).error?.code).toBe(grpcJs.status.UNAVAILABLE);
    const menu = await unary('Menu', { restaurantId: 'r1' });
    expect(menu.error?.code).toBe(grpcJs.status.UNAVAILABLE);
    expect(menu.error?.details).toBe('kitchen closed');
    expect(stack.engine.journal.list().map((e) => e.status)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
  });
});

describe('server streaming', () => {
  test('sends each message with pauses, initial metadata and trailers', async () => {
    const { messages, error, headers, trailers } = await readStream(client.Track({ ticketId: 't_9' }));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.stage)).toEqual(['QUEUED', 'COOKING', 'READY']);
    expect(headers?.get('x-stream')).toEqual(['yes']);
    expect(trailers?.get('x-done')).toEqual(['1']);
    expect(stack.engine.journal.list()[0]).toMatchObject({ operation: `${KITCHEN}/Track`, status: 'OK' });
  });

  test('a fault mid-stream ends it with that status after the messages before it', async () => {
    const { messages, error } = await readStream(client.Track({ ticketId: 'burnt' }));
    expect(messages.map((m) => m.stage)).toEqual(['QUEUED', 'COOKING']);
    expect(error?.code).toBe(grpcJs.status.ABORTED);
    expect(error?.details).toBe('burnt');
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'ABORTED', code: 'ABORTED' });
  });
});

describe('server streaming: bad answers', () => {
  test('a wrong-shaped message mid-stream ends it with INTERNAL naming the field, after the good ones', async () => {
    const { messages, error } = await readStream(client.Track({ ticketId: 'wrong' }));
    expect(messages.map((m) => m.stage)).toEqual(['QUEUED', 'COOKING']);
    expect(error?.code).toBe(grpcJs.status.INTERNAL);
    expect(error?.details).toContain('field step: expected an integer (int32), got "three"');
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'INTERNAL' });
    expect((await readStream(client.Track({ ticketId: 't_2' }))).messages).toHaveLength(3);
  });
});

describe('client streaming', () => {
  test('the handler sees every message, then replies', async () => {
    const value = await new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
      const call = client.Batch(new grpcJs.Metadata(), {}, (error, v) => (error ? reject(error) : resolve(v)));
      call.write({ dish: 'salad', quantity: 1 });
      call.write({ dish: 'pasta', quantity: 3 });
      call.write({ dish: 'cake', quantity: 2 });
      call.end();
    });
    expect(value).toEqual({ orders: 3, items: 6, dishes: ['salad', 'pasta', 'cake'] });
    expect(stack.engine.journal.list()[0]?.request.body).toHaveLength(3);
  });
});

describe('bidi streaming', () => {
  test('the handler writes at any time and reacts to each message', async () => {
    const call = client.Chat();
    const received: Record<string, unknown>[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      call.on('data', (m: Record<string, unknown>) => {
        received.push(m);
        if (received.length === 1) call.write({ text: 'hello' });
        if (received.length === 2) {
          call.write({ text: 'world' });
          call.end();
        }
      });
      call.on('error', reject);
      call.on('end', () => resolve());
    });
    await finished;
    expect(received.map((m) => m.text)).toEqual(['welcome', 'echo hello', 'echo world']);
    await waitFor(() => stack.engine.journal.count() === 1);
    const entry = stack.engine.journal.list()[0];
    expect(entry).toMatchObject({ status: 'OK' });
    expect(entry?.request.body).toEqual([
      { text: 'hello', seq: 0 },
      { text: 'world', seq: 0 },
    ]);
  });

  test('a fault returned mid-conversation ends the call with its status', async () => {
    const call = client.Chat();
    const error = await new Promise<grpcJs.ServiceError>((resolve) => {
      call.on('data', () => {});
      call.on('error', resolve);
      call.write({ text: 'hi' });
      call.write({ text: 'bye' });
    });
    expect(error.code).toBe(grpcJs.status.CANCELLED);
    expect(error.details).toBe('bye');
  });
});

describe('auto-mocks', () => {
  test('unimplemented methods answer a realistic, deterministic message', async () => {
    const first = await unary('Menu', { restaurantId: 'r_42' });
    expect(first.error).toBeNull();
    const menu = first.value as { restaurantId: string; chefEmail: string; dishes: Record<string, unknown>[]; stock: Record<string, number> };
    expect(menu.restaurantId).toBe('r_42');
    expect(menu.chefEmail).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
    expect(menu.dishes.length).toBeGreaterThan(0);
    for (const dish of menu.dishes) {
      expect(['STARTER', 'MAIN', 'DESSERT']).toContain(dish.category);
      expect((dish.tags as string[]).length).toBeGreaterThan(0);
      expect(dish.dishId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(Object.keys(menu.stock).length).toBeGreaterThan(0);
    const again = await unary('Menu', { restaurantId: 'r_42' });
    expect(again.value).toEqual(first.value);
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'OK', rule: `contract:${KITCHEN}/Menu` });
  });

  test('other services of the protos are served and auto-mocked too', async () => {
    const bar = new (pick('test.kitchen.v1.Bar'))(address, grpcJs.credentials.createInsecure()) as unknown as { Pour: UnaryMethod } & grpcJs.Client;
    const value = await new Promise<Record<string, unknown> | undefined>((resolve, reject) =>
      bar.Pour({ dish: 'espresso' }, new grpcJs.Metadata(), {}, (e, v) => (e ? reject(e) : resolve(v))),
    );
    bar.close();
    expect(value).toMatchObject({ dish: 'espresso' });
    expect(['STARTER', 'MAIN', 'DESSERT']).toContain(value?.category);
  });
});

describe('rules: times, sequences and near misses', () => {
  test('times and sequence answer in turn; a request no rule matches gets NOT_FOUND naming the nearest rule', async () => {
    const bar = new (pick('test.kitchen.v1.Bar'))(address, grpcJs.credentials.createInsecure()) as unknown as { Tab: UnaryMethod } & grpcJs.Client;
    const tab = (dish: string) =>
      new Promise<UnaryResult>((resolve) => {
        let trailers: grpcJs.Metadata | undefined;
        const call = bar.Tab({ dish }, new grpcJs.Metadata(), {}, (error, value) =>
          setImmediate(() => resolve({ error, value, headers: undefined, trailers })),
        );
        call.on('status', (s) => (trailers = s.metadata));
      });
    expect((await tab('espresso')).error?.code).toBe(grpcJs.status.UNAVAILABLE);
    expect((await tab('espresso')).value?.ticketId).toBe('one');
    expect((await tab('espresso')).value?.ticketId).toBe('two');
    expect((await tab('espresso')).value?.ticketId).toBe('two');
    const miss = await tab('tea');
    bar.close();
    expect(miss.error?.code).toBe(grpcJs.status.NOT_FOUND);
    expect(miss.error?.details).toContain('$.dish is "tea", wanted "espresso"');
    expect(miss.trailers?.get('x-mockstack-unmatched')).toEqual(['1']);
    const entry = stack.engine.journal.list().at(-1);
    expect(entry).toMatchObject({ status: 'NOT_FOUND', rule: null });
    expect(entry?.miss?.nearest?.missed.join(' ')).toContain('"tea"');
  });
});

describe('bad input', () => {
  test('a handler answering a wrong-shaped message gets INTERNAL naming the field, journaled; the server keeps serving', async () => {
    const r = await unary('PlaceOrder', { dish: 'wrong' });
    expect(r.error?.code).toBe(grpcJs.status.INTERNAL);
    expect(r.error?.details).toContain('field quantity');
    expect(r.error?.details).toContain('test.kitchen.v1.Ticket');
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'INTERNAL', code: 'INTERNAL' });
    expect(stack.engine.journal.list()[0]?.error).toContain('field quantity');
    expect((await unary('PlaceOrder', ok)).error).toBeNull();
  });

  test('a fault whose details name an unknown type answers INTERNAL saying so, journaled; the server keeps serving', async () => {
    const bar = new (pick('test.kitchen.v1.Bar'))(address, grpcJs.credentials.createInsecure()) as unknown as { Tab: UnaryMethod } & grpcJs.Client;
    const error = await new Promise<grpcJs.ServiceError | null>((resolve) => bar.Tab({ dish: 'bad-details' }, new grpcJs.Metadata(), {}, (e) => resolve(e)));
    bar.close();
    expect(error?.code).toBe(grpcJs.status.INTERNAL);
    expect(error?.details).toContain('cannot send fault ABORTED: its details or headers do not encode');
    expect(error?.details).toContain('no.such.Detail');
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'INTERNAL', code: 'INTERNAL' });
    expect((await unary('PlaceOrder', ok)).error).toBeNull();
  });

  test('an answer with metadata grpc-js refuses answers INTERNAL naming it, journaled; the server keeps serving', async () => {
    const bar = new (pick('test.kitchen.v1.Bar'))(address, grpcJs.credentials.createInsecure()) as unknown as { Tab: UnaryMethod } & grpcJs.Client;
    const error = await new Promise<grpcJs.ServiceError | null>((resolve) => bar.Tab({ dish: 'bad-header' }, new grpcJs.Metadata(), {}, (e) => resolve(e)));
    bar.close();
    expect(error?.code).toBe(grpcJs.status.INTERNAL);
    expect(error?.details).toContain('bad key');
    expect(stack.engine.journal.list()[0]).toMatchObject({ status: 'INTERNAL', code: 'INTERNAL' });
    expect((await unary('PlaceOrder', ok)).error).toBeNull();
  });

  test('a bidi handler writing a wrong-shaped message ends the call with INTERNAL', async () => {
    const call = client.Chat();
    const error = await new Promise<grpcJs.ServiceError>((resolve) => {
      call.on('data', () => {});
      call.on('error', resolve);
      call.write({ text: 'bad' });
    });
    expect(error.code).toBe(grpcJs.status.INTERNAL);
    expect(error.details).toContain('field seq');
    expect((await unary('PlaceOrder', ok)).error).toBeNull();
  });

  test('a malformed or truncated message from the client answers INVALID_ARGUMENT; the server keeps serving', async () => {
    const raw = new grpcJs.Client(address, grpcJs.credentials.createInsecure());
    const send = (bytes: Buffer): Promise<grpcJs.ServiceError | null> =>
      new Promise((resolve) => {
        raw.makeUnaryRequest(
          `/${KITCHEN}/PlaceOrder`,
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          (error) => resolve(error),
        );
      });
    // Field 1 (string) claims 100 bytes but only 3 follow.
    const truncated = await send(Buffer.from([0x0a, 100, 0x61, 0x62, 0x63]));
    expect(truncated?.code).toBe(grpcJs.status.INVALID_ARGUMENT);
    expect(truncated?.details).toContain('test.kitchen.v1.OrderRequest');
    // Wire type 7 does not exist.
    const garbage = await send(Buffer.from([0x0f, 0xff, 0xff]));
    expect(garbage?.code).toBe(grpcJs.status.INVALID_ARGUMENT);
    raw.close();
    expect(stack.engine.journal.list().map((e) => e.status)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    expect((await unary('PlaceOrder', ok)).error).toBeNull();
  });
});

/** A grpc.health.v1 client of the stack, from grpc-health-check's proto (what health probes speak). */
function healthClient(): grpcJs.Client & {
  Check(r: object, cb: (e: grpcJs.ServiceError | null, v?: { status: string }) => void): void;
  List(r: object, cb: (e: grpcJs.ServiceError | null, v?: { statuses: Record<string, { status: string }> }) => void): void;
  Watch(r: object): grpcJs.ClientReadableStream<{ status: string }>;
} {
  const healthDef = grpcJs.loadPackageDefinition(
    loadSync(require.resolve('grpc-health-check/proto/health/v1/health.proto'), { keepCase: true, enums: String }),
  );
  const Health = (healthDef.grpc as Record<string, Record<string, Record<string, ClientConstructor>>>).health?.v1?.Health as ClientConstructor;
  return new Health(address, grpcJs.credentials.createInsecure()) as ReturnType<typeof healthClient>;
}

describe('reflection and health', () => {
  test('grpc.health.v1.Health reports SERVING for the server and each service, NOT_SERVING while a variant fails the service', async () => {
    const health = healthClient();
    const check = (service: string) =>
      new Promise<string | undefined>((resolve, reject) => health.Check({ service }, (e, v) => (e ? reject(e) : resolve(v?.status))));
    expect(await check('')).toBe('SERVING');
    expect(await check(KITCHEN)).toBe('SERVING');
    stack.engine.setVariants(['kitchen-down']);
    expect(await check(KITCHEN)).toBe('NOT_SERVING');
    expect(await check('')).toBe('NOT_SERVING');
    stack.engine.setVariants([]);
    expect(await check(KITCHEN)).toBe('SERVING');
    health.close();
  });

  test('grpc.health.v1.Health: Check of an unknown service is NOT_FOUND, Watch streams the status, List names every service', async () => {
    const health = healthClient();
    try {
      const unknown = await new Promise<grpcJs.ServiceError | null>((resolve) => health.Check({ service: 'no.such.Service' }, (e) => resolve(e)));
      expect(unknown?.code).toBe(grpcJs.status.NOT_FOUND);
      expect(unknown?.details).toContain('no.such.Service');
      const list = await new Promise<Record<string, { status: string }> | undefined>((resolve, reject) =>
        health.List({}, (e, v) => (e ? reject(e) : resolve(v?.statuses))),
      );
      expect(list).toEqual({ '': { status: 'SERVING' }, [KITCHEN]: { status: 'SERVING' }, 'test.kitchen.v1.Bar': { status: 'SERVING' } });
      const watch = health.Watch({ service: KITCHEN });
      const seen: string[] = [];
      const twoStatuses = new Promise<void>((resolve) =>
        watch.on('data', ({ status }: { status: string }) => {
          seen.push(status);
          if (seen.length === 2) resolve();
        }),
      );
      const cancelled = new Promise((resolve) => watch.on('error', resolve));
      // The watcher hears of a variant that fails the service as soon as it is switched on.
      await new Promise((resolve) => setTimeout(resolve, 50));
      stack.engine.setVariants(['kitchen-down']);
      await twoStatuses;
      expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
      watch.cancel();
      await cancelled;
      const unknownWatch = health.Watch({ service: 'no.such.Service' });
      unknownWatch.on('error', () => {});
      expect(await new Promise((resolve) => unknownWatch.once('data', (v: { status: string }) => resolve(v.status)))).toBe('SERVICE_UNKNOWN');
      unknownWatch.cancel();
    } finally {
      stack.engine.setVariants([]);
      health.close();
    }
  });

  test('server reflection lists the services and serves their descriptors', async () => {
    const reflectionDef = grpcJs.loadPackageDefinition(
      loadSync(require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'), { keepCase: true }),
    );
    const Reflection = (reflectionDef.grpc as Record<string, Record<string, Record<string, ClientConstructor>>>).reflection?.v1
      ?.ServerReflection as ClientConstructor;
    const reflection = new Reflection(address, grpcJs.credentials.createInsecure()) as grpcJs.Client & {
      ServerReflectionInfo(): grpcJs.ClientDuplexStream<object, Record<string, Record<string, unknown>>>;
    };
    const call = reflection.ServerReflectionInfo();
    const responses: Record<string, Record<string, unknown>>[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (r: Record<string, Record<string, unknown>>) => {
        responses.push(r);
        if (responses.length === 2) call.end();
      });
      call.on('end', resolve);
      call.on('error', reject);
    });
    call.write({ list_services: '*' });
    call.write({ file_containing_symbol: KITCHEN });
    await done;
    reflection.close();
    const names = ((responses[0]?.list_services_response?.service ?? []) as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining([KITCHEN, 'test.kitchen.v1.Bar', 'grpc.health.v1.Health']));
    const files = responses[1]?.file_descriptor_response?.file_descriptor_proto as Buffer[];
    expect(files.length).toBeGreaterThan(0);
    // What grpcurl does next: read the descriptors to learn the methods and message types.
    const descriptor = require('protobufjs/ext/descriptor') as { FileDescriptorProto: protobuf.Type };
    const decoded = files.map((f) => descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(f)) as FileDescriptor);
    const kitchen = decoded.flatMap((f) => f.service ?? []).find((s) => s.name === 'Kitchen');
    expect(kitchen?.method.map((m) => `${m.name}${m.serverStreaming ? ' (server stream)' : ''}${m.clientStreaming ? ' (client stream)' : ''}`)).toEqual([
      'PlaceOrder',
      'Track (server stream)',
      'Batch (client stream)',
      'Chat (server stream) (client stream)',
      'Menu',
    ]);
    const types = decoded.flatMap((f) => (f.messageType ?? []).map((m) => `${f.package}.${m.name}`));
    expect(types).toEqual(expect.arrayContaining(['test.kitchen.v1.OrderRequest', 'test.shared.v1.Price', 'google.protobuf.Timestamp']));
  });
});

interface FileDescriptor {
  package: string;
  messageType?: { name: string }[];
  service?: { name: string; method: { name: string; serverStreaming?: boolean; clientStreaming?: boolean }[] }[];
}

async function readStream(
  call: grpcJs.ClientReadableStream<Record<string, unknown>>,
): Promise<{ messages: Record<string, unknown>[]; error?: grpcJs.ServiceError; headers?: grpcJs.Metadata; trailers?: grpcJs.Metadata }> {
  const messages: Record<string, unknown>[] = [];
  let headers: grpcJs.Metadata | undefined;
  let error: grpcJs.ServiceError | undefined;
  call.on('metadata', (m) => (headers = m));
  call.on('data', (m: Record<string, unknown>) => messages.push(m));
  call.on('error', (e: grpcJs.ServiceError) => (error = e));
  const status = await new Promise<grpcJs.StatusObject>((resolve) => call.on('status', resolve));
  return { messages, ...(error && { error }), ...(headers && { headers }), trailers: status.metadata };
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}
