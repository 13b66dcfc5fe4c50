import { request } from 'node:http';
import { adminTokenFor } from '@mockstack/admin';
import { startStack, type TestStack } from '@mockstack/testing';
import { rest, scenario } from 'mockstack';

const shop = scenario('admin-guard', { state: () => ({ orders: 0 }) })
  .services({ shop: rest({ port: 0 }, [rest.post('/orders', ({ state }) => ({ orders: ++state.orders }))]) })
  .variants({ 'shop-slow': { shop: { delay: '1ms' } } });

interface Answer {
  status: number;
  body: { error?: { code: string; message: string }; [key: string]: unknown };
}

/** node:http rather than fetch: a browser or a rebinding attack sets Host and Origin freely, fetch does not. */
function send(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('admin API on loopback, without a token', () => {
  let stack: TestStack;
  let admin: string;
  beforeAll(async () => {
    stack = await startStack(shop, { admin: true });
    admin = stack.adminUrl ?? '';
  });
  afterAll(() => stack.close());

  it('refuses a cross-site text/plain POST /reset and a form, and keeps the state', async () => {
    await fetch(`${stack.url('shop')}/orders`, { method: 'POST' });
    const plain = await send(`${admin}/reset`, 'POST', { 'content-type': 'text/plain' }, '{}');
    expect(plain.status).toBe(415);
    expect(plain.body.error?.code).toBe('ADMIN_UNSUPPORTED_MEDIA_TYPE');
    expect(plain.body.error?.message).toMatch(/application\/json/);
    const form = await send(`${admin}/variants`, 'PUT', { 'content-type': 'application/x-www-form-urlencoded' }, 'active=shop-slow');
    expect(form.status).toBe(415);
    const noType = await send(`${admin}/reset`, 'POST', {}, 'x');
    expect(noType.status).toBe(415);
    expect(stack.state<{ orders: number }>().orders).toBe(1);
    expect(stack.engine.variants).toEqual([]);
  });

  it('refuses a foreign Origin even with JSON, and answers pages on this machine', async () => {
    const foreign = await send(`${admin}/reset`, 'POST', { origin: 'https://evil.example', 'content-type': 'application/json' }, '{}');
    expect(foreign.status).toBe(403);
    expect(foreign.body.error?.code).toBe('ADMIN_FORBIDDEN_ORIGIN');
    expect((await send(`${admin}/journal`, 'GET', { origin: 'null' })).status).toBe(403);
    const local = await send(`${admin}/health`, 'GET', { origin: 'http://localhost:3000' });
    expect(local.status).toBe(200);
  });

  it('refuses a Host that is not a loopback name (DNS rebinding)', async () => {
    const rebound = await send(`${admin}/journal`, 'GET', { host: 'evil.example:9900' });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error?.code).toBe('ADMIN_FORBIDDEN_HOST');
    for (const host of ['localhost:9900', '127.0.0.1', '[::1]:9900']) expect((await send(`${admin}/health`, 'GET', { host })).status).toBe(200);
  });

  it('keeps serving JSON and body-less requests from the CLI and tests', async () => {
    const reset = await send(`${admin}/reset`, 'POST');
    expect(reset.status).toBe(200);
    expect(stack.state<{ orders: number }>().orders).toBe(0);
    const variants = await send(`${admin}/variants`, 'PUT', { 'content-type': 'application/json; charset=utf-8' }, '{"active":["shop-slow"]}');
    expect(variants.status).toBe(200);
    expect(stack.engine.variants).toEqual(['shop-slow']);
    expect((await send(`${admin}/journal`, 'DELETE')).status).toBe(200);
  });
});

describe('admin API with a token', () => {
  let stack: TestStack;
  let admin: string;
  beforeAll(async () => {
    stack = await startStack(shop, { admin: true, adminToken: 's3cret-token' });
    admin = stack.adminUrl ?? '';
  });
  afterAll(() => stack.close());

  it('answers 401 without the token or with a wrong one, then serves with it', async () => {
    const none = await send(`${admin}/journal`, 'GET');
    expect(none.status).toBe(401);
    expect(none.body.error?.code).toBe('ADMIN_UNAUTHORIZED');
    expect(none.body.error?.message).toMatch(/--admin-token/);
    expect((await send(`${admin}/reset`, 'POST', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await send(`${admin}/health`, 'GET', stack.adminHeaders)).status).toBe(200);
    expect((await send(`${admin}/health`, 'GET', { authorization: 'Bearer s3cret-token' })).status).toBe(200);
  });

  it('is generated whenever the admin API is not on loopback', () => {
    expect(adminTokenFor('0.0.0.0', undefined)).toMatch(/^[\w-]{32}$/);
    expect(adminTokenFor('::', undefined)).not.toBe(adminTokenFor('::', undefined));
    expect(adminTokenFor('192.168.1.20', 'given')).toBe('given');
    expect(adminTokenFor('127.0.0.1', undefined)).toBeUndefined();
    expect(adminTokenFor('localhost', undefined)).toBeUndefined();
  });
});
