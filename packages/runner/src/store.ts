import { ErrorCode, MockstackError, type Model, type Store } from '@mockstack/core';

/** Environment variable `mockstack up` reads when `--store` is not given (handy in containers). */
export const STORE_ENV = 'MOCKSTACK_STORE';

/**
 * The store a stack keeps its state in: the one given (`--store`, `startStack({ store })`), else the
 * scenario's `store`; undefined (this process, in memory) for none or `memory`.
 */
export async function storeOf(given: string | Store | undefined, model: Model, journalEntries: number | undefined): Promise<Store | undefined> {
  const store = given ?? model.store;
  if (store === undefined || store === 'memory') return undefined;
  if (typeof store !== 'string') return store;
  if (/^rediss?:\/\//i.test(store)) {
    const { RedisStore } = await import('@mockstack/store-redis');
    return new RedisStore(store, { prefix: `mockstack:${model.name}`, journalEntries });
  }
  throw new MockstackError(ErrorCode.StoreUnknown, `unknown store ${JSON.stringify(store)}: give memory (the default) or redis://host:6379/0`);
}
