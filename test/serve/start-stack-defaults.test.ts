/**
 * `startStack` (mockstack/testing) takes what `mockstack up --cors/--no-cors`, `--delay` and `--dynamic`
 * set, for a test suite that serves a contract zero-config: same reading, same checks, same errors.
 */
import { resolve } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';

const root = resolve(import.meta.dirname, '../..');
const PETSTORE = resolve(root, 'schemas/petstore.json');
const CODESPACE = 'https://fluffy-happiness-5173.app.github.dev';
const quiet = () => {};
const logger = { request: quiet, info: quiet, warn: quiet, error: quiet };

const preflight = (url: string, origin: string) => fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });

async function timed(url: string, init?: RequestInit): Promise<[Response, number]> {
  const started = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return [res, performance.now() - started];
}

describe("startStack('petstore.json', { cors: 'https://*.app.github.dev', delay: '150ms-250ms', dynamic: true })", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack(PETSTORE, { logger, cors: 'https://*.app.github.dev', delay: '150ms-250ms', dynamic: true, seed: 3 });
  });
  afterAll(() => stack.close());

  test('a Codespaces page may call the contract, a page on this machine no longer; each answer is held 150-250 ms and generated anew', async () => {
    const url = `${stack.url('petstore')}/api/pets/1`;
    const pre = await preflight(url, CODESPACE);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(CODESPACE);
    const [first, firstMs] = await timed(url, { headers: { origin: CODESPACE } });
    expect(first.headers.get('access-control-allow-origin')).toBe(CODESPACE);
    const [local, localMs] = await timed(url, { headers: { origin: 'http://localhost:5173' } });
    expect(local.headers.get('access-control-allow-origin')).toBeNull();
    for (const ms of [firstMs, localMs]) expect(ms).toBeGreaterThanOrEqual(145);
    const answers = await Promise.all([1, 2].map(async () => (await fetch(url)).json()));
    expect(answers[1]).not.toEqual(answers[0]);
  });
});

test('cors: false (--no-cors) leaves a preflight to the contract, with no CORS headers even for this machine; a list of origins is taken too', async () => {
  const none = await startStack(PETSTORE, { logger, cors: false });
  const listed = await startStack(PETSTORE, { logger, cors: ['http://192.168.1.5:3000', /^capacitor:\/\/localhost$/] });
  try {
    const pre = await preflight(`${none.url('petstore')}/api/pets/1`, 'http://localhost:5173');
    expect(pre.status).toBe(405);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    for (const origin of ['http://192.168.1.5:3000', 'capacitor://localhost']) {
      const res = await fetch(`${listed.url('petstore')}/api/pets/1`, { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
  } finally {
    await Promise.all([none.close(), listed.close()]);
  }
});

test('an option that is no origin or no delay is refused with MOCKSTACK_ERR_OPTION_INVALID saying what to write; no port is left open and the next stack serves', async () => {
  const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
  const before = servers();
  const refusals: [Parameters<typeof startStack>[1], RegExp][] = [
    [{ cors: 'app.example.com' }, /^cors: "app\.example\.com" is not an origin\. It lacks its scheme \(http:\/\/app\.example\.com\?\)/],
    [
      { cors: ['http://localhost:3000/app'] },
      /^cors: "http:\/\/localhost:3000\/app" is not an origin\. An origin has no path or query: http:\/\/localhost:3000/,
    ],
    [{ cors: [] }, /^cors: expected '\*', origins like 'http:\/\/localhost:5173', a list of them, or false; got \[\]/],
    [{ cors: [3000] as unknown as string[] }, /^cors: 3000 is not an origin; give strings like 'http:\/\/localhost:5173' or RegExps/],
    [{ delay: 'soon' }, /^delay "soon" is not a duration; write 250, '250ms' or '2s', or a range: '200ms-1s'$/],
    [{ delay: '1s-200ms' }, /^delay range has min 1000ms above max 200ms$/],
    [{ delay: -5 }, /^delay -5 is not a duration/],
    [{ delay: { median: '100ms' } as unknown as string }, /^delay \{"median":"100ms"\} needs a median duration and a sigma ≥ 0/],
  ];
  for (const [options, message] of refusals) {
    const failed = startStack(PETSTORE, { logger, ...options });
    await expect(failed).rejects.toMatchObject({ code: 'MOCKSTACK_ERR_OPTION_INVALID', message: expect.stringMatching(message) });
  }
  expect(servers()).toBe(before);
  const stack = await startStack(PETSTORE, { logger, delay: 20, cors: '*' });
  try {
    const res = await fetch(`${stack.url('petstore')}/api/pets/1`, { headers: { origin: CODESPACE } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(CODESPACE);
  } finally {
    await stack.close();
  }
});
