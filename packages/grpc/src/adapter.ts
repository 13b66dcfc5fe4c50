import type { Adapter } from '@mockstack/core';

// grpc-js, protobufjs, reflection and health load when a scenario has a gRPC service, not whenever
// mockstack starts (~100 ms of start-up). The runner imports this module, not the package index.
let implementation: Promise<typeof import('./grpc-adapter.js')> | undefined;
const load = () => {
  implementation ??= import('./grpc-adapter.js');
  return implementation;
};

/** Serves the gRPC services of the model's .proto files, scenario rules first, auto-mocks for the rest. */
export const grpcAdapter: Adapter = {
  protocol: 'grpc',
  validate: async (service, model) => (await load()).grpcAdapter.validate?.(service, model) ?? [],
  create: async (service, context) => (await load()).grpcAdapter.create(service, context),
  contractFiles: [
    {
      kind: 'grpc',
      label: 'gRPC',
      endings: ['.proto'],
      sharesPort: true,
      servesNothing: (text) => !PROTO_SERVICE.test(text),
      serve: (file, { port, includeDirs, parts, proxy }) => ({
        protocol: 'grpc',
        port,
        config: {
          proto: [file, ...(parts ?? [])],
          includeDirs: [...includeDirs],
          autoMock: true,
          reflection: true,
          health: true,
          ...(proxy !== undefined && { proxy }),
        },
        rules: [],
      }),
    },
  ],
  tooling: async () => (await import('./tooling.js')).grpcTooling,
};

/** A `service Name {` declaration at the start of a line (comments aside, which rarely begin with the word). */
const PROTO_SERVICE = /^\s*service\s+\w+\s*\{/m;
