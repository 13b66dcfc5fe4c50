// REST: mockstack vs bare fastify answering the same JSON, same run, alternated: from a static route,
// from a handler function (the path a scenario's own code takes: handler context, state, call count),
// and from the handler with the request log on (what `mockstack up` does without --quiet).

import { fmt, load, median, root, spread, startServer } from '../lib.mjs';

const bin = `${root}packages/mockstack/bin/mockstack.js`;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

/** The routes compared: what each answers with is in bench/scenarios/rest-routes.ts. */
const ROUTES = [
  { name: 'static route', path: '/orders/1', target: 1.0 },
  { name: 'handler route', path: '/computed/orders/1', target: 0.95 },
  { name: 'handler route, request log on', path: '/computed/orders/1', logged: true, target: 0.95 },
];

export async function benchRest() {
  const bare = await startServer(process.execPath, ['bench/baselines/bare-fastify.mjs'], /listening (http:\/\/\S+)/);
  const quiet = await startServer(process.execPath, [bin, 'up', 'bench/scenarios/rest-routes.ts', '--quiet', '--no-admin'], /api\s+rest\s+(http:\/\/\S+)/);
  // Its request lines go to a pipe this process reads (and drops), as a terminal or a log collector would take them.
  const logged = await startServer(process.execPath, [bin, 'up', 'bench/scenarios/rest-routes.ts', '--no-admin'], /api\s+rest\s+(http:\/\/\S+)/);
  const runs = ROUTES.map(() => ({ bare: [], mock: [] }));
  try {
    for (const { path, logged: on } of ROUTES) {
      await load(`${bare.url}${path}`, { seconds: 1 });
      await load(`${(on ? logged : quiet).url}${path}`, { seconds: 1 });
    }
    for (let i = 0; i < rounds; i++) {
      for (const [r, { path, logged: on }] of ROUTES.entries()) {
        const mock = on ? logged : quiet;
        runs[r].bare.push(await load(`${bare.url}${path}`, { seconds, pid: bare.pid }));
        runs[r].mock.push(await load(`${mock.url}${path}`, { seconds, pid: mock.pid }));
      }
    }
  } finally {
    await Promise.all([bare.stop(), quiet.stop(), logged.stop()]);
  }
  const summary = (xs) => ({
    spread: spread(xs.map((x) => x.rps)),
    rps: median(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    cpu: xs.every((x) => x.cpu !== undefined) ? median(xs.map((x) => x.cpu)) : undefined,
  });
  return { routes: ROUTES.map(({ name, target }, r) => ({ name, target, bare: summary(runs[r].bare), mock: summary(runs[r].mock) })), rounds, seconds };
}

export function printRest({ routes, rounds, seconds }) {
  for (const { name, target, bare, mock } of routes) {
    console.log(`\nREST ${name} (autocannon, 50 connections, ${rounds} alternating rounds × ${seconds}s, medians)`);
    console.log('  server          req/s      (spread)         p50 ms  p99 ms  server CPU µs/request');
    const row = (label, r) =>
      `  ${label.padEnd(12)}  ${fmt(r.rps).padStart(9)}  ${`(${r.spread})`.padEnd(15)}  ${fmt(r.p50, 1).padStart(6)}  ${fmt(r.p99, 1).padStart(6)}  ${r.cpu === undefined ? '-' : fmt(r.cpu, 1)}`;
    console.log(row('bare fastify', bare));
    console.log(row('mockstack', mock));
    const cpu = bare.cpu !== undefined && mock.cpu !== undefined ? `; by server CPU per request ${(bare.cpu / mock.cpu).toFixed(2)}×` : '';
    console.log(`  ratio mockstack / bare fastify: ${(mock.rps / bare.rps).toFixed(2)}× by req/s${cpu} (target ≥ ${target.toFixed(2)}×)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printRest(await benchRest());
}
