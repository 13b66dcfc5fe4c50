/**
 * What `up`'s flags set for every service that does not set it itself. `--cors` (RunOptions.cors): the
 * origins whose pages may call the services, contracts served zero-config too; a refused origin is told
 * once in the log, with what to change. `--delay` (RunOptions.delay): how long each answer is held.
 */
import { resolve } from 'node:path';
import type { Logger } from '@mockstack/core';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { grpc, rest, scenario } from 'mockstack';

const root = resolve(import.meta.dirname, '../..');
const CATALOG = resolve(root, 'schemas/catalog.graphql');
const PETSTORE = resolve(root, 'schemas/petstore.json');
const PAYMENTS = resolve(root, 'protos/payments.proto');
const CODESPACE = 'https://fluffy-happiness-5173.app.github.dev';

/** The warnings about CORS the stack logged (the petstore document has warnings of its own). */
function capturingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const quiet = () => {};
  const warn = (message: string) => {
    if (message.includes('CORS')) warnings.push(message);
  };
  return { warnings, logger: { request: quiet, info: quiet, warn, error: quiet } };
}

const preflight = (url: string, origin: string) =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

const urlOf = (running: RunningStack, protocol: string) => running.services.find((s) => s.protocol === protocol)?.url as string;

describe('contracts served zero-config with --cors https://*.app.github.dev', () => {
  let running: RunningStack;
  const { logger, warnings } = capturingLogger();
  beforeAll(async () => {
    running = await runScenario([CATALOG, PETSTORE], { randomPorts: true, adminPort: false, logger, cors: [/^https:\/\/[^/]*\.app\.github\.dev$/i] });
  });
  afterAll(() => running.close());

  test('a Codespaces page may call the GraphQL and the OpenAPI service: preflight and answer', async () => {
    const graphqlUrl = urlOf(running, 'graphql');
    const pre = await preflight(graphqlUrl, CODESPACE);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(CODESPACE);
    const answer = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { origin: CODESPACE, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(CODESPACE);
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    const pets = await fetch(`${urlOf(running, 'rest')}/api/pets/1`, { headers: { origin: CODESPACE } });
    expect(pets.headers.get('access-control-allow-origin')).toBe(CODESPACE);
    expect(warnings).toEqual([]);
  });

  test('a page on this machine is no longer allowed (the flag replaces the default); the refusal is told once, and serving goes on', async () => {
    const graphqlUrl = urlOf(running, 'graphql');
    for (let i = 0; i < 2; i++) {
      const pre = await preflight(graphqlUrl, 'http://localhost:5173');
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(warnings).toEqual([
      expect.stringMatching(
        /^service "catalog": a page at http:\/\/localhost:5173 called it from another origin and got no CORS headers, so the browser hides the answer: it is not among the origins allowed \(\/.*app\\\.github\\\.dev\$\/i\)\. Add it where they are set: `--cors` or the service's `cors\.origins`$/,
      ),
    ]);
    const pets = await fetch(`${urlOf(running, 'rest')}/api/pets/1`, { headers: { origin: CODESPACE } });
    expect(pets.status).toBe(200);
  });
});

describe('a scenario with --cors *', () => {
  let running: RunningStack;
  const { logger, warnings } = capturingLogger();
  const shop = scenario('cors-flag', { seed: 1 }).services({
    open: rest({ port: 0 }, [rest.get('/rates', { rates: [] })]),
    // Its own setting wins over the flag, as its own host wins over --host.
    partner: rest({ port: 0, cors: { origins: ['http://localhost:3000'] } }, [rest.get('/rates', { rates: [] })]),
    payments: grpc({ port: 0, proto: PAYMENTS, web: { port: 0 } }),
  });
  beforeAll(async () => {
    running = await runScenario(shop, { adminPort: false, logger, cors: ['*'] });
  });
  afterAll(() => running.close());

  test('any origin may call the services that set no cors, the gRPC web port too; a service with its own cors keeps it', async () => {
    const open = running.services.find((s) => s.name === 'open')?.url as string;
    const answer = await fetch(`${open}/rates`, { headers: { origin: 'http://192.168.1.5:3000' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://192.168.1.5:3000');
    const web = running.services.find((s) => s.name === 'payments')?.also?.[0]?.url as string;
    const pre = await preflight(`${web}/checkout.payments.v1.PaymentService/Authorize`, 'http://192.168.1.5:3000');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://192.168.1.5:3000');
    const partner = running.services.find((s) => s.name === 'partner')?.url as string;
    const refused = await fetch(`${partner}/rates`, { headers: { origin: 'http://192.168.1.5:3000' } });
    expect(refused.status).toBe(200);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await fetch(`${partner}/rates`, { headers: { origin: 'http://localhost:3000' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(warnings).toEqual([expect.stringMatching(/^service "partner": a page at http:\/\/192\.168\.1\.5:3000 called it from another origin/)]);
  });
});

describe('the default (no --cors)', () => {
  let running: RunningStack;
  const { logger, warnings } = capturingLogger();
  beforeAll(async () => {
    running = await runScenario([PETSTORE], { randomPorts: true, adminPort: false, logger });
  });
  afterAll(() => running.close());

  test('a page on another machine gets no CORS headers and the log says how to allow it; a same-origin page is not told of', async () => {
    const url = urlOf(running, 'rest');
    const refused = await fetch(`${url}/api/pets/1`, { headers: { origin: CODESPACE } });
    expect(refused.status).toBe(200);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    // A page the mock itself served, posting to it: its Origin is the Host it called.
    const host = new URL(url).host;
    await fetch(`${url}/api/pets/1`, { headers: { origin: `http://${host}`, host } });
    expect(warnings).toEqual([
      `service "petstore": a page at ${CODESPACE} called it from another origin and got no CORS headers, so the browser hides the answer: by default only pages on this machine (localhost, 127.0.0.1, [::1]) may. Allow it with \`--cors ${CODESPACE}\` (or \`--cors '*'\`), or \`cors: { origins: ['${CODESPACE}'] }\` on the service`,
    ]);
  });
});

test('--no-cors (cors: false) leaves a preflight to the contract, with no CORS headers even for this machine', async () => {
  const running = await runScenario([PETSTORE], { randomPorts: true, adminPort: false, logger: capturingLogger().logger, cors: false });
  try {
    const pre = await preflight(`${urlOf(running, 'rest')}/api/pets/1`, 'http://localhost:5173');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.status).toBe(405);
  } finally {
    await running.close();
  }
});

describe('--delay 60s', () => {
  let running: RunningStack;
  const shop = scenario('delay-flag', { seed: 1 }).services({
    slow: rest({ port: 0 }, [rest.get('/rates', { rates: [] })]),
    // Its own delay (none) wins over the flag.
    quick: rest({ port: 0, delay: 0 }, [rest.get('/rates', { rates: [] })]),
  });
  beforeAll(async () => {
    running = await runScenario(shop, { adminPort: false, logger: capturingLogger().logger, delay: '60s' });
  });
  afterAll(() => running.close());

  test('holds the answers of a service that sets no delay while one with its own is answered; a client that leaves is let go', async () => {
    const urlOfService = (name: string) => running.services.find((s) => s.name === name)?.url as string;
    const client = new AbortController();
    let settled = false;
    const held = fetch(`${urlOfService('slow')}/rates`, { signal: client.signal }).finally(() => {
      settled = true;
    });
    const quick = await fetch(`${urlOfService('quick')}/rates`);
    expect(await quick.json()).toEqual({ rates: [] });
    expect(settled).toBe(false);
    client.abort();
    await expect(held).rejects.toThrow(/aborted/);
    expect((await fetch(`${urlOfService('quick')}/rates`)).status).toBe(200);
  });
});

describe('--dynamic', () => {
  const answersOf = async (running: RunningStack, prefer?: string): Promise<[object, object]> => {
    const url = `${urlOf(running, 'rest')}/api/pets/1`;
    const headers: Record<string, string> = prefer ? { prefer } : {};
    return [(await (await fetch(url, { headers })).json()) as object, (await (await fetch(url, { headers })).json()) as object];
  };

  test('an OpenAPI document answers each request with a value generated anew; Prefer: dynamic=false gets the usual answer', async () => {
    const usual = await runScenario([PETSTORE], { randomPorts: true, adminPort: false, logger: capturingLogger().logger });
    const dynamic = await runScenario([PETSTORE], { randomPorts: true, adminPort: false, logger: capturingLogger().logger, dynamic: true });
    try {
      const [first, second] = await answersOf(usual);
      expect(second).toEqual(first);
      const [one, another] = await answersOf(dynamic);
      expect(another).not.toEqual(one);
      expect(Object.keys(another).sort()).toEqual(Object.keys(one).sort());
      expect(await answersOf(dynamic, 'dynamic=false')).toEqual([first, first]);
    } finally {
      await Promise.all([usual.close(), dynamic.close()]);
    }
  });
});
