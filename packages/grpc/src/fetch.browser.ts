import type { grpcOverFetch as nodeSide } from './fetch.js';

export type { GrpcFetchHandler } from './fetch.js';

/** In the browser, gRPC services are not intercepted yet: their protos load with Node's file system and @grpc/grpc-js. */
export const grpcOverFetch: typeof nodeSide = undefined;
