/**
 * GraphQL subscriptions on the GraphQL service's own port and path: WebSocket (graphql-ws) and SSE
 * (graphql-sse), with real clients (graphql-ws's, graphql-sse's, Apollo Client's and urql's) over real sockets.
 */
import { resolve } from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { startStack, type TestStack } from '@mockstack/testing';
import { cacheExchange, fetchExchange, Client as UrqlClient } from '@urql/core';
import type { ExecutionResult } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';
import { fault, graphql, respond, rest, scenario } from 'mockstack';
import { SubscriptionClient } from 'subscriptions-transport-ws';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { eventually } from '../helpers/eventually.js';
import { GOOD_KEY, rawHandshake } from '../helpers/raw-handshake.js';

const schema = resolve(import.meta.dirname, '../fixtures/contracts/live-orders.graphql');

interface Order {
  id: string;
  status: string;
  totalCents?: number;
}
interface State {
  orders: Map<string, Order>;
}

const live = scenario('live-orders', { seed: 11, state: (): State => ({ orders: new Map([['o1', { id: 'o1', status: 'PLACED', totalCents: 4200 }]]) }) })
  .services({
    shop: rest({}, [
      rest.post('/orders/:id/pay', ({ params, state, publish }) => {
        const order = state.orders.get(params.id);
        if (!order) return fault.notFound(`order ${params.id}`);
        order.status = 'PAID';
        const subscribers = publish('orderUpdated', order);
        return { ...order, subscribers };
      }),
      rest.post('/announcements', ({ body, publish }) => ({ subscribers: publish('announcement', String((body as { text?: unknown }).text)) })),
    ]),
    live: graphql(
      { schema, path: '/graphql', subscriptions: { events: 3, interval: 5 } },
      { Query: { order: (_, { id }, { state }) => (state as State).orders.get(String(id)) ?? null } },
      [
        graphql.subscription('orderUpdated', { match: { args: { id: 'o1' } } }, ({ args, state }) =>
          graphql.stream([{ ...(state as State).orders.get(String(args.id)) }], { open: true }),
        ),
        graphql.subscription(
          'orderUpdated',
          { match: { args: { id: 'fast' } } },
          graphql.stream([{ id: 'fast', status: 'PAID' }, graphql.pause(5), { id: 'fast', status: 'SHIPPED' }], { interval: 5 }),
        ),
        graphql.subscription(
          'orderUpdated',
          { match: { args: { id: 'broken' } } },
          graphql.stream([{ id: 'broken', status: 'PAID' }, fault.internal('the order feed broke')]),
        ),
        graphql.subscription('orderUpdated', { match: { args: { id: 'dropped' } } }, graphql.stream([{ id: 'dropped', status: 'PAID' }, fault.drop()])),
        graphql.subscription('orderUpdated', { match: { args: { id: 'refused' } } }, fault.permissionDenied('not your order')),
        graphql.subscription('announcement', graphql.stream([], { open: true })),
        // Operation rules answer over the subscription transports as over HTTP
        // (`as never`: the generated contract types describe the repository's catalog schema, not this fixture's)
        graphql.query('VipOrder', { order: { id: 'vip', status: 'SHIPPED' } } as never),
        graphql.query('RawOrder', respond({ data: { order: { id: 'raw', status: 'PAID' } } })),
        graphql.mutation('CancelOrder', { match: { variables: { id: 'locked' } } }, fault.permissionDenied('order is locked')),
      ],
    ),
  })
  .variants({ 'live-down': { live: fault.unavailable('live updates are down') } });

let stack: TestStack;
let httpUrl: string;
let wsUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startStack(live);
  httpUrl = stack.url('live');
  wsUrl = httpUrl.replace(/^http/, 'ws');
});

afterEach(async () => {
  stack.variant();
  for (const client of clients.splice(0)) await client.dispose();
});

afterAll(async () => {
  await stack.close();
});

function wsClient(): Client {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  clients.push(client);
  return client;
}

/** Every result of one subscription until it completes. */
async function collect<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<FormattedExecutionResult<T, unknown>[]> {
  const results: FormattedExecutionResult<T, unknown>[] = [];
  for await (const result of client.iterate<T>({ query, ...(variables && { variables }) })) results.push(result);
  return results;
}

