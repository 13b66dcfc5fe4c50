// Three `mockstack up --store redis://…` processes on one real redis-server behave as one mock:
// state, `times`, rate limits, variants, reset, the journal and WireMock mappings added over the admin API are shared; Redis going away makes
// requests fail UNAVAILABLE naming the store, and serving comes back with it, without a restart.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { authorize, type PaymentClient, paymentClient } from '../helpers/payments-client.js';
import { RedisServer } from '../helpers/redis.js';
import { type CliProcess, mockstack } from '../reliability/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'mockstack-replicas-'));

type Result = Record<string, unknown>;

interface Replica {
  process: CliProcess;
  url: Record<'orders' | 'catalog' | 'extras', string>;
  admin: string;
  payments: PaymentClient;
}

let redis: RedisServer;
const replicas: Replica[] = [];

async function startReplica(index: number): Promise<Replica> {
  const ready = join(dir, `replica-${index}.json`);
  const process = mockstack([
    'up',
    'test/fixtures/replicas/scenario.ts',
    '--random-ports',
    '--admin-port',
    '0',
    '--quiet',
    '--store',
    redis.url,
    '--ready-file',
    ready,
  ]);
  const deadline = Date.now() + 60_000;
  while (!existsSync(ready)) {
    if (process.child.exitCode !== null || Date.now() > deadline) throw new Error(`replica ${index} did not start:\n${process.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const { services, admin } = JSON.parse(readFileSync(ready, 'utf8')) as { services: { name: string; url: string; port: number }[]; admin: string };
  const byName = Object.fromEntries(services.map((s) => [s.name, s]));
  const payments = paymentClient(`127.0.0.1:${byName.payments?.port}`);
  return {
    process,
    url: { orders: String(byName.orders?.url), catalog: String(byName.catalog?.url), extras: String(byName.extras?.url) },
    admin,
    payments,
  };
}

/** Round-robin over the replicas: the n-th request goes to replica n mod 3. */
const replica = (n: number): Replica => replicas[n % replicas.length] as Replica;

async function graphql(r: Replica, query: string): Promise<{ data?: Result; errors?: { message: string; extensions?: Result }[] }> {
  const response = await fetch(r.url.catalog, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await response.json()) as { data?: Result; errors?: { message: string; extensions?: Result }[] };
}

const stockOf = async (r: Replica, sku: string): Promise<number> =>
  ((await graphql(r, `{ product(sku: "${sku}") { stock } }`)).data?.product as { stock: number } | undefined)?.stock ?? Number.NaN;

async function admin(r: Replica, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${r.admin}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Polls `check` until it gives true (what another replica did arrives through pub/sub or the stream, within a bounded delay). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  redis = await RedisServer.start();
  replicas.push(...(await Promise.all([1, 2, 3].map(startReplica))));
}, 120_000);

afterAll(async () => {
  for (const r of replicas) {
    r.payments.close();
    r.process.child.kill('SIGTERM');
  }
  await Promise.all(replicas.map((r) => r.process.exited));
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  expect((await admin(replica(0), 'POST', '/reset')).status).toBe(200);
});

test('an order created through replica 1 is read through replica 2 (REST) and 3 (GraphQL stock, gRPC payment)', async () => {
  const sku = 'SKU-HOODIE-GRY-L';
  const stockBefore = await stockOf(replica(2), sku);
  const created = await fetch(`${replica(0).url.orders}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'cus_1', lines: [{ sku, quantity: 2 }] }),
  });
  expect(created.status).toBe(201);
  const order = (await created.json()) as { id: string; totalCents: number };

  const read = await fetch(`${replica(1).url.orders}/orders/${order.id}`);
  expect(read.status).toBe(200);
  expect(await read.json()).toMatchObject({ id: order.id, customerId: 'cus_1', status: 'PENDING_PAYMENT' });
  expect(await stockOf(replica(2), sku)).toBe(stockBefore - 2);

  const units = String(Math.floor(order.totalCents / 100));
  const paid = await authorize(replica(2).payments, { orderId: order.id, amount: { currencyCode: 'EUR', units, nanos: 0 }, cardToken: 'tok_visa' });
  expect(paid.error).toBeNull();
  expect(paid.value).toMatchObject({ status: 'AUTHORIZED' });
  // …and the payment it recorded is seen by the first replica.
  expect(await (await fetch(`${replica(0).url.orders}/orders/${order.id}`)).json()).toMatchObject({ paymentStatus: 'AUTHORIZED' });
});

