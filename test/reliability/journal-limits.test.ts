/**
 * Issue 16 item 5: the journal is bounded in bytes too. Large bodies are journaled cut, with a marker;
 * the journal drops its oldest entries past its byte budget; the admin journal answers; and
 * `journal: false` (`--no-journal`) keeps nothing while serving goes on.
 */
import { type JournalEntry, TRUNCATED } from '@mockstack/core';
import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';

const sink = scenario('sink').services({ api: rest({}, [rest.post('/upload', ({ body }) => ({ got: typeof body })), rest.get('/fine', { fine: true })]) });

const upload = (stack: TestStack, bytes: number, n: number): Promise<Response> =>
  fetch(`${stack.url('api')}/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ n, data: 'x'.repeat(bytes) }),
  });

test('bodies beyond the body limit are journaled cut with a marker, and the journal keeps within its byte budget', async () => {
  const stack = await startStack(sink, { admin: true, journal: { bytes: 200_000, bodyBytes: 10_000 } });
  try {
    for (let n = 0; n < 30; n++) expect((await upload(stack, 100_000, n)).status).toBe(200);
    expect(stack.engine.journal.bytes).toBeLessThanOrEqual(200_000);
    const entries = stack.requests();
    expect(entries.length).toBeGreaterThan(5);
    expect(entries.length).toBeLessThan(30);
    expect(entries.at(-1)?.id).toBe(30);
    const body = entries.at(-1)?.request.body as string;
    expect(body.length).toBeLessThan(10_200);
    expect(body.startsWith('{"n":29,"data":"xxx')).toBe(true);
    expect(body).toContain(`…${TRUNCATED}`);
    expect(body).toMatch(/the body has 1000\d\d bytes; the journal keeps 10000/);

    const admin = await fetch(`${stack.adminUrl}/journal`);
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { entries: JournalEntry[] }).entries).toHaveLength(entries.length);
    expect(await (await fetch(`${stack.url('api')}/fine`)).json()).toEqual({ fine: true });
  } finally {
    await stack.close();
  }
});

test('by default a 500 KB body is journaled cut at 64 KB, and small bodies whole', async () => {
  const stack = await startStack(sink);
  try {
    await upload(stack, 500_000, 1);
    await upload(stack, 10, 2);
    const [big, small] = stack.requests();
    expect(String(big?.request.body).length).toBeLessThan(64 * 1024 + 200);
    expect(small?.request.body).toEqual({ n: 2, data: 'x'.repeat(10) });
  } finally {
    await stack.close();
  }
});

test('journal: false keeps no entries; requests are still answered', async () => {
  const stack = await startStack(sink, { journal: false });
  try {
    expect((await upload(stack, 1000, 1)).status).toBe(200);
    expect(await (await fetch(`${stack.url('api')}/fine`)).json()).toEqual({ fine: true });
    expect(stack.requests()).toEqual([]);
    expect(stack.engine.journal.bytes).toBe(0);
  } finally {
    await stack.close();
  }
});