/** Waits until the journal has a subscription entry for the operation (the server has subscribed the client). */
async function subscribed(operation: string, count = 1): Promise<void> {
  while (stack.requests({ operation }).filter((e) => e.status === 'subscribed').length < count) await new Promise((r) => setTimeout(r, 5));
}

async function queryStillServed(): Promise<void> {
  const response = await fetch(httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ order(id: "o1") { id status } }' }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ data: { order: { id: 'o1', status: expect.any(String) } } });
}

describe('graphql-ws', () => {
  test('a Subscription field without a rule streams auto-mocked events from the schema, then completes', async () => {
    const results = await collect<{ ticker: { seq: number; price: number; symbol: string } }>(wsClient(), 'subscription { ticker { seq price symbol } }');
    expect(results).toHaveLength(3);
    for (const { data } of results) expect(data?.ticker).toEqual({ seq: expect.any(Number), price: expect.any(Number), symbol: expect.any(String) });
    // Each event is its own value, the same in every run with the same seed.
    expect(new Set(results.map((r) => JSON.stringify(r.data))).size).toBe(3);
    expect(await collect(wsClient(), 'subscription { ticker { seq price symbol } }')).toEqual(results);
  });

  test('a scenario stream sends its events with their pauses, fields it leaves out auto-mocked, then completes', async () => {
    const results = await collect<{ orderUpdated: { id: string; status: string; email: string } }>(
      wsClient(),
      'subscription OnFast { orderUpdated(id: "fast") { id status email } }',
    );
    expect(results.map((r) => r.data?.orderUpdated.status)).toEqual(['PAID', 'SHIPPED']);
    expect(results[0]?.data?.orderUpdated.email).toMatch(/@/);

    const journal = stack.requests({ service: 'live' }).filter((e) => e.operation.includes('Subscription.orderUpdated') && String(e.target).includes('OnFast'));
    expect(journal.map((e) => [e.operation, e.status])).toEqual([
      ['Subscription.orderUpdated', 'subscribed'],
      ['next Subscription.orderUpdated', 'next'],
      ['next Subscription.orderUpdated', 'next'],
    ]);
    expect(journal[0]?.rule).toMatch(/^live#/);
    expect(journal[2]?.response?.body).toEqual({ data: { orderUpdated: { id: 'fast', status: 'SHIPPED', email: expect.any(String) } } });
  });

  test('a REST handler publishes to open subscriptions (shared state, typed publish)', async () => {
    const client = wsClient();
    const events: unknown[] = [];
    const done = new Promise<void>((resolveDone, reject) => {
      const unsubscribe = client.subscribe<{ orderUpdated: Order }>(
        { query: 'subscription { orderUpdated(id: "o1") { id status totalCents } }' },
        {
          next: (result) => {
            events.push(result.data?.orderUpdated);
            if (events.length === 2) unsubscribe();
          },
          error: reject,
          complete: resolveDone,
        },
      );
    });
    await subscribed(
      'Subscription.orderUpdated',
      stack.requests({ operation: 'Subscription.orderUpdated' }).filter((e) => e.status === 'subscribed').length + 1,
    );
    const paid = await fetch(`${stack.url('shop')}/orders/o1/pay`, { method: 'POST' });
    expect(await paid.json()).toEqual({ id: 'o1', status: 'PAID', totalCents: 4200, subscribers: 1 });
    await done;
    expect(events).toEqual([
      { id: 'o1', status: 'PLACED', totalCents: 4200 },
      { id: 'o1', status: 'PAID', totalCents: 4200 },
    ]);
    // Nobody listens any more once the client unsubscribed.
    const again = await fetch(`${stack.url('shop')}/orders/o1/pay`, { method: 'POST' });
    expect(((await again.json()) as { subscribers: number }).subscribers).toBe(0);
    stack.reset();
  });

  test('a fault in the stream is sent as one error event, then the subscription completes', async () => {
    const results = await collect(wsClient(), 'subscription { orderUpdated(id: "broken") { id status } }');
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({ data: { orderUpdated: { id: 'broken', status: 'PAID' } } });
    expect(results[1]?.errors?.[0]).toMatchObject({ message: 'the order feed broke', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  test('fault.drop() in the stream cuts the connection', async () => {
    const closed = new Promise<number>((resolveClosed) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        on: { closed: (event) => resolveClosed((event as { code: number }).code) },
      });
      clients.push(client);
      client.subscribe({ query: 'subscription { orderUpdated(id: "dropped") { id } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(await closed).toBe(1006);
    await queryStillServed();
  });

  test('a subscription a rule refuses, or a variant takes down, is answered with the protocol error message', async () => {
    await expect(collect(wsClient(), 'subscription { orderUpdated(id: "refused") { id } }')).rejects.toEqual([
      expect.objectContaining({ message: 'not your order', extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
    stack.variant('live-down');
    await expect(collect(wsClient(), 'subscription { ticker { seq } }')).rejects.toEqual([
      expect.objectContaining({ message: 'live updates are down', extensions: expect.objectContaining({ code: 'UNAVAILABLE' }) }),
    ]);
  });

  test('queries and mutations work over the same WebSocket', async () => {
    const results = await collect<{ order: Order }>(wsClient(), '{ order(id: "o1") { id status } }');
    expect(results).toEqual([{ data: { order: { id: 'o1', status: 'PLACED' } } }]);
  });

  test('operation rules answer queries and mutations over WebSocket, journaled with the rule', async () => {
    const client = wsClient();
    expect(await collect(client, 'query VipOrder { order(id: "x") { id status } }')).toEqual([{ data: { order: { id: 'vip', status: 'SHIPPED' } } }]);
    expect(await collect(client, 'query RawOrder { order(id: "x") { id } }')).toEqual([{ data: { order: { id: 'raw', status: 'PAID' } } }]);
    await expect(collect(client, 'mutation CancelOrder($id: ID!) { cancelOrder(id: $id) { id } }', { id: 'locked' })).rejects.toEqual([
      expect.objectContaining({ message: 'order is locked', extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
    // A mutation no rule matches: the schema answers (auto-mocked)
    const [cancelled] = await collect<{ cancelOrder: Order }>(client, 'mutation CancelOrder($id: ID!) { cancelOrder(id: $id) { id } }', { id: 'o1' });
    expect(cancelled?.data?.cancelOrder.id).toEqual(expect.any(String));
    expect(
      stack
        .requests({ service: 'live' })
        .slice(-4)
        .map((e) => `${e.operation} ${e.status} ${e.rule}`),
    ).toEqual([
      expect.stringMatching(/^query VipOrder next live#\d+$/),
      expect.stringMatching(/^query RawOrder next live#\d+$/),
      expect.stringMatching(/^mutation CancelOrder error live#\d+$/),
      'mutation CancelOrder next null',
    ]);
    // A variant takes queries over WebSocket down too
    stack.variant('live-down');
    await expect(collect(client, '{ order(id: "o1") { id } }')).rejects.toEqual([expect.objectContaining({ message: 'live updates are down' })]);
  });
});

describe('bad input over WebSocket', () => {
  /** Opens a raw WebSocket and returns how the server closed it (or the HTTP status it refused the upgrade with). */
  function rawSocket(path: string, protocol: string | undefined, messages: unknown[]): Promise<{ code?: number; reason?: string; status?: number }> {
    return new Promise((resolveSocket) => {
      const socket = new WebSocket(`${wsUrl.replace(/\/graphql$/, '')}${path}`, protocol);
      socket.on('open', () => {
        for (const message of messages) socket.send(JSON.stringify(message));
      });
      socket.on('close', (code, reason) => resolveSocket({ code, reason: reason.toString() }));
      socket.on('unexpected-response', (_request, response) => {
        resolveSocket({ status: response.statusCode ?? 0 });
        socket.terminate();
      });
      socket.on('error', () => {});
    });
  }

  test('with a `path`, an upgrade to another path is refused with 404', async () => {
    expect(await rawSocket('/subscriptions', 'graphql-transport-ws', [])).toEqual({ status: 404 });
    expect(stack.requests({ service: 'live' }).at(-1)).toMatchObject({ status: 404, target: 'GET /subscriptions (WebSocket upgrade)' });
    await queryStillServed();
  });

  test('a handshake ws finds malformed (bad key, old version, POST) is refused with 400 or 405 as GraphQL errors, and journaled', async () => {
    const url = `${wsUrl.replace(/\/graphql$/, '')}/graphql`;
    const cases: [Record<string, string>, string, number, RegExp][] = [
      [{ 'sec-websocket-key': 'not-a-key', 'sec-websocket-version': '13', 'sec-websocket-protocol': 'graphql-transport-ws' }, 'GET', 400, /Sec-WebSocket-Key/],
      [{ 'sec-websocket-key': GOOD_KEY, 'sec-websocket-version': '12', 'sec-websocket-protocol': 'graphql-transport-ws' }, 'GET', 400, /Sec-WebSocket-Version/],
      [{ 'sec-websocket-key': GOOD_KEY, 'sec-websocket-version': '13', 'sec-websocket-protocol': 'graphql-transport-ws' }, 'POST', 405, /Invalid HTTP method/],
    ];
    for (const [headers, method, status, message] of cases) {
      const answer = await rawHandshake(url, headers, method);
      expect(answer.status).toBe(status);
      expect(JSON.parse(answer.body).errors[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_REQUEST' } });
      await eventually(async () => expect(stack.requests({ service: 'live' }).at(-1)).toMatchObject({ status, target: 'GET /graphql (WebSocket upgrade)' }));
    }
    await queryStillServed();
  });

  test('subscribe before connection_init closes with 4401 Unauthorized', async () => {
    const closed = await rawSocket('/graphql', 'graphql-transport-ws', [{ id: '1', type: 'subscribe', payload: { query: 'subscription { ticker { seq } }' } }]);
    expect(closed).toEqual({ code: 4401, reason: 'Unauthorized' });
    await queryStillServed();
  });

  test('a message that is not graphql-transport-ws closes with 4400', async () => {
    const closed = await rawSocket('/graphql', 'graphql-transport-ws', [{ type: 'connection_init' }, { hello: 'there' }]);
    expect(closed.code).toBe(4400);
    await queryStillServed();
  });

  test('another subprotocol is refused with 4406, naming the two served', async () => {
    const closed = await rawSocket('/graphql', 'graphql-foo', [{ type: 'connection_init', payload: {} }]);
    expect(closed.code).toBe(4406);
    expect(closed.reason).toMatch(/graphql-transport-ws .*graphql-ws \(subscriptions-transport-ws\)/);
    await queryStillServed();
  });

  test('an unknown subscription field and an invalid document get error messages, and the connection stays usable', async () => {
    const client = wsClient();
    await expect(collect(client, 'subscription { orderDeleted { id } }')).rejects.toEqual([
      expect.objectContaining({ message: expect.stringContaining('Cannot query field "orderDeleted" on type "Subscription"') }),
    ]);
    await expect(collect(client, 'subscription { ticker { seq ')).rejects.toEqual([
      expect.objectContaining({ message: expect.stringMatching(/Syntax Error/) }),
    ]);
    expect(stack.requests({ service: 'live' }).at(-1)).toMatchObject({ status: 'error', error: expect.stringMatching(/Syntax Error/) });
    expect(await collect(client, 'subscription { ticker { seq } }')).toHaveLength(3);
    await queryStillServed();
  });

  test('a subscription sent as a plain HTTP request says where subscriptions are served', async () => {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { ticker { seq } }' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(
      /WebSocket \(graphql-ws\), server-sent events .* or multipart HTTP/,
    );
  });
});

describe('subscriptions-transport-ws (the legacy protocol, subprotocol graphql-ws)', () => {
  const legacyClients: SubscriptionClient[] = [];
  afterEach(() => {
    for (const client of legacyClients.splice(0)) client.close();
  });

  function legacyClient(): SubscriptionClient {
    const client = new SubscriptionClient(wsUrl, { reconnect: false, lazy: true }, WebSocket);
    legacyClients.push(client);
    return client;
  }

  /** Every result of one operation until it completes (a refused operation's errors come as a result, as the library's own server sends them). */
  function legacyCollect<T = Record<string, unknown>>(
    client: SubscriptionClient,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<ExecutionResult<T>[]> {
    return new Promise((resolveAll, reject) => {
      const results: ExecutionResult<T>[] = [];
      client.request({ query, ...(variables && { variables }) }).subscribe({
        next: (result) => results.push(result as ExecutionResult<T>),
        error: reject,
        complete: () => resolveAll(results),
      });
    });
  }

  /** The messages a raw socket of the legacy protocol receives after sending `messages`, until `until` says enough. */
  function legacyExchange(messages: unknown[], until: (received: { type: string; id?: string; payload?: unknown }[]) => boolean) {
    return new Promise<{ type: string; id?: string; payload?: unknown }[]>((resolveAll, reject) => {
      const socket = new WebSocket(wsUrl, 'graphql-ws');
      const received: { type: string; id?: string; payload?: unknown }[] = [];
      socket.on('open', () => {
        for (const message of messages) socket.send(typeof message === 'string' ? message : JSON.stringify(message));
      });
      socket.on('message', (data) => {
        received.push(JSON.parse(String(data)));
        if (until(received)) {
          socket.close();
          resolveAll(received);
        }
      });
      socket.on('close', () => resolveAll(received));
      socket.on('error', reject);
    });
  }

  test('auto-mocked and scenario streams: a data message per event, then complete', async () => {
    const client = legacyClient();
    const ticks = await legacyCollect<{ ticker: { seq: number; symbol: string } }>(client, 'subscription { ticker { seq symbol } }');
    expect(ticks).toHaveLength(3);
    for (const { data } of ticks) expect(data?.ticker).toEqual({ seq: expect.any(Number), symbol: expect.any(String) });
    // The same events as over graphql-ws: one seeded stream, whatever the transport.
    expect(ticks).toEqual(await collect(wsClient(), 'subscription { ticker { seq symbol } }'));
    const fast = await legacyCollect<{ orderUpdated: Order }>(client, 'subscription OnFast { orderUpdated(id: "fast") { id status } }');
    expect(fast.map((r) => r.data?.orderUpdated.status)).toEqual(['PAID', 'SHIPPED']);
    expect(stack.requests({ service: 'live' }).some((e) => String(e.target).includes('(subscriptions-transport-ws)'))).toBe(true);
  });

  test('a REST handler publishes to a legacy subscription; unsubscribing (stop) ends it on the server', async () => {
    const client = legacyClient();
    const events: unknown[] = [];
    const before = stack.requests({ operation: 'Subscription.orderUpdated' }).filter((e) => e.status === 'subscribed').length;
    const second = new Promise<void>((resolveSecond, reject) => {
      const subscription = client.request({ query: 'subscription { orderUpdated(id: "o1") { id status } }' }).subscribe({
        next: (result) => {
          events.push(result.data?.orderUpdated);
          if (events.length === 2) {
            subscription.unsubscribe();
            resolveSecond();
          }
        },
        error: reject,
      });
    });
    await subscribed('Subscription.orderUpdated', before + 1);
    const paid = await fetch(`${stack.url('shop')}/orders/o1/pay`, { method: 'POST' });
    expect(((await paid.json()) as { subscribers: number }).subscribers).toBe(1);
    await second;
    expect(events).toEqual([
      { id: 'o1', status: 'PLACED' },
      { id: 'o1', status: 'PAID' },
    ]);
    // The stop reached the server: nobody listens any more.
    for (let n = 1; n > 0; await new Promise((r) => setTimeout(r, 10))) {
      const again = await fetch(`${stack.url('shop')}/orders/o1/pay`, { method: 'POST' });
      n = ((await again.json()) as { subscribers: number }).subscribers;
    }
    stack.reset();
  });

  test('queries, mutations and operation rules over the same socket; refusals and bad documents are answered with errors and the socket stays usable', async () => {
    const client = legacyClient();
    expect(await legacyCollect(client, '{ order(id: "o1") { id status } }')).toEqual([{ data: { order: { id: 'o1', status: 'PLACED' } } }]);
    expect(await legacyCollect(client, 'query VipOrder { order(id: "x") { id status } }')).toEqual([{ data: { order: { id: 'vip', status: 'SHIPPED' } } }]);
    const [locked] = await legacyCollect(client, 'mutation CancelOrder($id: ID!) { cancelOrder(id: $id) { id } }', { id: 'locked' });
    expect(locked?.errors?.[0]).toMatchObject({ message: 'order is locked', extensions: { code: 'FORBIDDEN' } });
    const [refused] = await legacyCollect(client, 'subscription { orderUpdated(id: "refused") { id } }');
    expect(refused?.errors?.[0]).toMatchObject({ message: 'not your order', extensions: { code: 'FORBIDDEN' } });
    const [unknown] = await legacyCollect(client, 'subscription { orderDeleted { id } }');
    expect(unknown?.errors?.[0]?.message).toContain('Cannot query field "orderDeleted" on type "Subscription"');
    const [syntax] = await legacyCollect(client, 'subscription { ticker { seq ');
    expect(syntax?.errors?.[0]?.message).toMatch(/Syntax Error/);
    // A fault in the stream is one error event, then the subscription completes
    const broken = await legacyCollect(client, 'subscription { orderUpdated(id: "broken") { id status } }');
    expect(broken[1]?.errors?.[0]).toMatchObject({ message: 'the order feed broke' });
    expect(await legacyCollect(client, 'subscription { ticker { seq } }')).toHaveLength(3);
    await queryStillServed();
  });

  test('connection_init is acknowledged and followed by a keep-alive; a message that is not JSON or of no known type gets an error and the socket goes on', async () => {
    const received = await legacyExchange(
      [
        { type: 'connection_init', payload: {} },
        'not json',
        { type: 'subscribe', id: '1' },
        { type: 'start', id: '2', payload: { query: '{ order(id: "o1") { id } }' } },
      ],
      (messages) => messages.some((m) => m.type === 'complete'),
    );
    expect(received.map((m) => m.type)).toEqual(['connection_ack', 'ka', 'connection_error', 'error', 'data', 'complete']);
    expect(received[3]).toMatchObject({ id: '1', payload: { message: expect.stringContaining('unknown message type "subscribe"') } });
    expect(received[4]).toEqual({ type: 'data', id: '2', payload: { data: { order: { id: 'o1' } } } });
    await queryStillServed();
  });
});

describe('graphql-sse', () => {
  test('distinct connections: auto-mocked and scenario events over an event stream', async () => {
    const client = createSseClient({ url: httpUrl, retryAttempts: 0 });
    try {
      const ticks: unknown[] = [];
      for await (const result of client.iterate({ query: 'subscription { ticker { seq symbol } }' })) ticks.push(result.data);
      expect(ticks).toHaveLength(3);
      const orders: unknown[] = [];
      for await (const result of client.iterate({ query: 'subscription { orderUpdated(id: "fast") { status } }' })) orders.push(result.data);
      expect(orders).toEqual([{ orderUpdated: { status: 'PAID' } }, { orderUpdated: { status: 'SHIPPED' } }]);
      // Operation rules answer over SSE too
      const vip: unknown[] = [];
      for await (const result of client.iterate({ query: 'query VipOrder { order(id: "x") { id status } }' })) vip.push(result.data);
      expect(vip).toEqual([{ order: { id: 'vip', status: 'SHIPPED' } }]);
    } finally {
      client.dispose();
    }
    await queryStillServed();
  });

  test('single connection: a REST handler publishes to the subscription', async () => {
    const client = createSseClient({ url: httpUrl, singleConnection: true, retryAttempts: 0 });
    try {
      const before = stack.requests({ operation: 'Subscription.announcement' }).length;
      const received = (async () => {
        for await (const result of client.iterate<{ announcement: string }>({ query: 'subscription { announcement }' })) return result.data?.announcement;
        return undefined;
      })();
      await subscribed('Subscription.announcement', before + 1);
      const posted = await fetch(`${stack.url('shop')}/announcements`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'doors open at 9' }),
      });
      expect(await posted.json()).toEqual({ subscribers: 1 });
      expect(await received).toBe('doors open at 9');
    } finally {
      client.dispose();
    }
    await queryStillServed();
  });

  test('an invalid document over SSE gets the errors, and serving continues', async () => {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { nope }' }),
    });
    const text = await response.text();
    expect(text).toContain('Cannot query field');
    await queryStillServed();
  });
});

describe('accept headers that list an event stream beside JSON', () => {
  // urql sends `application/graphql-response+json, application/graphql+json, application/json,
  // text/event-stream, multipart/mixed` with every query and mutation.
  test('urql: queries and mutations are answered as JSON, a subscription (fetchSubscriptions) over SSE', async () => {
    const urql = new UrqlClient({ url: httpUrl, exchanges: [cacheExchange, fetchExchange], fetchSubscriptions: true });
    const order = await urql.query('query Order($id: ID!) { order(id: $id) { id status } }', { id: 'o1' }).toPromise();
    expect(order.error).toBeUndefined();
    expect(order.data).toEqual({ order: { __typename: 'Order', id: 'o1', status: 'PLACED' } });
    const cancelled = await urql.mutation('mutation CancelOrder($id: ID!) { cancelOrder(id: $id) { id } }', { id: 'locked' }).toPromise();
    expect(cancelled.error?.graphQLErrors[0]?.message).toMatch(/order is locked/);
    const statuses = await new Promise<string[]>((resolveAll, reject) => {
      const seen: string[] = [];
      const subscription = urql.subscription('subscription { orderUpdated(id: "fast") { id status } }', {}).subscribe((result) => {
        if (result.error) reject(result.error);
        // An event has hasNext; the stream's end comes as one more result (the last data again) without it.
        else if (result.hasNext) seen.push((result.data as { orderUpdated: Order }).orderUpdated.status);
        if (!result.hasNext) {
          subscription.unsubscribe();
          resolveAll(seen);
        }
      });
    });
    expect(statuses).toEqual(['PAID', 'SHIPPED']);
    await queryStillServed();
  });

  test('the answer type follows the operation: JSON for a query, an event stream for a subscription', async () => {
    const ask = (query: string, accept: string) =>
      fetch(httpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query }) });
    const mixed = 'application/json, text/event-stream';
    const query = await ask('{ order(id: "o1") { id } }', mixed);
    expect(query.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await query.json()).toEqual({ data: { order: { id: 'o1' } } });
    const subscription = await ask('subscription { orderUpdated(id: "fast") { status } }', mixed);
    expect(subscription.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await subscription.text()).toMatch(/event: next\ndata: \{"data":\{"orderUpdated":\{"status":"PAID"\}\}\}[\s\S]*"SHIPPED"[\s\S]*event: complete/);
    // JSON refused (q=0): an event stream, as for `accept: text/event-stream` alone
    const noJson = await ask('{ order(id: "o1") { id } }', 'text/event-stream, application/json;q=0');
    expect(noJson.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await noJson.text();
  });
});

describe('multipart HTTP subscriptions (Apollo Client HttpLink)', () => {
  const APOLLO_ACCEPT = 'multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/json';
  const subscribe = (query: string, signal?: AbortSignal) =>
    fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: APOLLO_ACCEPT },
      body: JSON.stringify({ query }),
      ...(signal && { signal }),
    });

  test('HttpLink receives a scenario stream over multipart HTTP, queries over the same link as JSON', async () => {
    const apollo = new ApolloClient({ link: new HttpLink({ uri: httpUrl }), cache: new InMemoryCache() });
    try {
      const statuses = await new Promise<string[]>((resolveAll, reject) => {
        const seen: string[] = [];
        apollo.subscribe<{ orderUpdated: { id: string; status: string } }>({ query: gql`subscription { orderUpdated(id: "fast") { id status } }` }).subscribe({
          next: (result) => {
            if (result.error) reject(result.error);
            else if (result.data) seen.push(result.data.orderUpdated.status);
          },
          error: reject,
          complete: () => resolveAll(seen),
        });
      });
      expect(statuses).toEqual(['PAID', 'SHIPPED']);
      const { data } = await apollo.query<{ order: Order }>({ query: gql`{ order(id: "o1") { id status } }` });
      expect(data?.order).toMatchObject({ id: 'o1', status: 'PLACED' });
      // A subscription a rule refuses: the errors reach the client, the link keeps working
      const refused = await new Promise<string>((resolveOne) => {
        apollo.subscribe({ query: gql`subscription { orderUpdated(id: "refused") { id } }` }).subscribe({
          next: (result) => resolveOne(String(result.error?.message)),
          error: (error: Error) => resolveOne(error.message),
        });
      });
      expect(refused).toMatch(/not your order/);
    } finally {
      apollo.stop();
    }
    await queryStillServed();
  });

  test('the wire format: JSON parts between --graphql delimiters, each part ended by the next, then the close delimiter', async () => {
    const response = await subscribe('subscription { orderUpdated(id: "fast") { status } }');
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    const part = (body: unknown) => `\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${JSON.stringify(body)}\r\n--graphql`;
    expect(await response.text()).toBe(
      `\r\n--graphql${part({ payload: { data: { orderUpdated: { status: 'PAID' } } } })}${part({ payload: { data: { orderUpdated: { status: 'SHIPPED' } } } })}--\r\n`,
    );
    // Not a valid subscription: answered as GraphQL over HTTP (the accept header lists JSON too)
    const invalid = await subscribe('subscription { nope }');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ errors: [{ message: 'Cannot query field "nope" on type "Subscription".' }] });
    await queryStillServed();
  });

  test('a client that goes away ends its subscription on the server', async () => {
    const announce = async () =>
      (
        (await (
          await fetch(`${stack.url('shop')}/announcements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' })
        ).json()) as { subscribers: number }
      ).subscribers;
    const others = await announce();
    const before = stack.requests({ operation: 'Subscription.announcement' }).length;
    const controller = new AbortController();
    const response = await subscribe('subscription { announcement }', controller.signal);
    await subscribed('Subscription.announcement', before + 1);
    expect(await announce()).toBe(others + 1);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    while (!received.includes('"announcement":"hi"')) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    while ((await announce()) !== others) await new Promise((r) => setTimeout(r, 5));
    await queryStillServed();
  });
});

describe('Apollo Client', () => {
  test('GraphQLWsLink receives a scenario stream', async () => {
    const wsLinkClient = wsClient();
    const apollo = new ApolloClient({ link: new GraphQLWsLink(wsLinkClient), cache: new InMemoryCache() });
    const statuses = await new Promise<string[]>((resolveAll, reject) => {
      const seen: string[] = [];
      apollo.subscribe<{ orderUpdated: { id: string; status: string } }>({ query: gql`subscription { orderUpdated(id: "fast") { id status } }` }).subscribe({
        next: (result) => {
          if (result.data) seen.push(result.data.orderUpdated.status);
        },
        error: reject,
        complete: () => resolveAll(seen),
      });
    });
    expect(statuses).toEqual(['PAID', 'SHIPPED']);
    apollo.stop();
  });
});

describe('over TLS (the service serves HTTP/2 with HTTP/1.1 kept)', () => {
  test('graphql-ws over wss and graphql-sse through an h2-capable undici agent, trusting the generated CA', async () => {
    const secure = await startStack(scenario('live-tls', {}).services({ live: graphql({ schema, tls: true, subscriptions: { events: 2, interval: 5 } }) }));
    const h2 = new Agent({ connect: { ca: secure.ca as string }, allowH2: true });
    try {
      const ca = secure.ca as string;
      class TrustingWebSocket extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { ca });
        }
      }
      const ws = createClient({ url: secure.url('live').replace(/^https/, 'wss'), webSocketImpl: TrustingWebSocket, retryAttempts: 0 });
      clients.push(ws);
      expect(await collect(ws, 'subscription { ticker { seq } }')).toHaveLength(2);

      const sse = createSseClient({
        url: secure.url('live'),
        retryAttempts: 0,
        fetchFn: (input: string, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher: h2 }),
      });
      try {
        const ticks: unknown[] = [];
        for await (const result of sse.iterate({ query: 'subscription { ticker { seq } }' })) ticks.push(result.data);
        expect(ticks).toHaveLength(2);
      } finally {
        sse.dispose();
      }
    } finally {
      await h2.close();
      await secure.close();
    }
  });
});