test('`times: 1` answers once across replicas, and a 10/s rate limit holds across them', async () => {
  const welcomes = await Promise.all(
    Array.from({ length: 9 }, async (_, n) => ((await (await fetch(`${replica(n).url.extras}/welcome`)).json()) as { first: boolean }).first),
  );
  expect(welcomes.filter(Boolean)).toHaveLength(1);

  const started = Date.now();
  const statuses = await Promise.all(Array.from({ length: 30 }, async (_, n) => (await fetch(`${replica(n).url.extras}/limited`)).status));
  // Windows start with their first call: 30 requests within one second let 10 through, not 3 × 10.
  const windows = Math.ceil((Date.now() - started + 1) / 1000);
  const accepted = statuses.filter((s) => s === 200).length;
  expect(accepted).toBeGreaterThanOrEqual(Math.min(10, 30));
  expect(accepted).toBeLessThanOrEqual(10 * windows);
  expect(statuses.filter((s) => s === 429).length).toBe(30 - accepted);
});

test('a variant switched on replica 1 applies on 2 and 3; reset on one resets all; the journal is one', async () => {
  expect((await admin(replica(0), 'PUT', '/variants', { active: ['orders-down'] })).status).toBe(200);
  for (const n of [1, 2]) {
    await eventually(async () => (await fetch(`${replica(n).url.orders}/orders/ord_1001`)).status === 503, `orders-down on replica ${n + 1}`);
    expect(await (await admin(replica(n), 'GET', '/variants')).json()).toMatchObject({ active: ['orders-down'] });
  }
  expect((await admin(replica(2), 'PUT', '/variants', { active: [] })).status).toBe(200);
  for (const n of [0, 1]) await eventually(async () => (await fetch(`${replica(n).url.orders}/orders/ord_1001`)).status === 200, `variants off on ${n + 1}`);

  for (let n = 0; n < 3; n++) await fetch(`${replica(n).url.extras}/counter`, { method: 'POST' });
  expect(await (await fetch(`${replica(0).url.extras}/counter`)).json()).toEqual({ counter: 3 });
  expect((await admin(replica(1), 'POST', '/reset')).status).toBe(200);
  for (const n of [0, 2]) expect(await (await fetch(`${replica(n).url.extras}/counter`)).json()).toEqual({ counter: 0 });

  // Every replica's journal holds every replica's requests.
  for (let n = 0; n < 6; n++) await fetch(`${replica(n).url.extras}/counter?from=${n}`);
  for (const r of replicas) {
    await eventually(async () => {
      const { entries } = (await (await admin(r, 'GET', '/journal?operation=GET%20/counter')).json()) as { entries: { target: string }[] };
      return entries.filter((e) => e.target.includes('from=')).length === 6;
    }, 'six entries in every journal');
  }
});

