import { startStack, type TestStack } from '@mockstack/testing';

// The checkout example's shipping provider: served from schemas/shipping-rates.yaml, one override, one variant.
let stack: TestStack;
let shipping: string;

beforeAll(async () => {
  stack = await startStack('scenarios/checkout.ts');
  shipping = stack.url('shipping');
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.reset();
  stack.variant();
});

const rates = async (query: string) => {
  const response = await fetch(`${shipping}/v2/rates?${query}`);
  return { status: response.status, body: (await response.json()) as { rates?: { service: string; price: { amount: number } }[]; violations?: unknown[] } };
};

test('the override reads shared state: orders of €50 or more ship free within Germany', async () => {
  const big = await rates('country=DE&weightGrams=800&orderId=ord_1002');
  expect(big.body.rates?.find((r) => r.service === 'standard')?.price.amount).toBe(0);
  const small = await rates('country=DE&weightGrams=800&orderId=ord_1001');
  expect(small.body.rates?.find((r) => r.service === 'standard')?.price.amount).toBe(4.99);
});

test('everything else comes from the contract, checked against it', async () => {
  expect((await rates('country=FR&weightGrams=800')).body.rates?.length).toBeGreaterThan(0);
  const invalid = await rates('country=DE&orderId=ord_1002');
  expect(invalid.status).toBe(400);
  expect(invalid.body.violations).toEqual([
    { in: 'query', name: 'weightGrams', pointer: '/weightGrams', message: 'query parameter "weightGrams" is required' },
  ]);
  expect((await fetch(`${shipping}/v2/rates/rate_dhl_std`)).status).toBe(200);
});

test('the shipping-down variant', async () => {
  stack.variant('shipping-down');
  const response = await fetch(`${shipping}/v2/rates?country=DE&weightGrams=1`);
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('60');
  expect(stack.requests({ service: 'shipping' })).toHaveLength(1);
});
