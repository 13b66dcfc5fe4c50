/**
 * Real-world protos that broke `mockstack up x.proto` in a sweep of public contracts (googleapis, Temporal,
 * Dapr, LND, OpenTelemetry…), each reduced to a fixture under test/fixtures/real-world, served zero-config
 * (no include dirs, as `mockstack up` has them) and called by a real grpc-js client.
 */
import { resolve } from 'node:path';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { serveGrpc, unaryBytes } from '../helpers/grpc-stack.js';
import { reflect } from '../helpers/reflection-client.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/real-world');

test('a list of messages in an option value (grpc-gateway openapiv2 tags: [{…}, {…}], Temporal Cloud API) loads and answers, reflection included', async () => {
  const proto = resolve(fixtures, 'grpc-gateway/temporal/api/cloud/cloudservice/v1/service.proto');
  const { stack, address } = await serveGrpc({ proto });
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const { registry } = await reflect(address);
    const output = registry.getMessage('temporal.api.cloud.cloudservice.v1.GetCurrentIdentityResponse');
    if (!output) throw new Error('reflection does not describe GetCurrentIdentityResponse');
    const reply = await unaryBytes(client, '/temporal.api.cloud.cloudservice.v1.CloudService/GetCurrentIdentity');
    expect(toJson(output, fromBinary(output, reply), { registry })).toEqual(expect.any(Object));
    // An unknown method is UNIMPLEMENTED, and the service still answers after it.
    await expect(unaryBytes(client, '/temporal.api.cloud.cloudservice.v1.CloudService/Nope')).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    await expect(unaryBytes(client, '/temporal.api.cloud.cloudservice.v1.CloudService/GetCurrentIdentity')).resolves.toBeInstanceOf(Buffer);
  } finally {
    client.close();
    await stack.close();
  }
});
