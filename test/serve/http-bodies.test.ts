/**
 * Streamed and binary REST bodies: a handler answers bytes (Uint8Array, Buffer, ArrayBuffer, Blob)
 * byte-exact, a web ReadableStream, a node Readable or an async generator chunked, server-sent events
 * with `sse(...)`, and the faults `fault.dribble` and `fault.malformedChunk`. Each streamed body is
 * journaled when it ends, bounded. Over HTTP/1.1 (fetch) and HTTP/2 (TLS, undici with allowH2).
 */
import { Buffer } from 'node:buffer';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { startStack, type TestStack } from '@mockstack/testing';
import { fault, respond, rest, scenario, sse } from 'mockstack';
import { Agent, fetch as undiciFetch } from 'undici';

const bytes = Uint8Array.from([0, 1, 2, 253, 254, 255]);

async function* ndjson(): AsyncGenerator<object> {
  yield { n: 1 };
  await new Promise((r) => setTimeout(r, 5));
  yield { n: 2 };
}

async function* failing(): AsyncGenerator<string> {
  yield 'first;';
  throw new Error('upstream went away');
}

/** An event stream without end; `closed` once its source is stopped (the client left). */
const endless = { closed: false };
function* ticks(): Generator<object> {
  endless.closed = false;
  try {
    for (let n = 1; ; n++) yield { data: n };
  } finally {
    endless.closed = true;
  }
}

const routes = [
  rest.get('/endless', () => sse(ticks(), { interval: '5ms' })),
  rest.get('/bytes', () => bytes),
  rest.get('/buffer', () => Buffer.from('héllo')),
  rest.get('/arraybuffer', () => bytes.buffer),
  rest.get('/blob', () => new Blob(['<svg/>'], { type: 'image/svg+xml' })),
  rest.get('/typed', () => respond(bytes, { headers: { 'content-type': 'image/png' } })),
  rest.get(
    '/web-stream',
    () =>
      new ReadableStream({
        start: (controller) => {
          controller.enqueue(new TextEncoder().encode('a,b\n'));
          controller.enqueue(new TextEncoder().encode('1,2\n'));
          controller.close();
        },
      }),
  ),
  rest.get('/node-stream', () => respond(Readable.from(['x', 'y', 'z']), { headers: { 'content-type': 'text/plain' } })),
  rest.get('/ndjson', () => respond(ndjson(), { headers: { 'content-type': 'application/x-ndjson' } })),
  rest.get('/failing', () => respond(failing(), { headers: { 'content-type': 'text/plain' } })),
  rest.get('/big', () => respond(Readable.from([Buffer.alloc(70_000, 'a'), Buffer.alloc(10, 'b')]), { headers: { 'content-type': 'text/plain' } })),
  rest.get(
    '/events',
    sse([{ event: 'status', id: '1', data: { status: 'paid' } }, sse.pause('20ms'), 'plain\ntwo lines', { data: 3, retry: 500 }], { interval: '10ms' }),
  ),
  rest.get('/slow', fault.dribble({ rows: [1, 2, 3] }, { over: '60ms', chunks: 4 })),
  // The README's example, shorter: 11 bytes in the default 10 pieces.
  rest.get('/report', fault.dribble({ rows: [] }, { over: '400ms' })),
  rest.get('/broken', fault.malformedChunk('id,name\n1,Ada\n2,Bo\n')),
  rest.get('/ok', { ok: true }),
];

const bodies = scenario('bodies', { seed: 1 }).services({
  files: rest({ port: 0 }, routes),
  secure: rest({ port: 0, tls: true }, routes),
});

let stack: TestStack;
let h2: Agent;

beforeAll(async () => {
  stack = await startStack(bodies);
  h2 = new Agent({ connect: { ca: stack.ca }, allowH2: true });
});
afterAll(async () => {
  await h2.close();
  await stack.close();
});

const get = (path: string): Promise<Response> => fetch(`${stack.url('files')}${path}`);

