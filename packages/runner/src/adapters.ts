import type { Adapter } from '@mockstack/core';
import { graphqlAdapter } from '@mockstack/graphql';
import { grpcAdapter } from '@mockstack/grpc/adapter';
import { restAdapter } from '@mockstack/rest';

/** Every protocol mockstack serves. A new protocol is a new adapter package added here. */
export const adapters: readonly Adapter[] = [restAdapter, graphqlAdapter, grpcAdapter];
