/**
 * TLS for every protocol and HTTP/2 for REST and GraphQL, with real clients: undici (HTTP/1.1 and h2 by
 * ALPN) and node's own HTTP/2 client trusting the generated CA, curl (`--http2`, `--http2-prior-knowledge`),
 * and grpc-js with `credentials.createSsl(ca)`. Bad clients (plain HTTP to a TLS port, a client that
 * rejects the certificate) get the protocol's own error and serving goes on.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectH2, type IncomingHttpHeaders } from 'node:http2';
import { connect as connectTls } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startStack, type TestStack } from '@mockstack/testing';
import { fault, graphql, grpc as grpcService, rest, scenario } from 'mockstack';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';

const proto = resolve(import.meta.dirname, '../fixtures/contracts/greeter.proto');
const sdl = resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql');
const run = promisify(execFile);

type Greeter = grpc.Client & {
  SayHello(req: object, cb: (e: grpc.ServiceError | null, r: { message: string }) => void): void;
};
const Greeter = (
  grpc.loadPackageDefinition(protoLoader.loadSync(proto)) as unknown as { demo: { greeter: { v1: { Greeter: grpc.ServiceClientConstructor } } } }
).demo.greeter.v1.Greeter;

const checkout = scenario('tls', { seed: 3 }).services({
  orders: rest({ port: 0, tls: true }, [
    rest.get('/orders/:id', ({ params, headers }) => ({ id: params.id, scheme: headers[':scheme'] ?? 'h1' })),
    rest.get('/dropped', fault.drop()),
  ]),
  catalog: graphql({ port: 0, schema: sdl, tls: true }, { Query: { item: (_: unknown, { id }: { id: string }) => ({ id, name: 'Pen' }) } }),
  payments: grpcService({ port: 0, proto, tls: true }, { 'demo.greeter.v1.Greeter': { SayHello: ({ request }) => ({ message: `hi ${request.name}` }) } }),
  plain: rest({ port: 0 }, [rest.get('/ping', 'pong')]),
  h2c: rest({ port: 0, http2: 'h2c' }, [rest.get('/ping', 'pong over h2c')]),
});

let stack: TestStack;
let agent: Agent;
let h2agent: Agent;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  stack = await startStack(checkout, { admin: true });
  agent = new Agent({ connect: { ca: stack.ca } });
  h2agent = new Agent({ connect: { ca: stack.ca }, allowH2: true });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all([agent.close(), h2agent.close()]);
  await stack.close();
});

/** A GET over node's HTTP/2 client (h2 only), trusting `ca` when given (TLS) or in prior knowledge (h2c). */
function h2Get(origin: string, path: string, ca?: string): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  return new Promise((done, fail) => {
    const session = connectH2(origin, ca ? { ca } : {});
    session.on('error', fail);
    const request = session.request({ ':path': path });
    let body = '';
    let headers: IncomingHttpHeaders = {};
    request.on('response', (h) => {
      headers = h;
    });
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      session.close();
      done({ headers, body });
    });
    request.on('error', fail);
    request.end();
  });
}

