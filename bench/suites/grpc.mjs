// gRPC: mockstack vs a bare @grpc/grpc-js server answering the same messages, same run, alternated.
// Unary calls/s (the first second of load on a fresh server, then warm) and server-streaming messages/s. Load from h2load (Debian `nghttp2-client`) posting a
// prebuilt gRPC frame; without it, several grpc-js client processes. Loopback only, bounded runs.
// Standalone: `node bench/suites/grpc.mjs`; also run by `npm run bench`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { fmt, measured, median, root, rssMb, spread, startServer } from '../lib.mjs';

const run = promisify(execFile);
/** BENCH_BIN: another mockstack bin to measure, e.g. a copy of a previous build's packages/mockstack/{bin,dist}. */
const bin = process.env.BENCH_BIN ?? `${root}packages/mockstack/bin/mockstack.js`;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const streamLength = Number(process.env.BENCH_STREAM_LENGTH ?? 1000);
export const AUTHORIZE = '/checkout.payments.v1.PaymentService/Authorize';
const WATCH = '/checkout.payments.v1.PaymentService/WatchPayment';

/** A gRPC length-prefixed frame of a message, as the wire carries it. */
function frame(type, message) {
  const body = type.encode(type.fromObject(message)).finish();
  const header = Buffer.alloc(5);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

async function hasH2load() {
  try {
    await run('h2load', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** h2load for `seconds` (after a 1 s warm-up unless `cold`); returns completed calls/s, the mean and the max latency. */
async function h2load(address, path, dataFile, { connections, streams, duration, cold = false }) {
  const args = ['-D', String(duration), ...(cold ? [] : ['--warm-up-time=1']), '-c', String(connections), '-m', String(streams), '-t', '1', '-d', dataFile];
  args.push('-H', 'content-type: application/grpc', '-H', 'te: trailers', `http://${address}${path}`);
  const { stdout } = await run('h2load', args, { maxBuffer: 16 * 1024 * 1024 });
  const done = Number(/(\d+) done/.exec(stdout)?.[1]);
  const failed = Number(/(\d+) failed/.exec(stdout)?.[1]) + Number(/(\d+) errored/.exec(stdout)?.[1]);
  const [, max, mean] = /time for request:\s+\S+\s+(\S+)\s+(\S+)/.exec(stdout) ?? [];
  if (failed || !done) throw new Error(`h2load ${path}: ${failed} failed, ${done} done\n${stdout}`);
  // -D counts from the end of the warm-up; calls done include the warm-up second's.
  const seconds = cold ? duration : duration + 1;
  return { rate: done / seconds, mean: mean ?? '?', maxMs: msOf(max), duration: seconds };
}

/** h2load's `12.5ms` / `1.2s` / `800us` as milliseconds. */
function msOf(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? '');
  if (!m) return undefined;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
}

/** Without h2load: `processes` grpc-js clients with `concurrency` calls in flight each. */
async function clients(address, request, { processes = 3, concurrency = 32, duration }) {
  const runs = Array.from({ length: processes }, () =>
    run(process.execPath, [`${root}bench/grpc-client.mjs`, address, String(duration), String(concurrency), request.subarray(5).toString('base64')], {
      cwd: root,
    }),
  );
  const results = (await Promise.all(runs)).map((r) => JSON.parse(r.stdout));
  const failed = results.reduce((n, r) => n + r.failed, 0);
  if (failed) throw new Error(`${address}: ${failed} calls failed`);
  return { rate: results.reduce((n, r) => n + r.done, 0) / duration, mean: '-', duration };
}

/** One call of each kind over grpc-js, so that a server answering errors cannot pass for a fast one. */
async function check(address, types, name) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const identity = (b) => b;
  try {
    const reply = await new Promise((resolve, reject) =>
      client.makeUnaryRequest(AUTHORIZE, identity, identity, Buffer.from(frame(types.request, { orderId: 'ord_1' }).subarray(5)), (e, v) =>
        e ? reject(e) : resolve(v),
      ),
    );
    const message = types.response.toObject(types.response.decode(reply), { enums: String });
    if (message.status !== 'AUTHORIZED') throw new Error(`${name} answered ${JSON.stringify(message)}`);
    const stream = client.makeServerStreamRequest(WATCH, identity, identity, Buffer.from(frame(types.watch, { paymentId: 'pay_1' }).subarray(5)));
    let count = 0;
    stream.on('data', () => count++);
    await new Promise((resolve, reject) => {
      stream.on('error', reject);
      stream.on('status', (s) => (s.code === 0 ? resolve() : reject(new Error(`${name} stream ended ${s.code} ${s.details}`))));
    });
    if (count !== streamLength) throw new Error(`${name} streamed ${count} messages, wanted ${streamLength}`);
  } finally {
    client.close();
  }
}

/** The payments messages the bench sends and checks. */
function paymentTypes() {
  const protoRoot = new protobuf.Root();
  protoRoot.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : join(root, 'protos', target));
  protoRoot.loadSync('payments.proto');
  return {
    request: protoRoot.lookupType('checkout.payments.v1.AuthorizeRequest'),
    response: protoRoot.lookupType('checkout.payments.v1.AuthorizeResponse'),
    watch: protoRoot.lookupType('checkout.payments.v1.WatchPaymentRequest'),
  };
}

/** The Authorize request every unary call of the bench sends (bench/instructions.mjs too), as a gRPC frame. */
export function authorizeFrame(types = paymentTypes()) {
  return frame(types.request, { orderId: 'ord_1002', amount: { currencyCode: 'EUR', units: 161, nanos: 0 }, cardToken: 'tok_visa' });
}

export async function benchGrpc() {
  const types = paymentTypes();
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-bench-'));
  const unaryFrame = authorizeFrame(types);
  const watchFrame = frame(types.watch, { paymentId: 'pay_1' });
  writeFileSync(join(dir, 'unary.bin'), unaryFrame);
  writeFileSync(join(dir, 'watch.bin'), watchFrame);
  const useH2load = await hasH2load();
  const env = { BENCH_STREAM_LENGTH: String(streamLength) };

  const start = {
    bare: () => startServer(process.execPath, ['bench/baselines/bare-grpc.mjs'], /listening (\S+)/, env),
    mock: () => startServer(process.execPath, [bin, 'up', 'bench/scenarios/grpc.ts', '--quiet', '--no-admin'], /payments\s+grpc\s+grpc:\/\/(\S+)/, env),
  };
  // The first second of load on a server just started (JIT, first calls), each server fresh per round.
  const firstSecond = { bare: [], mock: [] };
  if (useH2load) {
    for (let i = 0; i < rounds; i++) {
      for (const name of ['bare', 'mock']) {
        const server = await start[name]();
        try {
          firstSecond[name].push(
            await measured(server.pid, () => h2load(server.url, AUTHORIZE, join(dir, 'unary.bin'), { connections: 8, streams: 16, duration: 1, cold: true })),
          );
          // Afterwards, not before: a check call would warm the server up.
          await check(server.url, types, name);
        } finally {
          await server.stop();
        }
      }
    }
  }
  const bare = await start.bare();
  const mock = await start.mock();
  const servers = { bare: bare.url, mock: mock.url };
  const pids = { bare: bare.pid, mock: mock.pid };
  const unary = { bare: [], mock: [] };
  const streaming = { bare: [], mock: [] };
  let rss;
  try {
    for (const [name, address] of Object.entries(servers)) await check(address, types, name);
    const drive = (address) =>
      useH2load
        ? h2load(address, AUTHORIZE, join(dir, 'unary.bin'), { connections: 8, streams: 16, duration: seconds })
        : clients(address, unaryFrame, { duration: seconds });
    for (let i = 0; i < rounds; i++) {
      for (const name of ['bare', 'mock']) unary[name].push(await measured(pids[name], () => drive(servers[name])));
    }
    if (useH2load) {
      for (let i = 0; i < rounds; i++) {
        for (const name of ['bare', 'mock']) {
          const r = await measured(pids[name], () => h2load(servers[name], WATCH, join(dir, 'watch.bin'), { connections: 2, streams: 2, duration: seconds }));
          streaming[name].push({ rate: r.rate * streamLength, mean: r.mean, cpuPerCall: r.cpuPerCall === undefined ? undefined : r.cpuPerCall / streamLength });
        }
      }
    }
    rss = { bare: rssMb(bare.pid), mock: rssMb(mock.pid) };
  } finally {
    await Promise.all([bare.stop(), mock.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = (xs) =>
    xs.length
      ? {
          rate: median(xs.map((x) => x.rate)),
          mean: xs[Math.floor(xs.length / 2)]?.mean,
          maxMs: xs.every((x) => x.maxMs !== undefined) ? Math.max(...xs.map((x) => x.maxMs)) : undefined,
          spread: spread(xs.map((x) => x.rate)),
          cpu: xs.every((x) => x.cpuPerCall !== undefined) ? median(xs.map((x) => x.cpuPerCall)) : undefined,
        }
      : undefined;
  return {
    loader: useH2load ? 'h2load (nghttp2-client), 8 connections × 16 streams' : 'grpc-js, 3 client processes × 32 calls in flight',
    unary: { bare: summary(unary.bare), mock: summary(unary.mock) },
    firstSecond: { bare: summary(firstSecond.bare), mock: summary(firstSecond.mock) },
    streaming: { bare: summary(streaming.bare), mock: summary(streaming.mock) },
    rss,
    rounds,
    seconds,
    streamLength,
  };
}

export function printGrpc(r) {
  console.log(`\ngRPC · ${r.rounds} alternated rounds of ${r.seconds} s · load: ${r.loader}`);
  const row = (label, unit, bare, mock) => {
    const cpu =
      bare.cpu !== undefined && mock.cpu !== undefined
        ? `  · server CPU per ${unit.startsWith('msg') ? 'message' : 'call'} ${fmt(bare.cpu, 1)} vs ${fmt(mock.cpu, 1)} µs (ratio ${fmt(bare.cpu / mock.cpu, 2)}×)`
        : '';
    const max = bare.maxMs !== undefined && mock.maxMs !== undefined ? `  · max latency ${fmt(bare.maxMs)} vs ${fmt(mock.maxMs)} ms` : '';
    console.log(
      `  ${label.padEnd(30)} bare ${fmt(bare.rate).padStart(9)} ${unit}  mockstack ${fmt(mock.rate).padStart(9)} ${unit}  ratio ${fmt(mock.rate / bare.rate, 2)}×${cpu}${max}`,
    );
    console.log(`  ${''.padEnd(30)} spread over passes: bare ${bare.spread}, mockstack ${mock.spread} ${unit}`);
  };
  if (r.firstSecond.bare && r.firstSecond.mock) row('unary, first second of load', 'calls/s', r.firstSecond.bare, r.firstSecond.mock);
  row('unary Authorize', 'calls/s', r.unary.bare, r.unary.mock);
  if (r.streaming.bare && r.streaming.mock) row(`server-streaming (${r.streamLength}/call)`, 'msgs/s ', r.streaming.bare, r.streaming.mock);
  else console.log('  server-streaming: skipped (needs h2load: apt-get install nghttp2-client)');
  if (r.rss.bare !== undefined && r.rss.mock !== undefined) {
    console.log(`  RSS after the load above        bare ${fmt(r.rss.bare)} MB  mockstack ${fmt(r.rss.mock)} MB  (${fmt(r.rss.mock / r.rss.bare, 2)}×)`);
  }
  if (!r.loader.startsWith('h2load')) {
    console.log('  note: grpc-js clients are slow enough to be the bottleneck here; install nghttp2-client (h2load) for figures that measure the servers');
  }
}

export async function main() {
  printGrpc(await benchGrpc());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`mockstack gRPC bench · node ${process.version} · ${new Date().toISOString()}`);
  await main();
}
