/**
 * One fake-data module for every protocol: an auto-mocked object's first name, last name, full
 * name and email belong to one person, whichever contract describes it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startStack, type TestStack } from '@mockstack/testing';
import { graphql, grpc as grpcService, rest, scenario } from 'mockstack';

interface Customer {
  firstName: string;
  lastName: string;
  fullName: string;
  email: string;
}

const dir = mkdtempSync(join(tmpdir(), 'mockstack-fake-'));
const proto = join(dir, 'customers.proto');
writeFileSync(
  proto,
  `syntax = "proto3";
package demo.customers.v1;
service Customers { rpc GetCustomer(GetCustomerRequest) returns (Customer); }
message GetCustomerRequest { string id = 1; }
message Customer { string id = 1; string first_name = 2; string last_name = 3; string full_name = 4; string email = 5; }
`,
);
const sdl = join(dir, 'customers.graphql');
writeFileSync(sdl, 'type Query { customers: [Customer!]! }\ntype Customer { id: ID! firstName: String! lastName: String! fullName: String! email: String! }\n');
const openapi = join(dir, 'customers.json');
const customerSchema = {
  type: 'object',
  required: ['firstName', 'lastName', 'fullName', 'email'],
  properties: { firstName: { type: 'string' }, lastName: { type: 'string' }, fullName: { type: 'string' }, email: { type: 'string', format: 'email' } },
};
writeFileSync(
  openapi,
  JSON.stringify({
    openapi: '3.1.0',
    info: { title: 'customers', version: '1' },
    paths: {
      '/customers': {
        get: {
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'array', minItems: 3, items: customerSchema } } } } },
        },
      },
    },
  }),
);

let stack: TestStack;
let client: grpc.Client & { GetCustomer(req: object, cb: (e: grpc.ServiceError | null, r: Customer) => void): void };

beforeAll(async () => {
  stack = await startStack(
    scenario('fake-data', { seed: 11 }).services({
      api: rest({ openapi }),
      gql: graphql({ schema: sdl }),
      rpc: grpcService({ proto }),
    }),
  );
  const Customers = (
    grpc.loadPackageDefinition(protoLoader.loadSync(proto)) as unknown as { demo: { customers: { v1: { Customers: grpc.ServiceClientConstructor } } } }
  ).demo.customers.v1.Customers;
  client = new Customers(stack.url('rpc').replace('grpc://', ''), grpc.credentials.createInsecure()) as unknown as typeof client;
});
afterAll(async () => {
  client?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const fetchCustomers: Record<string, () => Promise<Customer[]>> = {
  rest: async () => (await fetch(`${stack.url('api')}/customers`)).json() as Promise<Customer[]>,
  graphql: async () => {
    const res = await fetch(stack.url('gql'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customers { firstName lastName fullName email } }' }),
    });
    return ((await res.json()) as { data: { customers: Customer[] } }).data.customers;
  },
  grpc: async () => {
    const ids = ['c1', 'c2', 'c3'];
    return Promise.all(ids.map((id) => new Promise<Customer>((done, fail) => client.GetCustomer({ id }, (e, r) => (e ? fail(e) : done(r))))));
  },
};

/** Lower-case letters only, to compare a name with the local part of an email. */
const letters = (text: string) => text.toLowerCase().replace(/[^a-z]/g, '');

test.each(Object.keys(fetchCustomers))('%s: the names and email of one auto-mocked object belong to one person', async (protocol) => {
  const customers = await (fetchCustomers[protocol] as () => Promise<Customer[]>)();
  expect(customers.length).toBeGreaterThanOrEqual(2);
  for (const c of customers) {
    expect(c.fullName).toBe(`${c.firstName} ${c.lastName}`);
    const local = letters(c.email.slice(0, c.email.indexOf('@')));
    expect(local.includes(letters(c.firstName)) || local.includes(letters(c.lastName))).toBe(true);
  }
  // Different objects are different people.
  expect(new Set(customers.map((c) => c.fullName)).size).toBeGreaterThan(1);
  // And the server keeps answering the same values for the same seed.
  expect(await (fetchCustomers[protocol] as () => Promise<Customer[]>)()).toEqual(customers);
});
