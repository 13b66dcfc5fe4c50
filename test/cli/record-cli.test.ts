/**
 * `mockstack record` through the built CLI, as users run it: proxies a real fastify app, writes the
 * scenario on SIGINT (or after `--stop-after` exchanges), and `mockstack up` serves it. Bad targets
 * are one clear error.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { type CliProcess, root, mockstack as run, waitFor } from '../reliability/cli-process.js';

const temp = join(root, 'test', `.record-cli-tmp-${process.pid}`);
let upstream: FastifyInstance;
let upstreamUrl: string;

beforeAll(async () => {
  upstream = Fastify();
  upstream.get('/orders/:id', async (request) => ({ id: (request.params as { id: string }).id, total: 42 }));
  upstream.get('/search', async (request) => ({ hits: [(request.query as { q?: string }).q ?? ''] }));
  await upstream.listen({ port: 0, host: '127.0.0.1' });
  upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}`;
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(temp, 'package.json'), JSON.stringify({ name: 'record-cli', private: true, type: 'module' }));
});

/** Every process a test starts, stopped after it (also when it fails half-way). */
const started: CliProcess[] = [];
function mockstack(args: readonly string[]): CliProcess {
  const child = run(args);
  started.push(child);
  return child;
}
afterEach(async () => {
  for (const { child, exited } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
});

afterAll(async () => {
  await upstream.close();
  rmSync(temp, { recursive: true, force: true });
});

test('record until SIGINT, then up serves what was recorded', async () => {
  const out = join(temp, 'scenarios', 'shop.ts');
  const recording = mockstack(['record', '--target', upstreamUrl, '--port', '0', '--out', out]);
  const [, proxy] = (await waitFor(recording, /api\s+(http:\/\/127\.0\.0\.1:\d+)/)) as RegExpMatchArray;
  expect(await (await fetch(`${proxy}/orders/7`)).json()).toEqual({ id: '7', total: 42 });
  expect(await (await fetch(`${proxy}/search?q=lamp`)).json()).toEqual({ hits: ['lamp'] });
  expect(await (await fetch(`${proxy}/search?q=desk`)).json()).toEqual({ hits: ['desk'] });
  recording.child.kill('SIGINT');
  expect((await recording.exited).code).toBe(0);
  expect(recording.output()).toMatch(/wrote .*shop\.ts: scenario "shop" from 3 exchange\(s\)/);
  expect(recording.output()).toMatch(/stopped api \(http:\/\/127\.0\.0\.1:\d+ → http:\/\/127\.0\.0\.1:\d+\)/);
  const text = readFileSync(out, 'utf8');
  expect(text).toContain("rest.get('/search', { match: { query: { q: 'lamp' } } }, respond({ hits: ['lamp'] }))");

  const serving = mockstack(['up', out, '--random-ports', '--no-admin', '--quiet']);
  try {
    const [, url] = (await waitFor(serving, /api\s+rest\s+(http:\/\/127\.0\.0\.1:\d+)/)) as RegExpMatchArray;
    expect(await (await fetch(`${url}/orders/7`)).json()).toEqual({ id: '7', total: 42 });
    expect(await (await fetch(`${url}/search?q=desk`)).json()).toEqual({ hits: ['desk'] });
  } finally {
    serving.child.kill('SIGTERM');
    await serving.exited;
  }
}, 60_000);

test('--stop-after stops by itself; a bad target or stop-after is one clear error', async () => {
  const out = join(temp, 'scenarios', 'two.ts');
  const recording = mockstack(['record', '--target', upstreamUrl, '--port', '0', '--out', out, '--stop-after', '1']);
  const [, proxy] = (await waitFor(recording, /api\s+(http:\/\/127\.0\.0\.1:\d+)/)) as RegExpMatchArray;
  await fetch(`${proxy}/orders/1`);
  expect((await recording.exited).code).toBe(0);
  expect(readFileSync(out, 'utf8')).toContain("rest.get('/orders/1', respond({ id: '1', total: 42 }))");

  const again = mockstack(['record', '--target', upstreamUrl, '--port', '0', '--out', out, '--stop-after', '1']);
  const [, second] = (await waitFor(again, /api\s+(http:\/\/127\.0\.0\.1:\d+)/)) as RegExpMatchArray;
  await fetch(`${second}/orders/2`);
  expect((await again.exited).code).toBe(1);
  expect(again.output()).toMatch(/two\.ts already exists; pass --force to overwrite it/);

  const scheme = mockstack(['record', '--target', 'ftp://example.test']);
  expect((await scheme.exited).code).toBe(1);
  expect(scheme.output()).toContain('--target ftp://example.test: ftp: is not recorded; give http://, https:// or grpc:// [MOCKSTACK_ERR_RECORD_TARGET]');
  const grpc = mockstack(['record', '--target', 'grpc://127.0.0.1:50051']);
  expect((await grpc.exited).code).toBe(1);
  expect(grpc.output()).toContain('name the .proto files of its services with --proto');
  const stop = mockstack(['record', '--target', upstreamUrl, '--stop-after', 'soon']);
  expect((await stop.exited).code).toBe(1);
  expect(stop.output()).toContain('--stop-after soon: give a number of exchanges (50) or a duration (30s, 2m)');
}, 60_000);
