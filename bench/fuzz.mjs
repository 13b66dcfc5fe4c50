// `npm run fuzz`: a seeded fuzzer of hostile requests across REST, GraphQL, gRPC and the admin API of
// `mockstack up bench/scenarios/hostile.ts` (loopback only, bounded: every request has a timeout).
// Reports crashes (must be 0), 5xx by cause (must be 0 besides the scenario's own fault rule) and RSS
// before/after. FUZZ_REQUESTS (default 100000), FUZZ_SEED (default 1), FUZZ_CONCURRENCY (default 16).
import { grpcCaller, pool, rssMb, seeded, startHostileStack } from './hostile-stack.mjs';

const total = Number(process.env.FUZZ_REQUESTS ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? 1);
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 16);
const random = seeded(seed);

const stack = await startHostileStack();
const grpcClient = grpcCaller(stack.urls.rpc);
const rssBefore = rssMb(stack.pid);

const deep = (n) => `${'['.repeat(n)}${']'.repeat(n)}`;
const junk = () => random.bytes(random.int(512)).toString('latin1');
const jsonBodies = [
  () => JSON.stringify({ sku: 'A', qty: random.int(10) }),
  () => '{"sku": "A",',
  () => deep(5000),
  () => JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } }),
  () => JSON.stringify({ big: 'x'.repeat(64 * 1024) }),
  () => JSON.stringify('\u0000\ud800 emoji 🙂'),
  () => 'null',
  () => '1e999999',
  junk,
  () => '',
];
const paths = [
  '/orders/ord_1',
  '/orders/x',
  '/orders',
  '/echo',
  '/static',
  '/down',
  () => `/${encodeURIComponent(junk()).slice(0, 300)}`,
  () => `/orders/${'a'.repeat(random.int(8000))}`,
  () => `/echo?${'a=1&'.repeat(random.int(500))}b[c][d]=1&%zz`,
  '/%',
  '/..%2f..%2fetc/passwd',
];
const contentTypes = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'application/json; charset=bogus',
  undefined,
];
const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const queries = [
  () => '{ item(id: "1") { id name } }',
  () => '{ items(first: 2) { id email quantity } }',
  () => `{ ${'items { '.repeat(random.int(6000))}id${' }'.repeat(random.int(6000))} }`,
  () => `{ ${Array.from({ length: random.int(300) }, (_, i) => `a${i}: items { id }`).join(' ')} }`,
  () => 'query Q($id: ID!) { item(id: $id) { id } }',
  () => 'mutation { nope }',
  () => 'subscription { item }',
  () => '{ __schema { types { name } } }',
  junk,
];
const grpcPaths = ['/demo.greeter.v1.Greeter/SayHello', '/demo.greeter.v1.Greeter/Nope', '/nope.Service/Method', '/grpc.health.v1.Health/Check'];

const statuses = new Map();
const serverErrors = new Map();
let failures = 0;
const note = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

async function http(protocol, url, init) {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    note(statuses, `${protocol} ${res.status}`);
    if (res.status >= 500 && !(protocol === 'rest' && new URL(url).pathname === '/down')) {
      note(serverErrors, `${protocol} ${res.status} ${text.slice(0, 160)}`);
    }
  } catch (error) {
    failures++;
    note(statuses, `${protocol} ${error.name}: ${error.cause?.code ?? error.message}`.slice(0, 120));
  }
}

const at = (list) => {
  const item = random.pick(list);
  return typeof item === 'function' ? item() : item;
};

async function one() {
  if (stack.exited()) return;
  const r = random.next();
  if (r < 0.4) {
    const method = random.pick(methods);
    const headers = {};
    const type = random.pick(contentTypes);
    if (type) headers['content-type'] = type;
    if (random.next() < 0.1) headers['x-junk'] = 'v'.repeat(random.int(4000));
    const body = method === 'GET' || method === 'HEAD' ? undefined : at(jsonBodies);
    return http('rest', `${stack.urls.api}${at(paths)}`, { method, headers, body });
  }
  if (r < 0.65) {
    if (random.next() < 0.2) return http('graphql', `${stack.urls.gql}?query=${encodeURIComponent(at(queries)).slice(0, 6000)}`, { method: 'GET' });
    const body =
      random.next() < 0.15
        ? at(jsonBodies)
        : JSON.stringify({ query: at(queries), variables: random.next() < 0.3 ? { id: random.pick([1, null, {}, 'x', [1]]) } : undefined });
    return http('graphql', stack.urls.gql, { method: 'POST', headers: { 'content-type': random.pick(['application/json', 'text/plain']) }, body });
  }
  if (r < 0.85) {
    const bytes = random.next() < 0.5 ? Buffer.from([0x0a, 3, 0x61, 0x64, 0x61]) : random.bytes(random.int(2048));
    if (stack.exited()) return;
    const path = random.pick(grpcPaths);
    const { status, details } = await grpcClient.call(path, bytes);
    note(statuses, `grpc ${status}`);
    if (['INTERNAL', 'UNKNOWN', 'DATA_LOSS'].includes(status)) note(serverErrors, `grpc ${status} ${path} ${String(details).slice(0, 160)}`);
    return;
  }
  const admin = random.pick([
    () => ({ url: `${stack.admin}/journal?limit=${random.pick(['5', '-1', 'x', '1e9', ''])}&after=${random.pick(['0', 'abc', '99999999999'])}` }),
    () => ({
      url: `${stack.admin}/verify`,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: random.pick([JSON.stringify({ operation: 'POST /orders', body: { sku: 'A' } }), deep(5000), '{', '[]']),
      },
    }),
    () => ({ url: `${stack.admin}/health` }),
    () => ({ url: `${stack.admin}/services` }),
    () => ({ url: `${stack.admin}/variants`, init: { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"variants":["nope"]}' } }),
    () => ({ url: `${stack.admin}/${encodeURIComponent(junk()).slice(0, 200)}` }),
  ])();
  return http('admin', admin.url, admin.init ?? {});
}

const started = performance.now();
await pool(total, concurrency, one);
const seconds = (performance.now() - started) / 1000;
const rssAfter = stack.exited() ? Number.NaN : rssMb(stack.pid);
const crashed = stack.exited();
grpcClient.close();
await stack.stop();

console.log(`fuzz: ${total} requests, seed ${seed}, concurrency ${concurrency}, ${seconds.toFixed(1)} s (${Math.round(total / seconds)} req/s)`);
console.log(`crashes: ${crashed ? `1 (the stack exited: ${JSON.stringify(crashed)})` : 0}`);
console.log(`client-side failures (timeouts, resets): ${failures}`);
console.log(`RSS: ${rssBefore.toFixed(1)} MB before, ${rssAfter.toFixed(1)} MB after`);
console.log(`5xx not by design: ${[...serverErrors.values()].reduce((a, b) => a + b, 0)}`);
for (const [cause, count] of [...serverErrors].sort((a, b) => b[1] - a[1])) console.log(`  ${count}× ${cause}`);
console.log('answers:');
for (const [status, count] of [...statuses].sort()) console.log(`  ${status}: ${count}`);
if (crashed) console.log(stack.output().slice(-4000));
process.exitCode = crashed || serverErrors.size > 0 ? 1 : 0;
