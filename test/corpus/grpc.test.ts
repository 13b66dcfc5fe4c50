/**
 * The gRPC corpus: real public protos from npm packages (googleapis via google-proto-files, gRPC's own
 * health and reflection protos, Envoy's xDS services via @grpc/grpc-js-xds, etcd's via etcd3, Milvus'),
 * each served zero-config. Every method gets a request generated from
 * the contract over a real grpc-js client; the answer must end OK and decode, with a strict decoder
 * (@bufbuild/protobuf) built from what the server's reflection serves, as the method's response type,
 * and print as JSON with that registry (as grpcurl does: every Any must name a type reflection describes).
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { AutoMocker, loadProtos, type MethodInfo, prepareMessage } from '@mockstack/grpc';
import { protoPath as healthProto } from 'grpc-health-check';
import { serveGrpc } from '../helpers/grpc-stack.js';
import { reflect } from '../helpers/reflection-client.js';

const require = createRequire(import.meta.url);
const googleapis = dirname(require.resolve('google-proto-files/package.json'));
const reflectionProtos = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');
const g = (path: string): string => join(googleapis, 'google', path);
const xds = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
/** The include dirs @grpc/grpc-js-xds loads Envoy's protos with (its own copies of googleapis, protoc-gen-validate, xds/udpa). */
const xdsIncludes = ['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((dir) => join(xds, dir));
/** Every v3 xDS service Envoy's API defines, but metrics and trace (they import Prometheus' and OpenCensus' protos, which the package leaves out). */
const envoyServices = readdirSync(join(xds, 'envoy-api/envoy/service'), { recursive: true, encoding: 'utf8' })
  .filter((path) => /[/\\]v3[/\\][^/\\]+\.proto$/.test(path) && !/^(metrics|trace)[/\\]/.test(path))
  .map((path) => join(xds, 'envoy-api/envoy/service', path))
  .sort();
const etcd = join(dirname(require.resolve('etcd3/package.json')), 'proto');
const milvus = join(dirname(require.resolve('@zilliz/milvus2-sdk-node/package.json')), 'dist/proto/proto');

/** name → proto files (imports resolve through googleapis, or through the include dirs of INCLUDES). */
const CORPUS: Record<string, string[]> = {
  'pubsub v1': [g('pubsub/v1/pubsub.proto'), g('pubsub/v1/schema.proto')],
  'firestore v1': [g('firestore/v1/firestore.proto')],
  'speech v1': [g('cloud/speech/v1/cloud_speech.proto'), g('cloud/speech/v1/cloud_speech_adaptation.proto')],
  'storage v2': [g('storage/v2/storage.proto')],
  'spanner v1': [g('spanner/v1/spanner.proto')],
  'long-running operations': [g('longrunning/operations.proto')],
  'bigtable v2': [g('bigtable/v2/bigtable.proto')],
  'datastore v1': [g('datastore/v1/datastore.proto')],
  'logging v2': [g('logging/v2/logging.proto'), g('logging/v2/logging_config.proto'), g('logging/v2/logging_metrics.proto')],
  'translate v3': [g('cloud/translate/v3/translation_service.proto')],
  'cloud tasks v2': [g('cloud/tasks/v2/cloudtasks.proto')],
  'iam v1': [g('iam/v1/iam_policy.proto')],
  'library example v1': [g('example/library/v1/library.proto')],
  // Answers hold Anys (google.rpc.Status details) and no proto imports google/protobuf/empty.proto.
  'service control v1': [g('api/servicecontrol/v1/service_controller.proto'), g('api/servicecontrol/v1/quota_controller.proto')],
  // Long-running methods naming their response and metadata types (google.longrunning.operation_info).
  'memorystore redis v1': [g('cloud/redis/v1/cloud_redis.proto')],
  // Imports google/protobuf/api.proto and type.proto (through google/api/service.proto), with @grpc/proto-loader loaded.
  'service management v1': [g('api/servicemanagement/v1/servicemanager.proto')],
  'grpc health v1': [healthProto],
  'grpc reflection v1': [join(reflectionProtos, 'grpc/reflection/v1/reflection.proto')],
  // Any-heavy discovery streams, validate / udpa / xds annotations (custom options on nearly every field), bidi everywhere.
  'envoy xds v3': envoyServices,
  // etcd's rpc.proto with gogoproto stripped: int64 ids, bidi Watch and LeaseKeepAlive, imports relative to the file.
  'etcd v3': [join(etcd, 'rpc.proto')],
  // Milvus: one service of ~90 methods, deep oneofs and maps, importing its own copy of descriptor.proto (proto2).
  'milvus v2.4': [join(milvus, 'milvus.proto')],
};

/** Include dirs of the contracts whose imports do not resolve through googleapis. */
const INCLUDES: Record<string, string[]> = { 'envoy xds v3': xdsIncludes, 'etcd v3': [etcd], 'milvus v2.4': [milvus] };

interface Outcome {
  contract: string;
  loadMs: number;
  methods: number;
  failures: string[];
}
const outcomes: Outcome[] = [];

afterAll(() => {
  const lines = outcomes.map(
    (o) =>
      `${o.contract.padEnd(26)} load ${String(Math.round(o.loadMs)).padStart(5)} ms  ${String(o.methods).padStart(3)} method(s)  ${o.failures.length} failure(s)${o.failures.length ? `\n    ${o.failures.join('\n    ')}` : ''}`,
  );
  process.stdout.write(`\ngRPC corpus\n${lines.join('\n')}\n`);
});

test.each(Object.entries(CORPUS))('%s: served zero-config, every method answers a valid message', async (contract, protos) => {
  const started = performance.now();
  const includeDirs = INCLUDES[contract] ?? [googleapis];
  const { stack, address } = await serveGrpc({ proto: protos, includeDirs });
  const loadMs = performance.now() - started;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const failures: string[] = [];
  let methods = 0;
  try {
    // A contract that is itself reflection v1 replaces the built-in v1 (it is served auto-mocked): read v1alpha.
    const { registry } = await reflect(address, contract === 'grpc reflection v1' ? 'v1alpha' : 'v1');
    const loaded = loadProtos(protos, includeDirs);
    const mocker = new AutoMocker(1);
    for (const method of loaded.methods.values()) {
      methods++;
      const output = registry.getMessage(method.responseType.fullName.slice(1));
      try {
        if (!output) throw new Error(`reflection does not describe ${method.responseType.fullName.slice(1)}`);
        const request = encodeRequest(method, mocker);
        const replies = await invoke(client, method, request);
        if (replies.length === 0 && !method.responseStream) throw new Error('no answer');
        for (const reply of replies) toJson(output, fromBinary(output, reply), { registry });
      } catch (error) {
        failures.push(`${method.id}: ${(error as Error).message}`);
      }
    }
  } finally {
    client.close();
    await stack.close();
  }
  outcomes.push({ contract, loadMs, methods, failures });
  expect(methods).toBeGreaterThan(0);
  expect(failures).toEqual([]);
});

function encodeRequest(method: MethodInfo, mocker: AutoMocker): Buffer {
  const type = method.requestType;
  const message = mocker.message(type, `${method.id}#request`, {});
  return Buffer.from(type.encode(type.fromObject(prepareMessage(type, message, ''))).finish());
}

const raw = (value: Buffer): Buffer => value;

/** Calls a method with raw bytes the way any generic client does; resolves with the reply messages once the status is OK. */
function invoke(client: grpc.Client, method: MethodInfo, request: Buffer): Promise<Buffer[]> {
  return new Promise((done, fail) => {
    const replies: Buffer[] = [];
    const finish = (error: grpc.ServiceError | null, reply?: Buffer): void => {
      if (error) fail(new Error(`${grpc.status[error.code]}: ${error.details}`));
      else done(reply ? [reply] : replies);
    };
    const deadline = { deadline: Date.now() + 10_000 };
    switch (method.kind) {
      case 'unary':
        client.makeUnaryRequest(method.path, raw, raw, request, new grpc.Metadata(), deadline, (error, reply) => finish(error, reply));
        return;
      case 'client-streaming': {
        const call = client.makeClientStreamRequest(method.path, raw, raw, new grpc.Metadata(), deadline, (error, reply) => finish(error, reply));
        call.write(request);
        call.end();
        return;
      }
      case 'server-streaming': {
        const call = client.makeServerStreamRequest(method.path, raw, raw, request, new grpc.Metadata(), deadline);
        call.on('data', (reply: Buffer) => replies.push(reply));
        call.on('error', (error: grpc.ServiceError) => finish(error));
        call.on('status', (status: grpc.StatusObject) => status.code === grpc.status.OK && finish(null));
        return;
      }
      case 'bidi': {
        const call = client.makeBidiStreamRequest(method.path, raw, raw, new grpc.Metadata(), deadline);
        call.on('data', (reply: Buffer) => replies.push(reply));
        call.on('error', (error: grpc.ServiceError) => finish(error));
        call.on('status', (status: grpc.StatusObject) => status.code === grpc.status.OK && finish(null));
        call.write(request);
        call.end();
      }
    }
  });
}
