// Mountebank imposters added over the /imposters API of one `mockstack up --store redis://…` replica are
// served by every replica, one started later included; each replica starts a new port's service in its own
// process. The replicas stand for separate hosts by binding separate loopback addresses (--host 127.0.0.x);
// two replicas on one address cannot both listen on an imposter's port: the second warns and keeps serving.
// What a recording proxy keeps on one replica is served by the others.
import { join } from 'node:path';
import { startProxyBackend } from '../helpers/proxy-backend.js';
import { freePort, RedisServer } from '../helpers/redis.js';
import { type CliProcess, mockstack, readyFile, STARTUP_TIMEOUT_MS, scratchDir, waitFor } from '../reliability/cli-process.js';

interface Replica {
  process: CliProcess;
  host: string;
  admin: string;
  orders: string;
}

const scratch = scratchDir();
let redis: RedisServer;
let imposterPort: number;
const replicas: Replica[] = [];

async function startReplica(host: string): Promise<Replica> {
  const ready = join(scratch.dir, `replica-${replicas.length}.json`);
  const args = ['up', 'test/fixtures/mountebank/replicas.ts', '--host', host, '--admin-port', '0', '--quiet', '--store', redis.url, '--ready-file', ready];
  const process = mockstack(args);
  const replica = { process, host, admin: '', orders: '' };
  replicas.push(replica);
  const file = await readyFile(process, ready, STARTUP_TIMEOUT_MS - 10_000);
  replica.admin = new URL(String(file.admin)).origin; // /imposters is at the admin port's root, as with mb
  replica.orders = String(file.services.find((s) => s.name === 'orders')?.url);
  return replica;
}

