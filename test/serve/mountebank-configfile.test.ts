/**
 * `mockstack up imposters.ejs` reads an `mb --configfile` template as Mountebank's default formatter
 * does: EJS 2's `<% include file %>` and EJS 3's `<%- include('file') %>` (each relative to the file
 * including it), and `stringify('file')` / `stringify(filename, 'file')` (relative to the config file,
 * written as the inside of a JSON string). A template that renders to no imposters, or names a file that
 * is not there, is refused with what it rendered to or what is missing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, type MockstackError } from '@mockstack/core';
import { importSource } from '@mockstack/record';
import { startStack } from '@mockstack/testing';
import { freePort } from '../helpers/redis.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mockstack-mb-configfile-'));
  mkdirSync(join(dir, 'imposters/stubs'), { recursive: true });
  mkdirSync(join(dir, 'bodies'));
  writeFileSync(join(dir, 'bodies/order.xml'), '<order>\n  <id>1</id>\n  <status>"paid"</status>\n</order>\n');
  writeFileSync(join(dir, 'bodies/customer.json'), '{\n  "id": "c1",\n  "name": "Ada"\n}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failure = (file: string) =>
  startStack([file]).then(
    (stack) => stack.close().then(() => undefined),
    (error: MockstackError) => error,
  );

test('includes (EJS 2 and EJS 3 forms, nested) and stringify (both signatures) render as mb renders them', async () => {
  // The imposters name their ports, as mb's do; the test stack serves each on a free one.
  const [orders, customers] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'imposters/stubs/order.ejs'),
    `{ "predicates": [{ "equals": { "path": "/orders/1" } }],
       "responses": [{ "is": { "statusCode": 200, "headers": { "Content-Type": "application/xml" }, "body": "<%- stringify(filename, 'bodies/order.xml') %>" } }] }`,
  );
  writeFileSync(join(dir, 'imposters/orders.ejs'), `{ "protocol": "http", "port": ${orders}, "name": "orders", "stubs": [ <% include stubs/order.ejs %> ] }`);
  writeFileSync(
    join(dir, 'imposters/customers.json'),
    `{ "protocol": "http", "port": ${customers}, "name": "customers",
       "stubs": [{ "responses": [{ "is": { "statusCode": 200, "headers": { "Content-Type": "text/plain" }, "body": "<%- stringify('bodies/customer.json') %>" } }] }] }`,
  );
  writeFileSync(
    join(dir, 'imposters.ejs'),
    `{\n  "imposters": [\n    <% include imposters/orders.ejs %>,\n    <%- include('imposters/customers.json') %>\n  ]\n}\n`,
  );
  const stack = await startStack([join(dir, 'imposters.ejs')]);
  try {
    expect(Object.keys(stack.services).sort()).toEqual(['customers', 'orders']);
    const order = await fetch(`${stack.url('orders')}/orders/1`);
    expect(order.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await order.text()).toBe('<order>\n  <id>1</id>\n  <status>"paid"</status>\n</order>');
    expect(await (await fetch(`${stack.url('customers')}/anything`)).text()).toBe('{\n  "id": "c1",\n  "name": "Ada"\n}');
  } finally {
    await stack.close();
  }
  // `mockstack import` reads it the same way.
  const imported = importSource(join(dir, 'imposters.ejs'));
  expect(imported.format).toBe('mountebank');
  expect(imported.draft.services.map((service) => service.name).sort()).toEqual(['customers', 'orders']);
  expect(imported.files).toEqual([join(dir, 'imposters.ejs')]);
});

test('a template naming a missing file, or rendering to no imposters, is refused saying so', async () => {
  writeFileSync(join(dir, 'missing.ejs'), '{ "imposters": [ <% include imposters/gone.ejs %> ] }');
  const missing = await failure(join(dir, 'missing.ejs'));
  expect(missing?.code).toBe(ErrorCode.MountebankFileInvalid);
  expect(missing?.message).toMatch(/missing\.ejs cannot be rendered as mb --configfile renders it: .*gone\.ejs/s);
  writeFileSync(join(dir, 'broken.ejs'), '{ "imposters": [ <%- stringify("bodies/order.xml") %> ] }');
  const broken = await failure(join(dir, 'broken.ejs'));
  expect(broken?.code).toBe(ErrorCode.MountebankFileInvalid);
  expect(broken?.message).toMatch(/broken\.ejs, rendered as mb --configfile renders it, is not JSON; it rendered to:\n\{ "imposters": \[ <order>/);
});
