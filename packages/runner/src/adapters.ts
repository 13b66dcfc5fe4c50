import { type Adapter, ErrorCode, MockstackError } from '@mockstack/core';
import { graphqlAdapter } from '@mockstack/graphql';
import { grpcAdapter } from '@mockstack/grpc/adapter';
import { restAdapter } from '@mockstack/rest';

/** Every protocol mockstack serves. A new protocol is a new adapter package added here. */
export const adapters: readonly Adapter[] = [restAdapter, graphqlAdapter, grpcAdapter];

/**
 * The built-in adapters plus `extra` (protocols a caller brings, see `RunOptions.protocols`). A
 * protocol name served twice is refused: which adapter would answer would depend on list order.
 */
export function adaptersWith(extra: readonly Adapter[] | undefined): readonly Adapter[] {
  if (!extra?.length) return adapters;
  const served = [...adapters];
  for (const adapter of extra) {
    if (served.some((a) => a.protocol === adapter.protocol)) {
      throw new MockstackError(
        ErrorCode.ProtocolDuplicate,
        `protocol "${adapter.protocol}" is served by two adapters; give the extra adapter a protocol name of its own (taken: ${served.map((a) => a.protocol).join(', ')})`,
      );
    }
    served.push(adapter);
  }
  return served;
}
