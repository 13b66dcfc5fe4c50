/**
 * `mockstack up shop.postman_collection.json` serves a Postman collection's saved examples, as a
 * Postman mock server does, and `mockstack up session.har` a browser recording's answers (as
 * Playwright's routeFromHAR replays one): each as `mockstack import` writes it, the scenario kept under
 * `.mockstack/imported/`. Before, a collection was served as a json-server database of its `item`s,
 * and a HAR file was refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mockstack-recordings-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serving(file: string, run: (stack: TestStack) => Promise<void>): Promise<void> {
  const stack = await startStack([file]);
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
}

test("a Postman collection's saved examples answer their requests", async () => {
  const order = { id: 'ord_1', total: 42 };
  const collection = {
    info: { name: 'Shop', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
    item: [
      {
        name: 'Orders',
        item: [
          {
            name: 'Get order',
            request: { method: 'GET', url: { raw: '{{baseUrl}}/orders/ord_1', host: ['{{baseUrl}}'], path: ['orders', 'ord_1'] } },
            response: [
              {
                name: 'found',
                originalRequest: { method: 'GET', url: { raw: '{{baseUrl}}/orders/ord_1', host: ['{{baseUrl}}'], path: ['orders', 'ord_1'] } },
                code: 200,
                header: [{ key: 'Content-Type', value: 'application/json' }],
                body: JSON.stringify(order),
              },
            ],
          },
        ],
      },
    ],
    variable: [{ key: 'baseUrl', value: 'https://shop.example.com' }],
  };
  const file = join(dir, 'shop.postman_collection.json');
  writeFileSync(file, JSON.stringify(collection));
  await serving(file, async (stack) => {
    const [service] = Object.keys(stack.services);
    const response = await fetch(`${stack.url(service as string)}/orders/ord_1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(order);
    // Served as the collection's examples, not as a json-server database of its items.
    expect((await fetch(`${stack.url(service as string)}/item`)).status).toBe(404);
  });
});

test("a HAR file's recorded answers are replayed", async () => {
  const entry = (url: string, status: number, mimeType: string, text: string) => ({
    startedDateTime: '2026-12-01T10:00:00.000Z',
    time: 12,
    request: {
      method: 'GET',
      url,
      httpVersion: 'HTTP/2',
      headers: [{ name: ':authority', value: 'api.example.com' }],
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status,
      statusText: '',
      httpVersion: 'HTTP/2',
      headers: [
        { name: 'content-type', value: mimeType },
        { name: 'content-encoding', value: 'br' },
      ],
      cookies: [],
      content: { size: text.length, mimeType, text },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 10, receive: 2 },
  });
  const har = {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      entries: [
        entry('https://api.example.com/v1/profile', 200, 'application/json', '{"name":"Ada"}'),
        entry('https://api.example.com/v1/flags?env=prod', 200, 'text/plain', 'dark-mode'),
      ],
    },
  };
  const file = join(dir, 'session.har');
  writeFileSync(file, JSON.stringify(har));
  await serving(file, async (stack) => {
    const [service] = Object.keys(stack.services);
    const url = stack.url(service as string);
    const profile = await fetch(`${url}/v1/profile`);
    // The recorded body is sent decoded, without the recording's content-encoding.
    expect(profile.headers.get('content-encoding')).toBeNull();
    expect(await profile.json()).toEqual({ name: 'Ada' });
    expect(await (await fetch(`${url}/v1/flags?env=prod`)).text()).toBe('dark-mode');
  });
});
