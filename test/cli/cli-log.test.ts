/**
 * What `mockstack up` prints, from real `up` processes: request lines whose columns line up (GraphQL by
 * operation with its error count, rule names, long targets cut), events (variant switches, Ctrl-C) on stdout
 * even with --quiet, warnings on stderr, and colour only when NO_COLOR / FORCE_COLOR / a terminal say so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { bin, root } from '../reliability/cli-process.js';

const scenario = 'test/fixtures/scenarios/logged.ts';
const ESC = '\u001b[';

interface Up {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `mockstack up …` with exactly this colour environment (the test runner's own FORCE_COLOR or NO_COLOR left out). */
function up(args: string[], colorEnv: Record<string, string>): Up {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...colorEnv };
  for (const name of ['FORCE_COLOR', 'NO_COLOR'] as const) if (!(name in colorEnv)) delete env[name];
  const child = spawn(process.execPath, [bin, 'up', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitFor(read: () => string, pattern: RegExp, process: Up): Promise<RegExpMatchArray> {
  for (let i = 0; i < 800; i++) {
    const match = read().match(pattern);
    if (match) return match;
    if (process.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${pattern} in\n--- stdout\n${process.stdout()}\n--- stderr\n${process.stderr()}`);
}

const graphqlQuery = (url: string, query: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

test('request lines line up, name GraphQL operations with their errors and rules by name; events and Ctrl-C are said', async () => {
  const run = up([scenario, '--random-ports', '--admin-port', '0'], { NO_COLOR: '1' });
  try {
    const shop = (await waitFor(run.stdout, /shop\s+rest\s+(http:\/\/127\.0\.0\.1:\d+)/, run))[1];
    const catalog = (await waitFor(run.stdout, /catalog\s+graphql\s+(http:\/\/127\.0\.0\.1:\d+\S*)/, run))[1] as string;
    const admin = (await waitFor(run.stdout, /admin\s+http\s+(http:\/\/127\.0\.0\.1:\d+\/__admin)/, run))[1];
    await waitFor(run.stdout, new RegExp(`Dashboard: ${admin}/ui\\n`), run);

    await fetch(`${shop}/orders/ord_1`);
    const long = `ord_${'x'.repeat(60)}_end`;
    await fetch(`${shop}/orders/${long}`);
    await graphqlQuery(catalog, 'query Home { items { id } }');
    await graphqlQuery(catalog, 'query Item { item(id: "1") { name } }');
    await fetch(`${shop}/boom`);

    const named = (await waitFor(run.stdout, /^.*shop\s+GET \/orders\/ord_1\s+200\s+get order\s+[\d.]+ms$/m, run))[0];
    const cut = (await waitFor(run.stdout, /^.*shop\s+GET \/orders\/ord_x+…x+_end\s+200 .*$/m, run))[0];
    const failed = (await waitFor(run.stdout, /^.*catalog\s+query Home \(1 error\)\s+200 .*$/m, run))[0];
    const item = (await waitFor(run.stdout, /^.*catalog\s+query Item\s+200 .*$/m, run))[0];
    const boom = (await waitFor(run.stdout, /^.*shop\s+GET \/boom\s+500\s+shop#2\s+[\d.]+ms {2}the database is gone$/m, run))[0];
    // The status column starts at the same place on every line
    const statusAt = (line: string) => line.search(/ (200|500) /);
    expect(new Set([named, cut, failed, item, boom].map(statusAt)).size).toBe(1);
    // A stack that serves no gRPC keeps the status column as wide as an HTTP status (gRPC's names need 19)
    expect(named).toMatch(/ 200 {2}get order /);
    expect(cut).not.toContain(long);

    // A variant switch (through the admin API) is an event line
    const switched = await fetch(`${admin}/variants`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"active":["shop-down"]}' });
    expect(switched.status).toBe(200);
    await waitFor(run.stdout, /variant\s+shop-down on \(active: shop-down\)/, run);
    expect(run.stdout()).not.toContain(ESC);
    // stderr has warnings and errors only (e.g. "contract types regenerated" when the repository's are stale)
    for (const line of run.stderr().split('\n').filter(Boolean)) expect(line).toMatch(/^(warning|error): /);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/stop\s+SIGINT: stopping; calls in flight have up to 5000 ms to finish/);
    expect(run.stdout()).toMatch(
      /stop\s+stopped shop \(http:\/\/127\.0\.0\.1:\d+\), catalog \(http:\/\/127\.0\.0\.1:\d+\S*\) and the admin API \(http:\/\/127\.0\.0\.1:\d+\/__admin\)/,
    );
  } finally {
    run.child.kill('SIGTERM');
  }
}, 60_000);

test('warnings go to stderr; events show with --quiet, request lines do not', async () => {
  const run = up(['test/fixtures/lenient/partner.graphql', '--lenient', '--random-ports', '--no-admin', '--quiet'], { NO_COLOR: '1' });
  try {
    const url = (await waitFor(run.stdout, /partner\s+graphql\s+(http:\/\/127\.0\.0\.1:\d+\S*)/, run))[1] as string;
    await waitFor(run.stdout, /Ready in \d+ ms/, run);
    // (their order against stdout shows on a terminal, where both streams meet; two pipes are read in any order)
    await waitFor(run.stderr, /^warning: .*loaded leniently despite .*partner\.graphql:\d+:\d+/m, run);
    expect(run.stdout()).not.toMatch(/warning:/);
    await graphqlQuery(url, '{ __typename }');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/stop\s+stopped partner/);
    expect(run.stdout()).not.toMatch(/POST|__typename/);
  } finally {
    run.child.kill('SIGTERM');
  }
}, 60_000);

test('--log-format json: requests and events as JSON lines on stdout, warnings as JSON lines on stderr', async () => {
  const run = up(['test/fixtures/lenient/partner.graphql', '--lenient', '--random-ports', '--no-admin', '--log-format', 'json'], { NO_COLOR: '1' });
  try {
    const url = (await waitFor(run.stdout, /"event":"ready".*"url":"(http:\/\/127\.0\.0\.1:\d+[^"]*)"/, run))[1] as string;
    const warning = (await waitFor(run.stderr, /^\{.*loaded leniently despite .*partner\.graphql:\d+:\d+.*\}$/m, run))[0];
    expect(JSON.parse(warning)).toMatchObject({ level: 40 });
    await graphqlQuery(url, '{ __typename }');
    await waitFor(run.stdout, /"msg":"request"/, run);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const out = run
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level?: number; msg?: string; event?: string });
    expect(out.filter((line) => (line.level ?? 30) >= 40)).toEqual([]);
    expect(out.map((line) => line.event ?? line.msg)).toEqual(expect.arrayContaining(['ready', 'request', 'stop']));
    for (const line of run.stderr().trim().split('\n')) expect((JSON.parse(line) as { level: number }).level).toBeGreaterThanOrEqual(40);
  } finally {
    run.child.kill('SIGTERM');
  }
}, 60_000);

test.each([
  ['FORCE_COLOR=1 colours a pipe', { FORCE_COLOR: '1' }, true],
  ['FORCE_COLOR wins over NO_COLOR', { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
  ['FORCE_COLOR=0 turns colour off', { FORCE_COLOR: '0' }, false],
  ['a pipe is not coloured by default', {}, false],
])(
  '%s',
  async (_name, colorEnv, coloured) => {
    const run = up([scenario, '--random-ports', '--no-admin'], colorEnv);
    try {
      const shop = (await waitFor(run.stdout, /shop\s+rest\s+(http:\/\/127\.0\.0\.1:\d+)/, run))[1];
      await fetch(`${shop}/orders/ord_1`);
      const line = (await waitFor(run.stdout, /^.*GET \/orders\/ord_1.*$/m, run))[0];
      if (coloured) expect(line).toContain(`${ESC}32m200`);
      else expect(line).not.toContain(ESC);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  },
  60_000,
);
