// GraphQL: mockstack serving schemas/catalog.graphql fully auto-mocked, and with a resolver rule on a
// field (bench/scenarios/graphql-rule.ts), vs graphql-js + addMocksToSchema over the same schema in the
// same run (parsing/validating every request, and with documents cached; cached also with NODE_ENV=production), alternated. Then a generated ~1,500-type schema: time to load it and serve the first mocked answer.
// `node bench/suites/graphql.mjs` alone, or through `npm run bench` (which calls main()). Needs a build (dist).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { fmt, measured, median, root, spread, startServer } from '../lib.mjs';

const bin = `${root}packages/mockstack/bin/mockstack.js`;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

/** A storefront's product list: nested objects and lists (2 items each on both sides, as addMocksToSchema makes them). */
export const QUERY = `query Products($first: Int) {
  products(first: $first) {
    totalCount
    edges { cursor node { id sku name inStock stock price { amountCents currency formatted } category { id name slug } variants { sku color size } } }
  }
}`;
const BODY = JSON.stringify({ query: QUERY, operationName: 'Products', variables: { first: 2 } });

/** A bounded autocannon POST run; returns requests/s, latency percentiles and (with `pid`) the server's CPU µs per request. */
async function loadGraphql(url, seconds, pid) {
  const result = await measured(pid, async () => {
    const r = await autocannon({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODY,
      connections: 50,
      duration: seconds,
    });
    if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { rate: r.requests.total / r.duration, duration: r.duration, p50: r.latency.p50, p99: r.latency.p99 };
  });
  return { rps: result.rate, p50: result.p50, p99: result.p99, cpu: result.cpuPerCall };
}

