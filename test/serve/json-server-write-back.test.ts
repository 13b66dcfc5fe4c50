/**
 * json-server's write-back and --watch: a database's changes go back to its file (debounced,
 * atomically) from `rest.crud({ writeBack })`, `mockstack up db.json --write-back` and the scenario
 * `mockstack import db.json --write-back` writes; `--watch` serves an edited db.json's records.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '@mockstack/contracts';
import { emitScenario, importSource } from '@mockstack/record';
import { startStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';
import { eventually } from '../helpers/eventually.js';
import { type CliProcess, root, mockstack as run, waitFor } from '../reliability/cli-process.js';

const temp = join(root, 'test', `.write-back-tmp-${process.pid}`);
const corpusDb = join(root, 'test', 'corpus-import', 'json-server', 'db.json');
const json = { 'content-type': 'application/json' };
type Db = { posts: Record<string, unknown>[]; comments: Record<string, unknown>[]; profile: Record<string, unknown> };
const readDb = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Db;
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: json, body: JSON.stringify(body) });

beforeAll(() => {
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(temp, 'package.json'), JSON.stringify({ name: 'write-back', private: true, type: 'module' }));
  writeFileSync(join(temp, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function crudScenario(file: string) {
  const seed = readDb(corpusDb);
  return scenario('write-back', { state: () => structuredClone(seed) }).services({
    db: rest({ port: 0 }, [
      ...rest.crud('/posts', { collection: (s: Db) => s.posts, list: 'array', database: (s: Db) => s, writeBack: file }),
      ...rest.crud('/comments', { collection: (s: Db) => s.comments, list: 'array', database: (s: Db) => s, writeBack: file }),
    ]),
  });
}

test('rest.crud writeBack: every change reaches the file, written whole and atomically', async () => {
  const dir = join(temp, 'crud');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'db.json');
  copyFileSync(corpusDb, file);
  const stack = await startStack(crudScenario(file));
  try {
    const base = stack.url('db');
    const created = await Promise.all([post(`${base}/posts`, { title: 'third' }), post(`${base}/posts/1/comments`, { text: 'nested' })]);
    expect(created.map((r) => r.status)).toEqual([201, 201]);
    expect((await fetch(`${base}/posts/2`, { method: 'DELETE' })).status).toBe(204);
    await eventually(async () => {
      const written = readDb(file);
      expect(written.posts).toEqual([
        { id: '1', title: 'a title' },
        { id: '3', title: 'third' },
      ]);
      expect(written.comments.at(-1)).toEqual({ id: '3', text: 'nested', postId: '1' });
      expect(written.profile).toEqual({ name: 'typicode' });
    });
    expect(readdirSync(dir)).toEqual(['db.json']); // no temporary file left behind
  } finally {
    await stack.close();
  }
});

test('a write-back that fails is answered to the next change as INTERNAL; reads go on, and writing resumes', async () => {
  const dir = join(temp, 'gone');
  const file = join(dir, 'db.json');
  const stack = await startStack(crudScenario(file));
  try {
    const base = stack.url('db');
    expect((await post(`${base}/posts`, { title: 'kept in memory' })).status).toBe(201);
    await eventually(async () => {
      const refused = await post(`${base}/posts`, { title: 'after the failure' });
      expect(refused.status).toBe(500);
      const { error } = (await refused.json()) as { error: { message: string } };
      expect(error.message).toMatch(/^could not write the database back to .*gone[/\\]db\.json: ENOENT.*nothing was changed by this request/);
    });
    expect((await fetch(`${base}/posts/3`)).status).toBe(200);
    mkdirSync(dir);
    // A write scheduled before the folder came back (by a change answered 201 while an earlier write was
    // failing) may still fail, and that failure is answered to one more change: then writing resumes.
    await eventually(async () => expect((await post(`${base}/posts`, { title: 'written again' })).status).toBe(201));
    await eventually(async () => expect(readDb(file).posts.map((p) => p.title)).toContain('written again'));
  } finally {
    await stack.close();
  }
});

test('mockstack import db.json --write-back: the written scenario passes check and writes its changes to the db.json', async () => {
  const dir = join(temp, 'imported');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'db.json');
  copyFileSync(corpusDb, file);
  const imported = importSource(file, { writeBack: true });
  const written = await emitScenario(imported.draft, { out: join(temp, 'scenarios', 'imported.ts'), origin: 'import of db.json' });
  const text = readFileSync(written.file, 'utf8');
  expect(text).toContain("writeBack: '../imported/db.json'");
  expect((await check([written.file], { root: temp })).problems).toEqual([]);
  const stack = await startStack(written.file);
  try {
    const base = stack.url(Object.keys(stack.services)[0] ?? '');
    expect(await (await fetch(`${base}/posts/1?_embed=comments`)).json()).toMatchObject({ comments: [{ id: '1' }, { id: '2' }] });
    expect((await fetch(`${base}/comments/1`, { method: 'PATCH', headers: json, body: '{"text":"edited"}' })).status).toBe(200);
    await eventually(async () => {
      const db = readDb(file);
      expect(db.comments[0]).toEqual({ id: '1', text: 'edited', postId: '1' });
      expect(db.profile).toEqual({ name: 'typicode' });
    });
  } finally {
    await stack.close();
  }
});

describe('mockstack up db.json --write-back --watch', () => {
  let up: CliProcess | undefined;
  afterEach(async () => {
    if (up && up.child.exitCode === null) up.child.kill('SIGTERM');
    await up?.exited;
  });

  test('writes go to the file; an edit of the file is served, mockstack’s own writes do not reload', async () => {
    const dir = join(temp, 'cli');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'db.json');
    copyFileSync(corpusDb, file);
    up = run(['up', file, '--write-back', '--watch', '--random-ports', '--no-admin', '--quiet']);
    const [, base] = (await waitFor(up, /db\s+rest\s+(http:\/\/127\.0\.0\.1:\d+)/)) as RegExpMatchArray;
    expect((await post(`${base}/posts`, { title: 'from the CLI' })).status).toBe(201);
    await eventually(async () => expect(readDb(file).posts.map((p) => p.title)).toEqual(['a title', 'another title', 'from the CLI']));
    expect(up.output()).not.toMatch(/reloaded/); // the file holds what mockstack wrote: nothing to reload

    const edited = readDb(file);
    edited.posts.push({ id: '9', title: 'typed into the file' });
    writeFileSync(file, JSON.stringify(edited, null, 2));
    await eventually(async () => expect(((await (await fetch(`${base}/posts/9`)).json()) as { title?: string }).title).toBe('typed into the file'));
    expect((await (await fetch(`${base}/posts`)).json()) as unknown[]).toHaveLength(4);
    expect(up.output()).toMatch(/reloaded .* \(changed: .*db\.json\)/);
  }, 60_000);
});