test.each([
  ['/bytes', 'application/octet-stream', [0, 1, 2, 253, 254, 255]],
  ['/buffer', 'application/octet-stream', [...Buffer.from('héllo')]],
  ['/arraybuffer', 'application/octet-stream', [0, 1, 2, 253, 254, 255]],
  ['/blob', 'image/svg+xml', [...Buffer.from('<svg/>')]],
  ['/typed', 'image/png', [0, 1, 2, 253, 254, 255]],
])('%s is sent byte-exact as %s', async (path, type, expected) => {
  const res = await get(path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(type);
  expect([...new Uint8Array(await res.arrayBuffer())]).toEqual(expected);
});

test('streams are sent chunked: web ReadableStream, node Readable, async generator (NDJSON)', async () => {
  const web = await get('/web-stream');
  expect(web.headers.get('transfer-encoding')).toBe('chunked');
  expect(await web.text()).toBe('a,b\n1,2\n');
  expect(await (await get('/node-stream')).text()).toBe('xyz');
  expect(await (await get('/ndjson')).text()).toBe('{"n":1}\n{"n":2}\n');
  const entry = stack.requests({ operation: 'GET /ndjson' }).at(-1);
  expect(entry?.status).toBe(200);
  expect(entry?.response?.body).toBe('{"n":1}\n{"n":2}\n');
});

test('the journal keeps a bounded part of a large streamed body', async () => {
  expect((await (await get('/big')).text()).length).toBe(70_010);
  const body = String(stack.requests({ operation: 'GET /big' }).at(-1)?.response?.body);
  expect(body.length).toBeLessThan(33_000);
  expect(body).toMatch(/^a+… \(70010 bytes streamed; the journal keeps 32768\)$/);
});

test('a stream that fails mid-body cuts the response; the failure is journaled and serving goes on', async () => {
  await expect(get('/failing').then((r) => r.text())).rejects.toThrow();
  const entry = stack.requests({ operation: 'GET /failing' }).at(-1);
  expect(entry?.error).toMatch(/the streamed body failed after 6 bytes: upstream went away/);
  expect((await get('/ok')).status).toBe(200);
});

test('sse(...) sends text/event-stream events in order, with the interval and pauses', async () => {
  const res = await get('/events');
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expect(await res.text()).toBe('event: status\nid: 1\ndata: {"status":"paid"}\n\ndata: plain\ndata: two lines\n\nretry: 500\ndata: 3\n\n');
});

test('an endless sse(...) stream stops (its source closed) when the client leaves; serving goes on', async () => {
  const controller = new AbortController();
  const res = await fetch(`${stack.url('files')}/endless`, { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!text.includes('data: 3')) text += new TextDecoder().decode((await reader.read()).value);
  expect(text.startsWith('data: 1\n\ndata: 2\n\ndata: 3')).toBe(true);
  controller.abort();
  while (!stack.requests({ operation: 'GET /endless' }).length || !endless.closed) await new Promise((r) => setTimeout(r, 10));
  expect(stack.requests({ operation: 'GET /endless' })[0]?.error).toMatch(/the client left after \d+ bytes/);
  expect((await get('/ok')).status).toBe(200);
});

test('fault.dribble sends the whole body, in pieces', async () => {
  const res = await get('/slow');
  expect(res.headers.get('content-length')).toBe(String('{"rows":[1,2,3]}'.length));
  expect(await res.json()).toEqual({ rows: [1, 2, 3] });
});

test('fault.dribble takes the whole duration when the body does not split evenly into its pieces', async () => {
  const res = await get('/report');
  const started = performance.now();
  const pieces: number[] = [];
  for await (const piece of res.body ?? []) pieces.push((piece as Uint8Array).length);
  const took = performance.now() - started;
  // 11 bytes, 10 pieces, 9 gaps of 44 ms: the last byte at 400 ms (it came at 222 ms, after 6 pieces).
  expect(pieces.reduce((a, b) => a + b, 0)).toBe(11);
  expect(took).toBeGreaterThanOrEqual(370);
  expect(took).toBeLessThan(3000);
  expect((await get('/ok')).status).toBe(200);
});

test('fault.malformedChunk: the client fails parsing mid-body; the server goes on', async () => {
  const failure = await new Promise<string>((done) => {
    const req = httpRequest(`${stack.url('files')}/broken`, (res) => {
      res.on('data', () => {});
      res.on('error', (e) => done(e.message));
      res.on('end', () => done('ended'));
    });
    req.on('error', (e) => done(`request: ${(e as NodeJS.ErrnoException).code}`));
    req.end();
  });
  expect(failure).toMatch(/Parse Error|aborted|HPE_INVALID_CHUNK_SIZE/);
  expect(stack.requests({ operation: 'GET /broken' }).at(-1)?.error).toMatch(/malformed chunk sent/);
  expect((await get('/ok')).status).toBe(200);
});

describe('over HTTP/2', () => {
  const h2get = (path: string) => undiciFetch(`${stack.url('secure')}${path}`, { dispatcher: h2 });

  test('bytes, streams and SSE arrive the same', async () => {
    expect([...new Uint8Array(await (await h2get('/bytes')).arrayBuffer())]).toEqual([0, 1, 2, 253, 254, 255]);
    expect(await (await h2get('/ndjson')).text()).toBe('{"n":1}\n{"n":2}\n');
    expect(await (await h2get('/events')).text()).toContain('data: {"status":"paid"}');
    expect(await (await h2get('/slow')).json()).toEqual({ rows: [1, 2, 3] });
  });

  test('fault.malformedChunk resets the stream; the session serves the next request', async () => {
    await expect(h2get('/broken').then((r) => r.text())).rejects.toThrow();
    expect((await h2get('/ok')).status).toBe(200);
  });
});