export async function benchGraphql() {
  const servers = {
    naive: await startServer(process.execPath, ['bench/baselines/graphql-baseline.mjs'], /listening (http:\/\/\S+)/, { BASELINE: 'naive' }),
    cached: await startServer(process.execPath, ['bench/baselines/graphql-baseline.mjs'], /listening (http:\/\/\S+)/, { BASELINE: 'cached' }),
    // graphql-js without its realm check, as mockstack's bundle runs it (see graphqlWithoutRealmCheck in packages/mockstack/bundle.mjs).
    cachedProduction: await startServer(process.execPath, ['bench/baselines/graphql-baseline.mjs'], /listening (http:\/\/\S+)/, {
      BASELINE: 'cached',
      NODE_ENV: 'production',
    }),
    mock: await startServer(process.execPath, [bin, 'up', 'bench/scenarios/graphql.ts', '--quiet', '--no-admin'], /api\s+graphql\s+(http:\/\/\S+)/),
    rule: await startServer(process.execPath, [bin, 'up', 'bench/scenarios/graphql-rule.ts', '--quiet', '--no-admin'], /api\s+graphql\s+(http:\/\/\S+)/),
  };
  const runs = { naive: [], cached: [], cachedProduction: [], mock: [], rule: [] };
  try {
    for (const server of Object.values(servers)) await loadGraphql(server.url, 1);
    for (let i = 0; i < rounds; i++) {
      for (const name of Object.keys(runs)) runs[name].push(await loadGraphql(servers[name].url, seconds, servers[name].pid));
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  const summary = (xs) => ({
    rps: median(xs.map((x) => x.rps)),
    spread: spread(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    cpu: xs.every((x) => x.cpu !== undefined) ? median(xs.map((x) => x.cpu)) : undefined,
  });
  return {
    naive: summary(runs.naive),
    cached: summary(runs.cached),
    cachedProduction: summary(runs.cachedProduction),
    mock: summary(runs.mock),
    rule: summary(runs.rule),
    rounds,
    seconds,
  };
}

/**
 * A large real-world-shaped schema: `types` object types (with ids, names, dates, money, lists and
 * links to other types), custom scalars, enums, interfaces, unions and input types.
 */
export function largeSchema({ objects = 1200, scalars = 60, enums = 120, interfaces = 40, unions = 40, inputs = 60 } = {}) {
  const scalarNames = ['DateTime', 'Date', 'JSON', 'URL', 'Email', 'UUID', 'BigInt', 'Decimal', 'Currency', 'PhoneNumber'];
  for (let i = scalarNames.length; i < scalars; i++) scalarNames.push(`Custom${i}`);
  const lines = scalarNames.map((s) => `scalar ${s}`);
  for (let i = 0; i < enums; i++) lines.push(`enum Enum${i} { A${i} B${i} C${i} D${i} }`);
  for (let i = 0; i < interfaces; i++) lines.push(`interface Iface${i} { id: ID! createdAt: DateTime! }`);
  for (let i = 0; i < objects; i++) {
    const next = (i * 7 + 1) % objects;
    const other = (i * 13 + 5) % objects;
    const iface = i % 3 === 0 ? ` implements Iface${i % interfaces}` : '';
    lines.push(
      `type Type${i}${iface} {
  id: ID!
  name: String!
  email: Email
  createdAt: DateTime!
  priceCents: Int!
  amount: Decimal
  status: Enum${i % enums}!
  data: JSON
  url: URL
  ${scalarNames[10 + (i % (scalars - 10))]}Value: ${scalarNames[10 + (i % (scalars - 10))]}
  tags: [String!]!
  next: Type${next}
  related(first: Int): [Type${other}!]!
}`,
    );
  }
  for (let i = 0; i < unions; i++) lines.push(`union Union${i} = Type${i} | Type${i + unions} | Type${i + 2 * unions}`);
  for (let i = 0; i < inputs; i++) lines.push(`input Input${i} { id: ID name: String status: Enum${i % enums} when: DateTime }`);
  const roots = Array.from({ length: 200 }, (_, i) => `  type${i}(id: ID!): Type${i}\n  list${i}(first: Int, filter: Input${i % inputs}): [Type${i}!]!`);
  const unionRoots = Array.from({ length: unions }, (_, i) => `  search${i}(text: String!): [Union${i}!]!`);
  lines.push(`type Query {\n${roots.join('\n')}\n${unionRoots.join('\n')}\n}`);
  lines.push(`type Mutation {\n${Array.from({ length: inputs }, (_, i) => `  update${i}(input: Input${i}!): Type${i}!`).join('\n')}\n}`);
  const typeCount = scalars + enums + interfaces + objects + unions + inputs + 2;
  return { sdl: lines.join('\n\n'), typeCount };
}

const LARGE_QUERY = `{
  ${Array.from({ length: 20 }, (_, i) => `t${i}: type${i * 7}(id: "${i}") { id name email createdAt priceCents amount status data url tags next { id name } related(first: 3) { id createdAt } }`).join('\n  ')}
  s: search1(text: "x") { __typename ... on Type1 { id } }
}`;

/**
 * Load + validate + mock + listen + first answer for the large schema. mockstack and the baseline
 * (graphql-js + addMocksToSchema) each run in a fresh process, so both start with a cold JIT;
 * module import time is not counted on either side.
 */
export async function benchLargeSchema() {
  const { sdl, typeCount } = largeSchema();
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-bench-'));
  const file = join(dir, 'large.graphql');
  writeFileSync(file, sdl);
  try {
    const mock = await child('mockstack', file);
    const base = await child('baseline', file);
    return {
      typeCount,
      sdlKb: sdl.length / 1024,
      loadedMs: mock.loadedMs,
      loadedCpuMs: mock.loadedCpuMs,
      firstAnswerMs: mock.firstMs,
      baselineLoadedMs: base.loadedMs,
      baselineLoadedCpuMs: base.loadedCpuMs,
      baselineFirstMs: base.firstMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function child(side, file) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [new URL(import.meta.url).pathname, '--large', side, file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
    });
    proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`large schema (${side}) exited ${code}: ${out}`))));
  });
}

