import { resolve } from 'node:path';
import { ErrorCode, type Logger, type MockstackError } from '@mockstack/core';
import { loadModel } from '@mockstack/runner';
import { startStack } from '@mockstack/testing';
import { GraphQLClient } from 'graphql-request';

const partnerYaml = resolve(import.meta.dirname, '../fixtures/lenient/partner.yaml');
const partnerSdl = resolve(import.meta.dirname, '../fixtures/lenient/partner.graphql');

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, request: () => {}, info: () => {}, warn: (message) => warnings.push(message), error: () => {} };
}

const failure = (sources: string[]) =>
  loadModel(sources).then(
    () => undefined,
    (e: unknown) => e as MockstackError,
  );

test('without --lenient, a slightly invalid OpenAPI document fails naming the file and each problem by JSON pointer', async () => {
  const error = await failure([partnerYaml]);
  expect(error?.code).toBe(ErrorCode.ContractLoad);
  expect(error?.message).toContain('partner.yaml');
  expect(error?.message).toContain('/paths/~1quotes~1{quoteId}/get/parameters');
  expect(error?.message).toMatch(/\/info.*version/);
});

test('without --lenient, a slightly invalid SDL fails naming the file and line', async () => {
  const error = await failure([partnerSdl]);
  expect(error?.message).toMatch(/Interface field Node\.createdAt expected but Quote does not provide it/);
  expect(error?.message).toContain('partner.graphql');
});

test('--lenient serves both with a warning listing the problems, and answers real clients', async () => {
  const logger = recordingLogger();
  const stack = await startStack([partnerYaml, `${partnerSdl}`], { lenient: true, logger });
  try {
    const openapiWarnings = logger.warnings.filter((w) => w.includes('partner.yaml'));
    expect(openapiWarnings.join('\n')).toMatch(
      /loaded leniently despite \/paths\/~1quotes~1\{quoteId\}\/get\/parameters: path \/quotes\/\{quoteId\} has \{quoteId\}/,
    );
    expect(openapiWarnings.join('\n')).toMatch(/loaded leniently despite \/info/);
    const sdlWarnings = logger.warnings.filter((w) => w.includes('partner.graphql'));
    expect(sdlWarnings.join('\n')).toMatch(/partner\.graphql:\d+:\d+: Interface field Node\.createdAt expected but Quote does not provide it/);
    expect(sdlWarnings.join('\n')).toMatch(/Placeholder must define one or more fields/);

    const services = Object.keys(stack.services).sort();
    expect(services).toEqual(['partner', 'partner-2']);
    const rest = services.find((s) => stack.services[s]?.protocol === 'rest') ?? '';
    const gql = services.find((s) => stack.services[s]?.protocol === 'graphql') ?? '';
    const list = await fetch(`${stack.url(rest)}/v1/quotes`);
    expect(list.status).toBe(200);
    const quotes = (await list.json()) as { currency: string }[];
    expect(quotes.every((q) => ['EUR', 'USD'].includes(q.currency))).toBe(true);
    const one = await fetch(`${stack.url(rest)}/v1/quotes/q_1`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ id: expect.any(String), amount: expect.any(Number), currency: expect.stringMatching(/EUR|USD/) });

    const data = await new GraphQLClient(stack.url(gql)).request<{ quotes: { id: string; amount: number }[] }>('{ quotes(first: 2) { id amount } }');
    expect(data.quotes).toHaveLength(2);
  } finally {
    await stack.close();
  }
});

test('--lenient does not hide what cannot load: a $ref to nothing still fails, and a good contract still serves beside it afterwards', async () => {
  const { model } = await loadModel([resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql')], { lenient: true });
  expect(model.services.get('inventory')?.config.lenient).toBe(true);
  const error = await loadModel([resolve(import.meta.dirname, '../fixtures/lenient/dangling.yaml')], { lenient: true }).then(
    () => undefined,
    (e: unknown) => e as MockstackError,
  );
  expect(error?.code).toBe(ErrorCode.ContractLoad);
  expect(error?.message).toContain('#/components/schemas/Missing');
  const stack = await startStack([partnerYaml], { lenient: true });
  try {
    expect((await fetch(`${stack.url('partner')}/v1/quotes`)).status).toBe(200);
  } finally {
    await stack.close();
  }
});

describe('a schema in modules that only builds leniently (an enum filled in at run time, as Vendure ships it)', () => {
  const modules = ['common', 'customer.api', 'order.api'].map((name) => resolve(import.meta.dirname, `../fixtures/lenient/modules/${name}.graphql`));

  test('without --lenient, the one real problem is named, not the Query every module adds to', async () => {
    const error = await failure(modules);
    expect(error?.message).toMatch(/common\.graphql:2:1: .*Enum type Permission must define one or more values/);
    expect(error?.message).toMatch(/has 1 problem\(s\)/);
    expect(error?.message).not.toMatch(/There can be only one type named|Unknown type/);
  });

  test('--lenient merges the modules: every Query field of every file answers, and a list of the empty enum is empty', async () => {
    const logger = recordingLogger();
    const stack = await startStack(modules, { lenient: true, logger });
    try {
      expect(logger.warnings.join('\n')).toMatch(/loaded leniently despite .*common\.graphql:2:1: Enum type Permission must define one or more values/);
      const client = new GraphQLClient(stack.url('common'));
      const data = await client.request<{
        roles: { permissions: string[] }[];
        activeCustomer: { roles: { code: string }[] } | null;
        orderByCode: { code: string } | null;
      }>('{ roles { permissions } activeCustomer { roles { code } } orderByCode(code: "T_1") { code } }');
      expect(data.roles.length).toBeGreaterThan(0);
      expect(data.roles.every((role) => role.permissions.length === 0)).toBe(true);
      expect(data.orderByCode?.code ?? 'T_1').toBe('T_1');
    } finally {
      await stack.close();
    }
  });
});
