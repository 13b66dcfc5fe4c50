import { join, resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { accepts, type CliProcess, mockstack, type ReadyFile, readyFile, root, run, scratchDir, waitFor } from './cli-process.js';

type Authorize = (request: object, callback: (error: grpcJs.ServiceError | null, reply?: Record<string, unknown>) => void) => void;
const definition = grpcJs.loadPackageDefinition(loadSync(resolve(root, 'protos/payments.proto'), { includeDirs: [resolve(root, 'protos')] }));
const PaymentService = (definition.checkout as Record<string, Record<string, Record<string, unknown>>>).payments?.v1?.PaymentService as new (
  address: string,
  credentials: grpcJs.ChannelCredentials,
) => grpcJs.Client & { Authorize: Authorize };

const scratch = scratchDir();
afterAll(() => scratch.remove());

const SCENARIO = 'test/reliability/fixtures/slow.ts';
let started = 0;

/** `mockstack up` of the slow scenario on free ports, with a ready file. */
async function up(extra: string[], env: Record<string, string> = {}, command?: string[]): Promise<{ cli: CliProcess; ready: ReadyFile }> {
  const file = join(scratch.dir, `ready-${++started}.json`);
  const args = ['up', SCENARIO, '--random-ports', '--admin-port', '0', '--ready-file', file, ...extra];
  const cli = command ? run(command[0] ?? 'npx', [...command.slice(1), ...args], env) : mockstack(args, env);
  return { cli, ready: await readyFile(cli, file) };
}

function port(ready: ReadyFile, name: string): number {
  return ready.services.find((s) => s.name === name)?.port ?? 0;
}

function authorize(address: string): { result: Promise<Record<string, unknown>>; close: () => void } {
  const client = new PaymentService(address, grpcJs.credentials.createInsecure());
  const result = new Promise<Record<string, unknown>>((done, fail) =>
    client.Authorize({ orderId: 'o1' }, (error, reply) => (error ? fail(error) : done(reply ?? {}))),
  );
  return { result, close: () => client.close() };
}

const graphqlQuery = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ product(sku: "SKU-1") { name } }' }) });

test('SIGTERM drains: calls in flight over REST, GraphQL and gRPC finish, new connections are refused, then it exits 0', async () => {
  const { cli, ready } = await up(['--grace', '10s']);
  const orders = port(ready, 'orders');
  const grpc = authorize(`127.0.0.1:${port(ready, 'payments')}`);
  try {
    const rest = fetch(`http://127.0.0.1:${orders}/orders/o1`);
    const gql = graphqlQuery(`http://127.0.0.1:${port(ready, 'catalog')}/graphql`);
    // Each call is in its 800 ms delay when the signal comes.
    await new Promise((r) => setTimeout(r, 300));
    cli.child.kill('SIGTERM');
    await waitFor(cli, /SIGTERM: stopping; calls in flight have up to 10000 ms/);
    while (await accepts(orders)) await new Promise((r) => setTimeout(r, 20));
    const answered = await rest;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ id: 'o1' });
    expect(await (await gql).json()).toEqual({ data: { product: { name: 'Mug' } } });
    expect(await grpc.result).toMatchObject({ authorizationId: 'auth_1' });
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw error;
  } finally {
    grpc.close();
  }
  expect(await cli.exited).toEqual({ code: 0, signal: null });
  expect(cli.output()).not.toMatch(/Error|at .*\.js:\d+/);
});

test('the grace period bounds the drain, and a second signal stops at once', async () => {
  const { cli, ready } = await up(['--grace', '300ms'], { DRAIN_DELAY: '60s' });
  const rest = fetch(`http://127.0.0.1:${port(ready, 'orders')}/orders/o1`).then(
    (r) => r.status,
    (error: Error) => error.message,
  );
  await new Promise((r) => setTimeout(r, 200));
  cli.child.kill('SIGTERM');
  // Cut after 300 ms, not after the 60 s delay: the client sees the connection go.
  expect(await rest).toBe('fetch failed');
  expect((await cli.exited).code).toBe(0);

  const second = await up(['--grace', '60s'], { DRAIN_DELAY: '60s' });
  const held = fetch(`http://127.0.0.1:${port(second.ready, 'orders')}/orders/o1`).catch((error: Error) => error.message);
  await new Promise((r) => setTimeout(r, 200));
  second.cli.child.kill('SIGINT');
  await waitFor(second.cli, /SIGINT: stopping/);
  second.cli.child.kill('SIGINT');
  expect(await second.cli.exited).toEqual({ code: 130, signal: null });
  expect(await held).toBe('fetch failed');
  expect(second.cli.output()).toMatch(/SIGINT again: stopping now/);
});

test('SIGTERM to `npx mockstack up` stops the server too: no orphan left on its ports', async () => {
  const { cli, ready } = await up(['--grace', '1s'], {}, ['npx', '--no-install', 'mockstack']);
  const orders = port(ready, 'orders');
  const admin = Number(new URL(ready.admin ?? '').port);
  expect(await accepts(orders)).toBe(true);
  cli.child.kill('SIGTERM');
  await cli.exited;
  const deadline = Date.now() + 10000;
  while ((await accepts(orders)) || (await accepts(admin))) {
    if (Date.now() > deadline) {
      process.kill(ready.pid, 'SIGKILL');
      throw new Error(`mockstack (pid ${ready.pid}) still serves on ${orders} after npx got SIGTERM`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
});