/** CPU time of this process (all threads, GC included): steadier than wall time on a busy machine. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function largeChild(side, file) {
  const sdl = readFileSync(file, 'utf8');
  if (side === 'mockstack') {
    const [{ compile, createStack, scenarioDefinitionOf }, { graphql, scenario }, { graphqlAdapter }] = await Promise.all([
      import('@mockstack/core'),
      import('@mockstack/dsl'),
      import('@mockstack/graphql'),
      // The adapter loads these on first use; import them here so that, as for the baseline, module loading is not timed.
      import('graphql'),
      import('@graphql-tools/mock'),
      import('@faker-js/faker/locale/en'),
      import('fastify'),
    ]);
    const started = performance.now();
    const cpuStarted = cpuMs();
    const definition = scenarioDefinitionOf(scenario('large', { seed: 3 }).services({ big: graphql({ schema: file, maxFields: 5000 }) }));
    const model = await compile(definition, { adapters: [graphqlAdapter], file: join(dirname(file), 'large.ts') });
    const stack = createStack(model, { adapters: [graphqlAdapter] });
    const [address] = await stack.listen();
    const loadedMs = performance.now() - started;
    const loadedCpuMs = cpuMs() - cpuStarted;
    const response = await fetch(address.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LARGE_QUERY }),
    });
    const body = await response.json();
    const firstMs = performance.now() - started;
    await stack.close();
    if (response.status !== 200 || body.errors) throw new Error(`large schema answered ${response.status}: ${JSON.stringify(body.errors)}`);
    return { loadedMs, firstMs, loadedCpuMs };
  }
  const [{ addMocksToSchema }, graphqlJs] = await Promise.all([import('@graphql-tools/mock'), import('graphql')]);
  const started = performance.now();
  const cpuStarted = cpuMs();
  // addMocksToSchema needs a mock per custom scalar; the simplest a user would write.
  const built = graphqlJs.buildSchema(sdl);
  const mocks = Object.fromEntries(
    Object.values(built.getTypeMap())
      .filter((t) => graphqlJs.isScalarType(t) && !graphqlJs.isSpecifiedScalarType(t))
      .map((t) => [t.name, () => `${t.name}-value`]),
  );
  const schema = addMocksToSchema({ schema: built, mocks });
  const loadedMs = performance.now() - started;
  const loadedCpuMs = cpuMs() - cpuStarted;
  const document = graphqlJs.parse(LARGE_QUERY);
  const errors = graphqlJs.validate(schema, document);
  const result = await graphqlJs.execute({ schema, document });
  const firstMs = performance.now() - started;
  if (errors.length || result.errors) throw new Error(`baseline: ${JSON.stringify(errors.length ? errors : result.errors)}`);
  return { loadedMs, firstMs, loadedCpuMs };
}

export function printGraphql({ naive, cached, cachedProduction, mock, rule, rounds, seconds }) {
  console.log(`\nGraphQL product query (autocannon POST, 50 connections, ${rounds} alternating rounds × ${seconds}s, medians)`);
  console.log('  server                                    req/s  (spread)         p50 ms  p99 ms  server CPU µs/request');
  const row = (name, r) =>
    console.log(
      `  ${name.padEnd(40)}${fmt(r.rps).padStart(7)}  ${`(${r.spread})`.padEnd(15)}  ${fmt(r.p50, 1).padStart(6)}  ${fmt(r.p99, 1).padStart(6)}  ${r.cpu === undefined ? '-' : fmt(r.cpu, 1)}`,
    );
  row('graphql-js + addMocksToSchema, naive', naive);
  row('graphql-js + addMocksToSchema, cached', cached);
  row('  the same, NODE_ENV=production', cachedProduction);
  row('mockstack, auto-mocked', mock);
  row('mockstack, resolver rule on a field', rule);
  const ratio = (r, base, target) => {
    const cpu = r.cpu !== undefined && base.cpu !== undefined ? `; by server CPU per request ${(base.cpu / r.cpu).toFixed(2)}×` : '';
    return `${(r.rps / base.rps).toFixed(2)}× by req/s${cpu}${target ? ` (target ≥ ${target})` : ''}`;
  };
  console.log(`  ratio auto-mocked / cached baseline:   ${ratio(mock, cached, '1.00×')}`);
  console.log(`  ratio resolver rule / cached baseline: ${ratio(rule, cached, '0.95×')}`);
  console.log(`  ratio auto-mocked / naive baseline:    ${ratio(mock, naive)}`);
  // The baselines run graphql-js as a server started plainly does (NODE_ENV unset: development mode, with its realm check); mockstack's bundle runs it without.
  console.log(`  ratio auto-mocked / cached, production:   ${ratio(mock, cachedProduction)}`);
  console.log(`  ratio resolver rule / cached, production: ${ratio(rule, cachedProduction)}`);
}

export function printLargeSchema(r) {
  console.log(`\nGraphQL large schema: ${r.typeCount} types (${fmt(r.sdlKb)} KB SDL), generated; each side in a fresh process`);
  console.log(
    `  mockstack  load+validate+mock+listen ${fmt(r.loadedMs)} ms (cpu ${fmt(r.loadedCpuMs)} ms), first answer (20 root fields) at ${fmt(r.firstAnswerMs)} ms   (target well under 1,000 ms)`,
  );
  console.log(
    `  baseline   buildSchema+addMocksToSchema ${fmt(r.baselineLoadedMs)} ms (cpu ${fmt(r.baselineLoadedCpuMs)} ms), first answer at ${fmt(r.baselineFirstMs)} ms`,
  );
}

export async function main() {
  printGraphql(await benchGraphql());
  printLargeSchema(await benchLargeSchema());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--large') console.log(JSON.stringify(await largeChild(process.argv[3], process.argv[4])));
  else await main();
}