test('a WireMock mapping sent to one replica is served by all, and by one started later; removed on another, it is gone everywhere', async () => {
  const mapping = {
    id: '8f14e45f-ceea-467a-9575-9d1f4a7a6b11',
    metadata: { service: 'orders' },
    request: { method: 'GET', urlPath: '/promo' },
    response: { jsonBody: { code: 'SHARED' } },
  };
  const promo = async (r: Replica) => {
    const response = await fetch(`${r.url.orders}/promo`);
    return response.status === 200 ? ((await response.json()) as Result) : response.status;
  };
  expect((await admin(replica(0), 'POST', '/mappings', mapping)).status).toBe(201);
  for (const n of [0, 1, 2])
    await eventually(async () => JSON.stringify(await promo(replica(n))) === '{"code":"SHARED"}', `replica ${n + 1} serves the mapping`);
  expect(await (await admin(replica(2), 'GET', `/mappings/${mapping.id}`)).json()).toMatchObject({ id: mapping.id, request: mapping.request });

  const late = await startReplica(4);
  try {
    // It serves the others' mappings before it says it is ready.
    expect(await promo(late)).toEqual({ code: 'SHARED' });
    expect((await admin(replica(1), 'DELETE', `/mappings/${mapping.id}`)).status).toBe(200);
    for (const r of [...replicas, late]) await eventually(async () => (await promo(r)) === 404, 'the mapping is gone');
    // A reset anywhere removes them everywhere.
    expect((await admin(late, 'POST', '/mappings', mapping)).status).toBe(201);
    await eventually(async () => JSON.stringify(await promo(replica(0))) === '{"code":"SHARED"}', 'replica 1 serves the new one');
    expect((await admin(replica(2), 'POST', '/reset')).status).toBe(200);
    for (const r of [...replicas, late]) await eventually(async () => (await promo(r)) === 404, 'reset removed it');
    // Also on a replica the mapping has not reached yet: a reset removes every replica's.
    expect((await admin(late, 'POST', '/mappings', mapping)).status).toBe(201);
    expect((await admin(replica(1), 'POST', '/reset')).status).toBe(200);
    for (const r of [...replicas, late]) await eventually(async () => (await promo(r)) === 404, 'a reset before the mapping arrived removed it');
  } finally {
    late.payments.close();
    late.process.child.kill('SIGTERM');
    await late.process.exited;
  }
});

test('3 × 1,000 concurrent increments of one state field from all replicas lose nothing', async () => {
  const perReplica = 1000;
  const inFlight = 12;
  await Promise.all(
    replicas.map(async (r) => {
      let sent = 0;
      const worker = async (): Promise<void> => {
        while (sent < perReplica) {
          sent++;
          const response = await fetch(`${r.url.extras}/counter`, { method: 'POST' });
          expect(response.status).toBe(200);
          await response.arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    }),
  );
  expect(await (await fetch(`${replica(1).url.extras}/counter`)).json()).toEqual({ counter: 3 * perReplica });
}, 180_000);

test('Redis going away: REST 503, gRPC UNAVAILABLE, GraphQL error naming the store; serving resumes when it is back', async () => {
  await redis.stop();
  const rest = await fetch(`${replica(0).url.orders}/orders/ord_1001`);
  expect(rest.status).toBe(503);
  expect(await rest.text()).toContain(redis.url);

  const grpc = await authorize(replica(1).payments, { orderId: 'ord_1001' });
  expect(grpc.error?.code).toBe(grpcJs.status.UNAVAILABLE);
  expect(grpc.error?.details).toContain(redis.url);

  const answer = await graphql(replica(2), '{ product(sku: "SKU-MUG-WHT") { stock } }');
  expect(answer.errors?.[0]?.message).toContain(redis.url);
  expect(answer.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');

  const health = await admin(replica(0), 'POST', '/reset');
  expect(health.status).toBe(503);
  expect(await health.text()).toContain('MOCKSTACK_ERR_STORE_UNAVAILABLE');

  await redis.restart();
  for (const r of replicas) {
    await eventually(async () => (await fetch(`${r.url.orders}/orders/ord_1001`)).status === 200, 'serving again after Redis came back');
  }
  expect((await authorize(replica(1).payments, { orderId: 'ord_404' })).error?.code).toBe(grpcJs.status.NOT_FOUND);
  expect(replicas.every((r) => r.process.child.exitCode === null)).toBe(true);
}, 60_000);
