/**
 * `mockstack up --cors` / `--no-cors` / $MOCKSTACK_CORS: which browser pages may call services that set
 * no `cors` themselves, contracts served zero-config included; `--delay`: how long they hold each answer.
 * Needs the built CLI (see CONTRIBUTING.md).
 */
import { mockstack, waitFor } from '../reliability/cli-process.js';

const CATALOG = 'schemas/catalog.graphql';
const LAN_PAGE = 'http://192.168.1.5:3000';

const preflight = (url: string, origin: string) =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

test('a --cors value that is no origin is refused before anything starts, saying what to write', async () => {
  for (const [given, message] of [
    ['localhost:3000', '"localhost:3000" is not an origin. It lacks its scheme (http://localhost:3000?)'],
    ['http://app.example.com/login', '"http://app.example.com/login" is not an origin. An origin has no path or query: http://app.example.com;'],
  ] as const) {
    const run = mockstack(['up', CATALOG, '--random-ports', '--no-admin', '--cors', given]);
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toContain(`error: option '--cors <origins>' argument '${given}' is invalid. ${message}`);
    expect(run.output()).not.toContain('Ready');
  }
});

test('$MOCKSTACK_CORS allows a LAN page when no flag is given; a refused page is told of once on stderr, and serving goes on', async () => {
  const run = mockstack(['up', CATALOG, '--random-ports', '--no-admin'], { MOCKSTACK_CORS: `${LAN_PAGE}/` });
  try {
    const url = (await waitFor(run, /catalog\s+graphql\s+(http:\/\/\S+)/))[1] as string;
    const allowed = await preflight(url, LAN_PAGE);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(LAN_PAGE);
    for (let i = 0; i < 2; i++) expect((await preflight(url, 'http://192.168.1.7:3000')).headers.get('access-control-allow-origin')).toBeNull();
    await waitFor(run, /warning: service "catalog": a page at http:\/\/192\.168\.1\.7:3000 called it from another origin and got no CORS headers/);
    expect(run.output().match(/a page at http:\/\/192\.168\.1\.7:3000/g)).toHaveLength(1);
    const answer = await fetch(url, {
      method: 'POST',
      headers: { origin: LAN_PAGE, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
  }
});

test('--no-cors wins over $MOCKSTACK_CORS: no CORS headers, even for a page on this machine', async () => {
  const run = mockstack(['up', CATALOG, '--random-ports', '--no-admin', '--no-cors'], { MOCKSTACK_CORS: '*' });
  try {
    const url = (await waitFor(run, /catalog\s+graphql\s+(http:\/\/\S+)/))[1] as string;
    const response = await fetch(url, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
  }
});

test('a $MOCKSTACK_CORS that is no origin stops `up` with MOCKSTACK_ERR_OPTION_INVALID naming the variable', async () => {
  const run = mockstack(['up', CATALOG, '--random-ports', '--no-admin'], { MOCKSTACK_CORS: 'app.example.com' });
  const { code } = await run.exited;
  expect(code).not.toBe(0);
  expect(run.output()).toMatch(/MOCKSTACK_ERR_OPTION_INVALID/);
  expect(run.output()).toContain('$MOCKSTACK_CORS: "app.example.com" is not an origin. It lacks its scheme (http://app.example.com?)');
});

test('--delay holds every answer of a contract served zero-config (the admin API answers meanwhile); a value that is no delay is refused', async () => {
  for (const [given, message] of [
    ['soon', `delay "soon" is not a duration; write 250, '250ms' or '2s', or a range: '200ms-1s'`],
    ['1s-200ms', 'delay range has min 1000ms above max 200ms'],
  ] as const) {
    const refused = mockstack(['up', CATALOG, '--random-ports', '--no-admin', '--delay', given]);
    expect((await refused.exited).code).not.toBe(0);
    expect(refused.output()).toContain(`error: option '--delay <duration>' argument '${given}' is invalid. ${message}`);
  }
  const run = mockstack(['up', CATALOG, '--random-ports', '--admin-port', '0', '--delay', '50s-60s']);
  try {
    const url = (await waitFor(run, /catalog\s+graphql\s+(http:\/\/\S+)/))[1] as string;
    const admin = (await waitFor(run, /admin\s+http\s+(http:\/\/\S+?)\/__admin/))[1] as string;
    const client = new AbortController();
    let settled = false;
    const held = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: client.signal,
    }).finally(() => {
      settled = true;
    });
    expect((await fetch(`${admin}/__admin/health`)).status).toBe(200);
    expect(settled).toBe(false);
    client.abort();
    await expect(held).rejects.toThrow(/aborted/);
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
  }
});

test('--dynamic: an OpenAPI document served zero-config generates each answer anew', async () => {
  const run = mockstack(['up', 'schemas/petstore.json', '--random-ports', '--no-admin', '--dynamic']);
  try {
    const url = (await waitFor(run, /petstore\s+rest\s+(http:\/\/\S+)/))[1] as string;
    const [one, another] = [await (await fetch(`${url}/api/pets/1`)).json(), await (await fetch(`${url}/api/pets/1`)).json()];
    expect(another).not.toEqual(one);
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
  }
});
