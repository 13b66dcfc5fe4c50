// GitHub-scale OpenAPI: `mockstack up` of GitHub's REST description (@octokit/openapi, ~13 MB, ~1,000
// operations) with request validation on: time to listening (a first run fills the start-up caches,
// the later ones are the warm figure), requests/s of a single-resource GET answered from the contract
// against Prism's measured 149 req/s on the same document, and the server's RSS after that load.
// Targets (issue 17): start ≤ 1 s warm, ≥ 200× Prism, RSS ≤ 200 MB. `node bench/suites/openapi-github.mjs`
// or `npm run bench`. Needs the packages built.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuSeconds, fmt, load, median, root, rssMb, spread, startServer } from '../lib.mjs';

/** BENCH_BIN: another mockstack bin to measure (see bench/instructions.mjs). */
const bin = process.env.BENCH_BIN ?? `${root}packages/mockstack/bin/mockstack.js`;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const document = `${root}node_modules/@octokit/openapi/generated/api.github.com.json`;
/** Prism 5 (`prism mock`) on the same document and route, measured once (issue 17). */
const PRISM_RPS = 149;
const ROUTE = '/repos/octocat/hello-world';

export async function main() {
  if (!existsSync(document)) {
    console.log('\nGitHub OpenAPI: skipped (@octokit/openapi is not installed)');
    return;
  }
  const starts = [];
  /** CPU ms of each start to its ready line: steadier than wall time on a shared machine. */
  const startCpu = [];
  const rates = [];
  const bareRates = [];
  const rss = [];
  // The baseline: bare fastify sending the same bytes (GitHub's repository example is ~23 KB, so the
  // rate is bound by writing it; Prism's figure alone says little about this machine).
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-bench-github-'));
  const bodyFile = join(dir, 'body.json');
  let bare;
  let bodyBytes = 0;
  // One more start than rounds: the first fills the caches (code, parsed document) and is reported apart.
  for (let i = 0; i <= rounds; i++) {
    const began = performance.now();
    const server = await startServer(
      process.execPath,
      [bin, 'up', 'bench/scenarios/openapi-github.ts', '--quiet', '--no-admin'],
      /api\s+rest\s+(http:\/\/\S+)/,
    );
    starts.push(performance.now() - began);
    startCpu.push((cpuSeconds(server.pid) ?? Number.NaN) * 1000);
    try {
      if (i === 0) continue;
      const res = await fetch(`${server.url}${ROUTE}`);
      if (res.status !== 200) throw new Error(`GET ${ROUTE} answered ${res.status}: ${await res.text()}`);
      if (!bare) {
        const body = await res.text();
        bodyBytes = Buffer.byteLength(body);
        writeFileSync(bodyFile, body);
        bare = await startServer(process.execPath, [`${root}bench/baselines/bare-fastify-body.mjs`], /listening (http:\/\/\S+)/, { BENCH_BODY: bodyFile });
        await load(`${bare.url}${ROUTE}`, { seconds: 1 });
      }
      await load(`${server.url}${ROUTE}`, { seconds: 1 });
      // Interleaved with the mock's passes, so both see the same machine.
      bareRates.push(await load(`${bare.url}${ROUTE}`, { seconds, pid: bare.pid }));
      rates.push(await load(`${server.url}${ROUTE}`, { seconds, pid: server.pid }));
      rss.push(rssMb(server.pid));
    } finally {
      await server.stop();
    }
  }
  await bare?.stop();
  rmSync(dir, { recursive: true, force: true });
  const warm = starts.slice(1);
  const warmCpu = startCpu.slice(1);
  const rps = rates.map((r) => r.rps);
  console.log(`\nGitHub OpenAPI (${ROUTE}, request validation on) · ${rounds} fresh servers, ${seconds} s each`);
  console.log(
    `  up to listening: first ${fmt(starts[0])} ms (CPU ${fmt(startCpu[0])} ms), warm ${fmt(median(warm))} ms [${spread(warm)}], CPU ${fmt(median(warmCpu))} ms [${spread(warmCpu)}]   target ≤ 1,000 ms ${median(warm) <= 1000 ? '✓' : '✗'}`,
  );
  console.log(
    `  GET ${ROUTE}: ${fmt(median(rps))} req/s [${spread(rps)}], p99 ${fmt(median(rates.map((r) => r.p99)))} ms = ${fmt(median(rps) / PRISM_RPS)}× Prism's ${PRISM_RPS} req/s   target ≥ 200× ${median(rps) / PRISM_RPS >= 200 ? '✓' : '✗'}`,
  );
  const bareRps = bareRates.map((r) => r.rps);
  const ratios = rps.map((r, i) => r / bareRps[i]);
  console.log(
    `  bare fastify sending the same ${fmt(bodyBytes / 1024)} KB: ${fmt(median(bareRps))} req/s [${spread(bareRps)}] → mock ${fmt(median(ratios), 2)}× bare [${spread(ratios, 2)}]`,
  );
  if (rss.every((x) => x !== undefined))
    console.log(`  RSS after the load: ${fmt(median(rss))} MB [${spread(rss)}]   target ≤ 200 MB ${median(rss) <= 200 ? '✓' : '✗'}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
