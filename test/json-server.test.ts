/**
 * `mockstack up db.json`: a json-server database served zero-config (its collections with
 * json-server's query vocabulary, its singular resources), over state that `reset` restores.
 */
import { join, resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';

const db = join(resolve(import.meta.dirname, 'corpus-import'), 'json-server', 'db.json');
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack([db]);
});
afterAll(() => stack.close());

test('collections answer as json-server does; writes change them until reset', async () => {
  const base = stack.url('db');
  const posts = await fetch(`${base}/posts?_sort=title&_order=desc`);
  expect(posts.headers.get('x-total-count')).toBe('2');
  expect(await posts.json()).toEqual([
    { id: '2', title: 'another title' },
    { id: '1', title: 'a title' },
  ]);
  expect(await (await fetch(`${base}/comments?postId=1&text_like=^another`)).json()).toEqual([{ id: '2', text: 'another comment about post 1', postId: '1' }]);
  expect(await (await fetch(`${base}/profile`)).json()).toEqual({ name: 'typicode' });

  const created = await fetch(`${base}/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'new' }) });
  expect([created.status, await created.json()]).toEqual([201, { id: '3', title: 'new' }]);
  expect((await (await fetch(`${base}/posts`)).json()) as unknown[]).toHaveLength(3);
  stack.reset();
  expect((await (await fetch(`${base}/posts`)).json()) as unknown[]).toHaveLength(2);
});

test('an unknown query parameter is ignored and reported; a missing record is 404 and serving goes on', async () => {
  const base = stack.url('db');
  const listed = await fetch(`${base}/posts?_embed=comments`);
  expect(((await listed.json()) as unknown[]).length).toBe(2);
  expect(listed.headers.get('x-mockstack-ignored-query')).toBe('_embed');
  expect((await fetch(`${base}/posts/99`)).status).toBe(404);
  expect((await fetch(`${base}/posts/1`)).status).toBe(200);
});