async function api(r: Replica, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${r.admin}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** What the imposter's port answers on a replica's address: the body's text, or 'refused' when nothing listens. */
async function onImposterPort(r: Replica, path = '/greeting'): Promise<string> {
  try {
    return await (await fetch(`http://${r.host}:${imposterPort}${path}`)).text();
  } catch {
    return 'refused';
  }
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const greeting = (text: string) => ({
  protocol: 'http',
  port: imposterPort,
  stubs: [{ predicates: [{ equals: { path: '/greeting' } }], responses: [{ is: { body: text } }] }],
});

beforeAll(async () => {
  redis = await RedisServer.start();
  imposterPort = await freePort();
  await Promise.all(['127.0.0.2', '127.0.0.3'].map(startReplica));
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  for (const r of replicas) r.process.child.kill('SIGTERM');
  await Promise.all(replicas.map((r) => r.process.exited));
  await redis?.stop();
  scratch.remove();
});

test('an imposter sent to one replica is served by both, each on its own host, and changed or removed through the other', async () => {
  const [a, b] = replicas as [Replica, Replica];
  expect((await api(a, 'POST', '/imposters', greeting('hello'))).status).toBe(201);
  expect(await onImposterPort(a)).toBe('hello');
  await eventually(async () => (await onImposterPort(b)) === 'hello', 'replica 2 serves the imposter');
  expect((await api(b, 'GET', '/imposters')).body).toMatchObject({ imposters: [{ protocol: 'http', port: imposterPort }] });
  // A stub changed through replica 2 is served by replica 1.
  expect((await api(b, 'PUT', `/imposters/${imposterPort}/stubs/0`, greeting('changed').stubs[0])).status).toBe(200);
  await eventually(async () => (await onImposterPort(a)) === 'changed', 'replica 1 serves the changed stub');
  expect((await api(a, 'GET', `/imposters/${imposterPort}`)).body).toMatchObject({ stubs: [{ responses: [{ is: { body: 'changed' } }] }] });
  // Removed through replica 1: its port is closed on both hosts.
  expect((await api(a, 'DELETE', `/imposters/${imposterPort}`)).status).toBe(200);
  await eventually(async () => (await onImposterPort(b)) === 'refused', 'replica 2 stopped serving the port');
  expect(await onImposterPort(a)).toBe('refused');
  expect((await api(b, 'GET', '/imposters')).body).toEqual({ imposters: [] });
  // Both keep serving their scenario.
  for (const r of [a, b]) expect(await (await fetch(`${r.orders}/health`)).json()).toEqual({ ok: true });
});

test('a replica started later serves the imposters before it says it is ready; PUT /imposters and a reset reach every replica', async () => {
  const [a, b] = replicas as [Replica, Replica];
  expect((await api(b, 'PUT', '/imposters', { imposters: [greeting('from PUT')] })).status).toBe(200);
  await eventually(async () => (await onImposterPort(a)) === 'from PUT', 'replica 1 serves the replaced imposters');
  const late = await startReplica('127.0.0.4');
  expect(await onImposterPort(late)).toBe('from PUT');
  expect((await api(late, 'GET', `/imposters/${imposterPort}`)).status).toBe(200);
  // mockstack's reset removes every imposter on every replica.
  expect((await api(a, 'POST', '/__admin/reset')).status).toBe(200);
  for (const r of [a, b, late]) await eventually(async () => JSON.stringify((await api(r, 'GET', '/imposters')).body) === '{"imposters":[]}', 'reset');
  expect((await api(late, 'POST', '/imposters', greeting('after reset'))).status).toBe(201);
  for (const r of [a, b, late]) await eventually(async () => (await onImposterPort(r)) === 'after reset', 'served again after a reset');
  expect((await api(a, 'DELETE', '/imposters')).status).toBe(200);
  for (const r of [a, b, late]) await eventually(async () => (await onImposterPort(r)) === 'refused', 'all removed');
});

test('a replica on the host of another cannot listen on the imposter port too: it warns, and both keep serving', async () => {
  const [a] = replicas as [Replica];
  expect((await api(a, 'POST', '/imposters', greeting('one host'))).status).toBe(201);
  const twin = await startReplica(a.host);
  await waitFor(twin.process, /imposter on port \d+, added in another replica, is not served by this one: .*in use.*separate hosts or containers/);
  expect(await onImposterPort(a)).toBe('one host');
  expect(await (await fetch(`${twin.orders}/health`)).json()).toEqual({ ok: true });
  // Sent to the twin itself, the imposter is Mountebank's 400 `resource conflict`: the port is held.
  const refused = await api(twin, 'POST', '/imposters', greeting('twin'));
  expect(refused.status).toBe(400);
  expect(refused.body).toMatchObject({ errors: [{ code: 'resource conflict' }] });
  expect(await onImposterPort(a)).toBe('one host');
  expect((await api(a, 'DELETE', `/imposters/${imposterPort}`)).status).toBe(200);
});

test('what a recording proxy got through one replica is answered by the other without asking the real service', async () => {
  const [a, b] = replicas as [Replica, Replica];
  const backend = await startProxyBackend();
  try {
    const proxy = { to: backend.url, mode: 'proxyOnce', predicateGenerators: [{ matches: { path: true } }] };
    expect((await api(a, 'POST', '/imposters', { protocol: 'http', port: imposterPort, stubs: [{ responses: [{ proxy }] }] })).status).toBe(201);
    await eventually(async () => (await api(b, 'GET', `/imposters/${imposterPort}`)).status === 200, 'replica 2 serves the imposter');
    expect(JSON.parse(await onImposterPort(a, '/orders/1'))).toMatchObject({ path: '/orders/1', call: 1 });
    await eventually(async () => ((await api(b, 'GET', `/imposters/${imposterPort}`)).body.stubs as unknown[]).length === 2, 'replica 2 has the recorded stub');
    expect(JSON.parse(await onImposterPort(b, '/orders/1'))).toMatchObject({ path: '/orders/1', call: 1 });
  } finally {
    await api(a, 'DELETE', `/imposters/${imposterPort}`);
    await backend.close();
  }
});
