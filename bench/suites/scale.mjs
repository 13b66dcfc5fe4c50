// Scale: 10,000 rules against one, same run. Matching: 10,000 rules on one path template (matched by
// `params.id`, what the rule index serves) against 1 rule, req/s and p99 (targets: ≥ 0.9× and p99 ≤ 2×).
// Start-up: `mockstack up` of 10,000 rules (on one template, and on 10,000 distinct paths) to its
// ready line and first answer, and its RSS (targets: ≤ 1 s, ≤ 150 MB), against one rule.
// Run alone: `node bench/suites/scale.mjs` (BENCH_ROUNDS, BENCH_SECONDS, BENCH_SCALE_RULES).

import { performance } from 'node:perf_hooks';
import { cpuSeconds, fmt, load, median, root, rssMb, spread, startServer } from '../lib.mjs';

/** BENCH_BIN: another mockstack bin to measure (see bench/instructions.mjs). */
const bin = process.env.BENCH_BIN ?? `${root}packages/mockstack/bin/mockstack.js`;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const many = Number(process.env.BENCH_SCALE_RULES ?? 10_000);

/** Starts `up` of `rules` rules; resolves with the server, ms to the ready line and to the first answer, and RSS then. */
async function upOf(rules, paths = 'template') {
  const started = performance.now();
  const server = await startServer(process.execPath, [bin, 'up', 'bench/scenarios/many-rules.ts', '--quiet', '--no-admin'], /api\s+rest\s+(http:\/\/\S+)/, {
    BENCH_RULES: String(rules),
    BENCH_PATHS: paths,
  });
  const readyMs = performance.now() - started;
  const cpuMs = (cpuSeconds(server.pid) ?? Number.NaN) * 1000;
  const path = '/orders/ord_0';
  const res = await fetch(`${server.url}${path}`);
  await res.text();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return { server, path, readyMs, cpuMs, firstMs: performance.now() - started, rss: rssMb(server.pid) };
}

export async function benchScale() {
  const startRuns = { one: [], template: [], distinct: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, rules, paths] of [
      ['one', 1, 'template'],
      ['template', many, 'template'],
      ['distinct', many, 'distinct'],
    ]) {
      const up = await upOf(rules, paths);
      await up.server.stop();
      startRuns[name].push(up);
    }
  }
  const one = await upOf(1);
  const lots = await upOf(many);
  const runs = { one: [], lots: [] };
  try {
    await load(`${one.server.url}${one.path}`, { seconds: 1 });
    await load(`${lots.server.url}${lots.path}`, { seconds: 1 });
    for (let i = 0; i < rounds; i++) {
      runs.one.push(await load(`${one.server.url}${one.path}`, { seconds, pid: one.server.pid }));
      runs.lots.push(await load(`${lots.server.url}${lots.path}`, { seconds, pid: lots.server.pid }));
    }
    runs.rssAfterLoad = rssMb(lots.server.pid);
  } finally {
    await Promise.all([one.server.stop(), lots.server.stop()]);
  }
  const start = (xs) => ({
    readyMs: median(xs.map((x) => x.readyMs)),
    firstMs: median(xs.map((x) => x.firstMs)),
    spread: spread(xs.map((x) => x.firstMs)),
    cpuMs: median(xs.map((x) => x.cpuMs)),
    rss: median(xs.map((x) => x.rss ?? Number.NaN)),
  });
  const serve = (xs) => ({ rps: median(xs.map((x) => x.rps)), spread: spread(xs.map((x) => x.rps)), p99: median(xs.map((x) => x.p99)) });
  return {
    many,
    rounds,
    seconds,
    start: { one: start(startRuns.one), template: start(startRuns.template), distinct: start(startRuns.distinct) },
    serve: { one: serve(runs.one), lots: serve(runs.lots), rssAfterLoad: runs.rssAfterLoad },
  };
}

export function printScale({ many, rounds, seconds, start, serve }) {
  console.log(`\nREST ${fmt(many)} rules on one path template (matched by params.id) vs 1 rule (${rounds} alternating rounds × ${seconds}s, medians)`);
  console.log('  rules     req/s      (spread)         p99 ms');
  const row = (label, r) => `  ${label.padEnd(8)}  ${fmt(r.rps).padStart(9)}  ${`(${r.spread})`.padEnd(15)}  ${fmt(r.p99, 1).padStart(6)}`;
  console.log(row('1', serve.one));
  console.log(row(fmt(many), serve.lots));
  console.log(
    `  ratio: ${(serve.lots.rps / serve.one.rps).toFixed(2)}× req/s (target ≥ 0.90×), p99 ${(serve.lots.p99 / Math.max(serve.one.p99, 1)).toFixed(2)}× (target ≤ 2×; p99 under 1 ms counts as 1 ms)`,
  );
  console.log(`\nStart-up of ${fmt(many)} rules: spawn to the ready line and to the first answer (${rounds} runs, medians; targets ≤ 1,000 ms, ≤ 150 MB)`);
  console.log('  what                                   ready ms  CPU ms to ready  first answer ms (spread)   RSS MB');
  const startRow = (label, r) =>
    `  ${label.padEnd(37)}  ${fmt(r.readyMs).padStart(8)}  ${fmt(r.cpuMs).padStart(15)}  ${fmt(r.firstMs).padStart(15)} ${`(${r.spread})`.padEnd(15)}  ${fmt(r.rss).padStart(6)}`;
  console.log(startRow('1 rule (baseline)', start.one));
  console.log(startRow(`${fmt(many)} rules on one path template`, start.template));
  console.log(startRow(`${fmt(many)} rules on distinct paths`, start.distinct));
  if (serve.rssAfterLoad !== undefined) console.log(`  RSS of the ${fmt(many)}-rule server after the load above: ${fmt(serve.rssAfterLoad)} MB`);
}

if (import.meta.url === `file://${process.argv[1]}`) printScale(await benchScale());
