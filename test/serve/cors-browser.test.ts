/**
 * CORS as a real browser enforces it: a page in Chromium on an origin that is not this machine
 * (http://app.test:…, mapped to 127.0.0.1) calls a GraphQL contract served zero-config. By default the
 * browser blocks the answer and `up`'s log says how to allow it; with `--cors 'http://app.test:*'` it reads it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type Logger, parseCorsOrigins } from '@mockstack/core';
import { type RunningStack, type RunOptions, runScenario } from '@mockstack/runner';
import { type Browser, chromium } from 'playwright-core';

const CATALOG = resolve(import.meta.dirname, '../../schemas/catalog.graphql');

let page: Server;
let pageOrigin: string;
let browser: Browser;

beforeAll(async () => {
  page = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>app</title>');
  });
  await new Promise<void>((done) => page.listen(0, '127.0.0.1', done));
  pageOrigin = `http://app.test:${(page.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--host-resolver-rules=MAP app.test 127.0.0.1'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => page?.close(done));
});

/** What the page's fetch of `{ __typename }` from the mock gave: the data, or the browser's error. */
async function callFromPage(graphqlUrl: string): Promise<unknown> {
  const tab = await browser.newPage();
  try {
    await tab.goto(`${pageOrigin}/`);
    return await tab.evaluate(async (url) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
        return await response.json();
      } catch (error) {
        return String(error);
      }
    }, graphqlUrl);
  } finally {
    await tab.close();
  }
}

async function serveCatalog(cors: RunOptions['cors']): Promise<{ running: RunningStack; warnings: string[] }> {
  const warnings: string[] = [];
  const quiet = () => {};
  const logger: Logger = { request: quiet, info: quiet, warn: (message) => warnings.push(message), error: quiet };
  const running = await runScenario([CATALOG], { randomPorts: true, adminPort: false, logger, cors });
  return { running, warnings };
}

test('by default the browser blocks the page on app.test, and the log names the origin and the flag; serving goes on', async () => {
  const { running, warnings } = await serveCatalog(undefined);
  try {
    const url = running.services[0]?.url as string;
    expect(await callFromPage(url)).toBe('TypeError: Failed to fetch');
    expect(warnings).toEqual([expect.stringContaining(`a page at ${pageOrigin} called it from another origin and got no CORS headers`)]);
    expect(warnings[0]).toContain(`\`--cors ${pageOrigin}\``);
    const direct = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(await direct.json()).toEqual({ data: { __typename: 'Query' } });
  } finally {
    await running.close();
  }
});

test("with --cors 'http://app.test:*' the page reads the answer", async () => {
  const { running, warnings } = await serveCatalog(parseCorsOrigins('http://app.test:*'));
  try {
    expect(await callFromPage(running.services[0]?.url as string)).toEqual({ data: { __typename: 'Query' } });
    expect(warnings.filter((w) => w.includes('CORS'))).toEqual([]);
  } finally {
    await running.close();
  }
});
