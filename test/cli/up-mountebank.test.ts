// `mockstack up imposters.json` serves Mountebank's imposters zero-config, each http/https imposter on its port
// (the code `mockstack import` writes), from the built CLI over real sockets; a file it cannot serve is one coded
// error naming the file, and under --watch the last good file keeps serving.

import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { freePort } from '../helpers/redis.js';
import { type CliProcess, mockstack, readyFile, STARTUP_TIMEOUT_MS, scratchDir, waitFor } from '../reliability/cli-process.js';

jest.setTimeout(STARTUP_TIMEOUT_MS);
const scratch = scratchDir();
const running: CliProcess[] = [];

function up(file: string, ...args: string[]): CliProcess {
  const process = mockstack(['up', file, '--admin-port', '0', '--quiet', ...args], { NO_COLOR: '1' });
  running.push(process);
  return process;
}

function write(name: string, document: unknown): string {
  const file = join(scratch.dir, name);
  writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
}

afterAll(async () => {
  for (const process of running) if (process.child.exitCode === null) process.child.kill('SIGTERM');
  await Promise.all(running.map((process) => process.exited));
  scratch.remove();
});

const orderStub = (status: string) => ({
  predicates: [{ equals: { method: 'GET', path: '/orders/1' } }],
  responses: [{ is: { statusCode: 200, body: { id: 1, status } } }, { is: { statusCode: 404 } }],
});

test('each http and https imposter of an `mb save` file is served on its port, answered as Mountebank answers it', async () => {
  const [http, https] = [await freePort(), await freePort()];
  const file = write('imposters.json', {
    imposters: [
      {
        protocol: 'http',
        port: http,
        name: 'orders',
        defaultResponse: { statusCode: 418 },
        stubs: [orderStub('PAID'), { predicates: [{ contains: { body: 'ping' } }], responses: [{ is: { body: 'pong' } }] }],
      },
      { protocol: 'https', port: https, stubs: [{ responses: [{ is: { headers: { 'x-secure': 'yes' }, body: 'secure' } }] }] },
    ],
  });
  const process = up(file, '--ready-file', join(scratch.dir, 'ready.json'));
  const ready = await readyFile(process, join(scratch.dir, 'ready.json'), STARTUP_TIMEOUT_MS - 10_000);
  expect(ready.services.map(({ name, protocol, port }) => ({ name, protocol, port }))).toEqual([
    { name: 'orders', protocol: 'rest', port: http },
    { name: `imposter${https}`, protocol: 'rest', port: https },
  ]);
  const base = `http://127.0.0.1:${http}`;
  const first = await fetch(`${base}/orders/1`);
  expect(first.status).toBe(200);
  expect(await first.json()).toEqual({ id: 1, status: 'PAID' });
  expect((await fetch(`${base}/orders/1`)).status).toBe(404); // the stub's responses in turn
  expect(await (await fetch(`${base}/anything`, { method: 'POST', body: 'ping?' })).text()).toBe('pong');
  expect((await fetch(`${base}/nothing`)).status).toBe(418); // the imposter's defaultResponse
  const secure = await new Promise<{ header: unknown; body: string }>((done, fail) => {
    const call = request({ host: '127.0.0.1', port: https, path: '/', rejectUnauthorized: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => done({ header: response.headers['x-secure'], body }));
    });
    call.on('error', fail);
    call.end();
  });
  expect(secure).toEqual({ header: 'yes', body: 'secure' });
  // The admin API serves beside them; they are the file's services, not live imposters.
  expect(await (await fetch(`${new URL(String(ready.admin)).origin}/imposters`)).json()).toEqual({ imposters: [] });
});

test('a file asking for what mockstack refuses fails `up` with one coded error naming the file and each stub', async () => {
  const file = write('refused.json', {
    imposters: [
      { protocol: 'tcp', port: 2526, stubs: [] },
      {
        protocol: 'http',
        port: 2527,
        stubs: [
          orderStub('PAID'),
          { predicates: [{ inject: 'function (config) { return true; }' }], responses: [{ proxy: { to: 'http://x', mode: 'proxyAlways' } }] },
        ],
      },
    ],
  });
  const process = up(file);
  expect((await process.exited).code).toBe(1);
  const output = process.output();
  expect(output).toContain('MOCKSTACK_ERR_MOUNTEBANK_FILE_INVALID');
  expect(output).toContain(`${file}: these Mountebank imposters cannot be served as they are`);
  expect(output).toMatch(/imposter 0 \(port 2526\): the "tcp" protocol is not supported/);
  expect(output).toMatch(/imposter 1 \(port 2527\), stub 1, predicate 0: JavaScript injection/);
  expect(output).toMatch(/imposter 1 \(port 2527\), stub 1, response 0: .*proxyAlways/);
  expect(output).toContain(`mockstack import ${file} writes a scenario that leaves out`);
});

test.each([
  ['imposters that are not a list', { imposters: { protocol: 'http' } }, /'imposters' must be an array of imposters/],
  ['no imposters', { imposters: [] }, /the file has no imposters/],
  [
    'two imposters on one port',
    {
      imposters: [
        { protocol: 'http', port: 2528 },
        { protocol: 'http', port: 2528 },
      ],
    },
    /two imposters on port 2528/,
  ],
])('a file with %s fails `up` naming the file', async (_what, document, message) => {
  const file = write('bad.json', document);
  const process = up(file);
  expect((await process.exited).code).toBe(1);
  expect(process.output()).toContain(`MOCKSTACK_ERR_MOUNTEBANK_FILE_INVALID`);
  expect(process.output()).toMatch(message);
});

test('under --watch, an imposters file broken while served is reported and the last good one keeps serving', async () => {
  const port = await freePort();
  const imposters = (status: string, predicates: unknown[] = [{ equals: { path: '/orders/1' } }]) => ({
    imposters: [{ protocol: 'http', port, stubs: [{ predicates, responses: [{ is: { body: { id: 1, status } } }] }] }],
  });
  const file = write('watched.json', imposters('PAID'));
  const process = up(file, '--watch', '--ready-file', join(scratch.dir, 'watched-ready.json'));
  await readyFile(process, join(scratch.dir, 'watched-ready.json'), STARTUP_TIMEOUT_MS - 10_000);
  const status = async () => ((await (await fetch(`http://127.0.0.1:${port}/orders/1`)).json()) as { status: string }).status;
  expect(await status()).toBe('PAID');
  write('watched.json', imposters('BROKEN', [{ matches: { path: '(' } }]));
  await waitFor(
    process,
    /still serving the last good version[\s\S]*predicate 0: the regular expression "\(" does not compile[\s\S]*MOCKSTACK_ERR_MOUNTEBANK_FILE_INVALID/,
  );
  expect(await status()).toBe('PAID');
  write('watched.json', imposters('SHIPPED'));
  await waitFor(process, /reloaded/);
  expect(await status()).toBe('SHIPPED');
});
