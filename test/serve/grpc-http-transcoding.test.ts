/**
 * HTTP/JSON transcoding (AIP-127, what grpc-gateway, Envoy and Google's REST APIs serve): a unary method with a
 * `google.api.http` option is also served at its HTTP path on the service's web port, the request made from the
 * path, the query string and the JSON body, answered with the response as JSON, through the same rules and journal.
 * Google's library example (google-proto-files), called with fetch.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Stack } from '@mockstack/core';
import { fault, grpc } from 'mockstack';
import { serveGrpc } from '../helpers/grpc-stack.js';

const googleapis = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
const proto = resolve(googleapis, 'google/example/library/v1/library.proto');

let stack: Stack;
let web: string;

beforeAll(async () => {
  ({ stack } = await serveGrpc({ proto, includeDirs: [googleapis], web: true }, [
    grpc.method(
      'google.example.library.v1.LibraryService/GetBook',
      { match: { body: { name: 'shelves/fiction/books/missing' } } },
      fault.notFound('no such book'),
    ),
    grpc.method('google.example.library.v1.LibraryService/GetBook', ({ request }) => ({
      name: (request as { name: string }).name,
      title: 'Moby Dick',
      read: true,
    })),
  ]));
  web = stack.address('svc').also?.[0]?.url ?? '';
});
afterAll(() => stack.close());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${web}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

test('GET with a path variable runs the method with the request made from the path; a rule answers', async () => {
  expect(await call('GET', '/v1/shelves/fiction/books/moby')).toEqual({
    status: 200,
    json: { name: 'shelves/fiction/books/moby', title: 'Moby Dick', read: true },
  });
  expect(stack.engine.journal.list({ operation: 'google.example.library.v1.LibraryService/GetBook' }).at(-1)).toMatchObject({ status: 'OK' });
});

test('GET of a collection: the parent from the path, paging from the query string; auto-mocked under that parent', async () => {
  const { status, json } = await call('GET', '/v1/shelves/fiction/books?page_size=2&pageToken=');
  expect(status).toBe(200);
  const books = json.books as { name: string }[];
  expect(books.length).toBeGreaterThan(0);
  for (const { name } of books) expect(name).toMatch(/^shelves\/fiction\/books\/[a-z][a-z0-9-]*$/);
  expect(json.nextPageToken).toEqual(expect.any(String));
});

test('POST with body "book": the body is that field of the request; a custom verb (:move) with body "*"', async () => {
  const created = await call('POST', '/v1/shelves/fiction/books', { title: 'Ulysses', author: 'Joyce' });
  expect(created.status).toBe(200);
  expect(created.json.name).toMatch(/^shelves\/fiction\/books\//);
  expect(stack.engine.journal.list({ operation: 'google.example.library.v1.LibraryService/CreateBook' }).at(-1)?.request.body).toMatchObject({
    parent: 'shelves/fiction',
    book: { title: 'Ulysses', author: 'Joyce' },
  });
  const moved = await call('POST', '/v1/shelves/fiction/books/moby:move', { otherShelfName: 'shelves/classics' });
  expect(moved.status).toBe(200);
  expect(stack.engine.journal.list({ operation: 'google.example.library.v1.LibraryService/MoveBook' }).at(-1)?.request.body).toMatchObject({
    name: 'shelves/fiction/books/moby',
    otherShelfName: 'shelves/classics',
  });
});

test('a fault is answered with its HTTP status and a Google error body; bad input is refused with why, and serving goes on', async () => {
  expect(await call('GET', '/v1/shelves/fiction/books/missing')).toEqual({
    status: 404,
    json: { error: { code: 404, message: 'no such book', status: 'NOT_FOUND' } },
  });
  const notJson = await call('POST', '/v1/shelves/fiction/books', '{ not json');
  expect(notJson.status).toBe(400);
  expect(notJson.json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: expect.stringMatching(/^the request body is not JSON/) });
  const wrongType = await call('POST', '/v1/shelves/fiction/books', { title: 42 });
  expect(wrongType.status).toBe(400);
  expect(wrongType.json.error).toMatchObject({ status: 'INVALID_ARGUMENT' });
  const badEscape = await call('GET', '/v1/shelves/fiction/books/%E0%A4%A');
  expect(badEscape.status).toBe(400);
  expect(badEscape.json.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringContaining('malformed escape') });
  expect((await call('GET', '/v1/shelves/fiction/books/moby')).status).toBe(200);
});
