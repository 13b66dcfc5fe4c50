/**
 * mockstack/testing: a scenario served in-process for a test, on free ports, with request verification.
 * Works in jest (ESM, or CommonJS through ts-jest or babel-jest), vitest and node:test.
 *
 * @example
 * import { startStack } from 'mockstack/testing';
 * const stack = await startStack('scenarios/shop.ts');
 * const res = await fetch(`${stack.url('orders')}/orders/o1`);
 * expect(stack.verify('GET /orders/:id').count).toBe(1);
 * await stack.close();
 */
export * from '@mockstack/testing';