test('the CA is written in the project and listed with each TLS service', () => {
  const caFile = stack.services.orders?.ca;
  expect(caFile).toBe(resolve(import.meta.dirname, '../..', '.mockstack/tls/ca.pem'));
  expect(existsSync(caFile as string)).toBe(true);
  expect(readFileSync(caFile as string, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
  expect(stack.ca).toContain('-----BEGIN CERTIFICATE-----');
  expect(stack.url('orders')).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(stack.services.payments?.url).toMatch(/^grpcs:\/\//);
  expect(stack.services.plain?.ca).toBeUndefined();
});

test('REST over TLS answers HTTP/1.1 and HTTP/2 (ALPN) on the same port', async () => {
  const h1 = await undiciFetch(`${stack.url('orders')}/orders/7`, { dispatcher: agent });
  expect(await h1.json()).toEqual({ id: '7', scheme: 'h1' });
  const h2 = await undiciFetch(`${stack.url('orders')}/orders/8`, { dispatcher: h2agent });
  expect(await h2.json()).toEqual({ id: '8', scheme: 'https' });
  const direct = await h2Get(stack.url('orders'), '/orders/9', stack.ca);
  expect(direct.headers[':status']).toBe(200);
  expect(JSON.parse(direct.body)).toEqual({ id: '9', scheme: 'https' });
});

test('GraphQL over TLS answers over HTTP/2', async () => {
  const res = await undiciFetch(stack.url('catalog'), {
    dispatcher: h2agent,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ item(id: "1") { id name } }' }),
  });
  expect(await res.json()).toEqual({ data: { item: { id: '1', name: 'Pen' } } });
  expect(stack.verify('query (anonymous)', { service: 'catalog' }).pass).toBe(true);
});

test('gRPC over TLS with credentials.createSsl(ca)', async () => {
  const client = new Greeter(stack.url('payments'), grpc.credentials.createSsl(Buffer.from(stack.ca as string))) as unknown as Greeter;
  clients.push(client);
  const reply = await new Promise<{ message: string }>((done, fail) => client.SayHello({ name: 'Ada' }, (e, r) => (e ? fail(e) : done(r))));
  expect(reply.message).toBe('hi Ada');
});

test('h2c with prior knowledge on a plain port', async () => {
  const { headers, body } = await h2Get(stack.url('h2c'), '/ping');
  expect(headers[':status']).toBe(200);
  expect(body).toBe('pong over h2c');
});

test('a gRPC client that does not trust the CA fails UNAVAILABLE; trusted clients still call', async () => {
  const untrusting = new Greeter(stack.url('payments'), grpc.credentials.createSsl()) as unknown as Greeter;
  clients.push(untrusting);
  const error = await new Promise<grpc.ServiceError>((done) => untrusting.SayHello({ name: 'x' }, (e) => done(e as grpc.ServiceError)));
  expect(error.code).toBe(grpc.status.UNAVAILABLE);
  const insecure = new Greeter(stack.url('payments'), grpc.credentials.createInsecure()) as unknown as Greeter;
  clients.push(insecure);
  const plainError = await new Promise<grpc.ServiceError>((done) => insecure.SayHello({ name: 'x' }, (e) => done(e as grpc.ServiceError)));
  expect(plainError.code).toBe(grpc.status.UNAVAILABLE);
  const trusted = new Greeter(stack.url('payments'), grpc.credentials.createSsl(Buffer.from(stack.ca as string))) as unknown as Greeter;
  clients.push(trusted);
  const reply = await new Promise<{ message: string }>((done, fail) => trusted.SayHello({ name: 'Bo' }, (e, r) => (e ? fail(e) : done(r))));
  expect(reply.message).toBe('hi Bo');
});

test('a client that rejects the certificate fails its handshake; plain HTTP to the TLS port is refused; serving goes on', async () => {
  await expect(undiciFetch(`${stack.url('orders')}/orders/1`)).rejects.toThrow(/fetch failed/);
  const { port } = stack.services.orders as { port: number };
  // Plain HTTP/1.1 bytes on the TLS port: the TLS layer refuses them and closes the connection.
  const answer = await new Promise<string>((done) => {
    const socket = connectTls(port, '127.0.0.1', () => socket.write('GET /orders/1 HTTP/1.1\r\nhost: x\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('close', () => done(text));
    socket.on('error', () => {});
  });
  expect(answer).not.toContain('HTTP/1.1 200');
  const res = await undiciFetch(`${stack.url('orders')}/orders/2`, { dispatcher: agent });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
});

test('fault.drop() over HTTP/2 resets only its stream; the session serves the next request', async () => {
  const session = connectH2(stack.url('orders'), { ca: stack.ca as string });
  try {
    const reset = await new Promise<number>((done) => {
      const request = session.request({ ':path': '/dropped' });
      request.on('error', () => {});
      request.on('close', () => done(request.rstCode));
      request.resume();
      request.end();
    });
    expect(reset).toBe(2); // NGHTTP2_INTERNAL_ERROR
    const status = await new Promise<number>((done, fail) => {
      const request = session.request({ ':path': '/orders/5' });
      request.on('response', (headers) => done(Number(headers[':status'])));
      request.on('error', fail);
      request.resume();
      request.end();
    });
    expect(status).toBe(200);
  } finally {
    session.close();
  }
  expect(stack.requests({ operation: 'GET /dropped' })[0]?.status).toBe('connection reset');
});

describe('curl', () => {
  const curl = async (...args: string[]): Promise<string> => (await run('curl', ['-sS', ...args])).stdout;

  test('--http2 over TLS negotiates h2; --http1.1 still works', async () => {
    const caFile = stack.services.orders?.ca as string;
    const url = `${stack.url('orders')}/orders/3`;
    expect(await curl('--http2', '--cacert', caFile, '-w', '\n%{http_version}', url)).toBe('{"id":"3","scheme":"https"}\n2');
    expect(await curl('--http1.1', '--cacert', caFile, '-w', '\n%{http_version}', url)).toBe('{"id":"3","scheme":"h1"}\n1.1');
  });

  test('--http2-prior-knowledge on an h2c port', async () => {
    expect(await curl('--http2-prior-knowledge', '-w', '\n%{http_version}', `${stack.url('h2c')}/ping`)).toBe('pong over h2c\n2');
  });

  test('curl without the CA fails with its certificate error (60)', async () => {
    const failed = await run('curl', ['-sS', `${stack.url('orders')}/orders/1`]).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
    expect(failed).toBe(60);
  });
});

test('the admin API lists the CA with each TLS service', async () => {
  const services = (await (await fetch(`${stack.adminUrl}/services`, { headers: stack.adminHeaders })).json()) as { name: string; ca?: string }[];
  expect(services.find((s) => s.name === 'orders')?.ca).toBe(stack.services.orders?.ca);
  expect(services.find((s) => s.name === 'plain')?.ca).toBeUndefined();
});

describe("the user's own certificate", () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('is served from PEM files; its CA is listed', async () => {
    // A certificate made elsewhere: here, the one this stack was given, written to files.
    const orders = stack.engine.model.services.get('orders')?.config.tls as { cert: string; key: string; ca: string };
    writeFileSync(join(dir, 'cert.pem'), orders.cert);
    writeFileSync(join(dir, 'key.pem'), orders.key);
    writeFileSync(join(dir, 'ca.pem'), orders.ca);
    const own = await startStack(
      scenario('own-cert').services({
        api: rest({ port: 0, tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'ca.pem') } }, [rest.get('/x', 'own')]),
      }),
    );
    try {
      expect(own.services.api?.ca).toBe(join(dir, 'ca.pem'));
      const res = await undiciFetch(`${own.url('api')}/x`, { dispatcher: h2agent });
      expect(await res.text()).toBe('own');
    } finally {
      await own.close();
    }
  });

  test.each([
    ['a missing file', { cert: 'nope/cert.pem', key: 'nope/key.pem' }, /cannot read its TLS certificate .*nope\/cert\.pem/],
    ['a file that is not PEM', { cert: join(dir, 'not-pem.txt'), key: join(dir, 'not-pem.txt') }, /is not PEM/],
    ['a setting that is neither', { cert: 1 }, /give true .* or \{ cert: 'cert.pem', key: 'key.pem' \}/],
  ])('%s is one MOCKSTACK_ERR_TLS_INVALID naming the service', async (_name, tls, message) => {
    writeFileSync(join(dir, 'not-pem.txt'), 'hello');
    const start = startStack(scenario('bad-cert').services({ api: rest({ port: 0, tls: tls as never }, [rest.get('/x', 'x')]) }));
    await expect(start).rejects.toMatchObject({ code: 'MOCKSTACK_ERR_TLS_INVALID', message: expect.stringMatching(message) });
    await expect(start).rejects.toThrow(/service "api"/);
  });
});

test('graphql-ws over wss: the WebSocket upgrade is served on the TLS port (HTTP/1.1 by ALPN)', async () => {
  const ws = new WebSocket(stack.url('catalog').replace(/^https/, 'wss'), 'graphql-transport-ws', { ca: stack.ca });
  try {
    const ack = await new Promise<string>((done, fail) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
      ws.once('message', (data) => done(String(data)));
      ws.once('error', fail);
    });
    expect(JSON.parse(ack)).toMatchObject({ type: 'connection_ack' });
  } finally {
    ws.close();
  }
});
