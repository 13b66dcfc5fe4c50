/**
 * `mockstack up db.json`: a json-server database served zero-config (its collections with
 * json-server's query vocabulary, its singular resources), over state that `reset` restores.
 */
import { join, resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';

const db = join(resolve(import.meta.dirname, '../corpus-import'), 'json-server', 'db.json');
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
  const listed = await fetch(`${base}/posts?author=typicode&_fields=title`);
  expect(((await listed.json()) as unknown[]).length).toBe(2);
  expect(listed.headers.get('x-mockstack-ignored-query')).toBe('author, _fields');
  expect((await fetch(`${base}/posts/99`)).status).toBe(404);
  expect((await fetch(`${base}/posts/1`)).status).toBe(200);
});

test("json-server's relations: _embed children, _expand the parent, nested routes", async () => {
  const base = stack.url('db');
  const comment1 = { id: '1', text: 'a comment about post 1', postId: '1' };
  const comment2 = { id: '2', text: 'another comment about post 1', postId: '1' };
  expect(await (await fetch(`${base}/posts?_embed=comments`)).json()).toEqual([
    { id: '1', title: 'a title', comments: [comment1, comment2] },
    { id: '2', title: 'another title', comments: [] },
  ]);
  expect(await (await fetch(`${base}/posts/1?_embed=comments`)).json()).toEqual({ id: '1', title: 'a title', comments: [comment1, comment2] });
  const post1 = { id: '1', title: 'a title' };
  expect(await (await fetch(`${base}/comments/2?_expand=post`)).json()).toEqual({ ...comment2, post: post1 });
  // json-server 1 spells the parent with _embed too.
  expect(await (await fetch(`${base}/comments?_embed=post&_limit=1`)).json()).toEqual([{ ...comment1, post: post1 }]);

  const nested = await fetch(`${base}/posts/1/comments?q=another`);
  expect([nested.headers.get('x-total-count'), await nested.json()]).toEqual(['1', [comment2]]);
  expect(await (await fetch(`${base}/posts/2/comments`)).json()).toEqual([]);
  const created = await fetch(`${base}/posts/2/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"on post 2"}' });
  expect([created.status, await created.json()]).toEqual([201, { id: '3', text: 'on post 2', postId: '2' }]);
  expect(await (await fetch(`${base}/posts/2?_embed=comments`)).json()).toEqual({
    id: '2',
    title: 'another title',
    comments: [{ id: '3', text: 'on post 2', postId: '2' }],
  });

  // What cannot be related is reported, never an empty answer; a nested route to no collection is 404.
  const unknown = await fetch(`${base}/posts/1?_embed=likes&_expand=author`);
  expect([unknown.headers.get('x-mockstack-ignored-query'), await unknown.json()]).toEqual(['_embed=likes, _expand=author', post1]);
  const noCollection = await fetch(`${base}/posts/1/likes`);
  expect([noCollection.status, ((await noCollection.json()) as { error: { message: string } }).error.message]).toEqual([
    404,
    '/posts/1/likes: the database has no collection "likes"',
  ]);
  expect((await fetch(`${base}/posts/99/comments`)).status).toBe(404);
  expect((await fetch(`${base}/posts/1/comments`)).status).toBe(200);
  stack.reset();
});
