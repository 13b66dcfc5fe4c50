/**
 * Real-world protos that broke `mockstack up x.proto` in a sweep of public contracts (googleapis, Temporal,
 * Dapr, LND, OpenTelemetry…), each reduced to a fixture under test/fixtures/real-world, served zero-config
 * (no include dirs, as `mockstack up` has them) and called by a real grpc-js client.
 */
import { resolve } from 'node:path';
import { create, createRegistry, type DescService, fromBinary, toJson } from '@bufbuild/protobuf';
import { anyPack, file_google_protobuf_empty, file_google_protobuf_timestamp, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { descriptorRegistry, loadProtos } from '@mockstack/grpc';
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

describe.each([
  [
    'Connect JSON',
    (baseUrl: string, registry: ReturnType<typeof createRegistry>) =>
      createConnectTransport({ baseUrl, httpVersion: '1.1', useBinaryFormat: false, jsonOptions: { registry } }),
  ],
  [
    'gRPC-Web JSON',
    (baseUrl: string, registry: ReturnType<typeof createRegistry>) =>
      createGrpcWebTransport({ baseUrl, httpVersion: '1.1', useBinaryFormat: false, jsonOptions: { registry } }),
  ],
])('google.protobuf.Any over %s (Dapr’s payloads)', (_name, transport) => {
  const proto = resolve(fixtures, 'dapr/appcallback.proto');
  // What a generated client knows: its service's files and the well-known types its runtime ships.
  const registry = createRegistry(descriptorRegistry(loadProtos([proto], [])), file_google_protobuf_timestamp, file_google_protobuf_empty);
  const AppCallback = registry.getService('dapr.proto.runtime.v1.AppCallback') as DescService;
  const InvokeRequest = AppCallback.methods[0]?.input;

  test('the auto-mocked answer holding an Any is written, a request holding a well-known type’s Any is read; an unknown type is invalid_argument and serving goes on', async () => {
    const { stack } = await serveGrpc({ proto, web: true });
    const baseUrl = stack.address('svc').also?.[0]?.url ?? '';
    try {
      const client = createClient(AppCallback, transport(baseUrl, registry)) as unknown as {
        onInvoke(request: object): Promise<{ data?: { typeUrl: string } }>;
      };
      if (!InvokeRequest) throw new Error('no OnInvoke');
      // The answer's Any (an Empty, as the auto-mock fills one) written as JSON: it was `internal`.
      const answer = await client.onInvoke(create(InvokeRequest, { method: 'orders' }));
      expect(answer.data?.typeUrl).toBe('type.googleapis.com/google.protobuf.Empty');
      // A request's Any of a well-known type the protos do not import: it was `invalid_argument`.
      const request = create(InvokeRequest, { method: 'orders', data: anyPack(TimestampSchema, create(TimestampSchema, { seconds: 1n })) });
      await expect(client.onInvoke(request)).resolves.toMatchObject({ data: { typeUrl: answer.data?.typeUrl } });
      // A JSON body naming a type the server cannot know: the protocol's own error, not an internal one.
      const bad = await fetch(`${baseUrl}/dapr.proto.runtime.v1.AppCallback/OnInvoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: { '@type': 'type.googleapis.com/acme.Nope', value: 'x' } }),
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'invalid_argument' });
      await expect(client.onInvoke(request)).resolves.toMatchObject({ data: { typeUrl: answer.data?.typeUrl } });
    } finally {
      await stack.close();
    }
  });
});

test('an OTLP collector’s Export answers a full success (no partial_success, nothing rejected), as the OpenTelemetry exporters read it', async () => {
  const proto = resolve(fixtures, 'opentelemetry/trace_service.proto');
  const { stack, address } = await serveGrpc({ proto });
  const loaded = grpc.loadPackageDefinition(loadSync(proto, { longs: String, defaults: false, oneofs: true })) as unknown as {
    opentelemetry: { proto: { collector: { trace: { v1: { TraceService: grpc.ServiceClientConstructor } } } } };
  };
  const client = new loaded.opentelemetry.proto.collector.trace.v1.TraceService(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Export(request: object, callback: (error: grpc.ServiceError | null, reply: Record<string, unknown>) => void): void;
  };
  const span = { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'checkout', attributes: [{ key: 'order.id', value: { stringValue: 'o-1' } }] };
  const exported = (): Promise<Record<string, unknown>> =>
    new Promise((done, fail) => client.Export({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }, (error, reply) => (error ? fail(error) : done(reply))));
  try {
    // The exporters warn "Received Partial Success response" on every export whose partial_success has any field set.
    expect(await exported()).toEqual({});
    // A request that is no ExportTraceServiceRequest: the protocol's error; the next export is answered.
    await expect(unaryBytes(client, '/opentelemetry.proto.collector.trace.v1.TraceService/Export', Buffer.from([0x0a, 0x09, 0x70]))).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    expect(await exported()).toEqual({});
  } finally {
    client.close();
    await stack.close();
  }
});

test('Temporal’s QueryWorkflow answers a result its SDKs can read: JSON payloads (encoding json/plain), not rejected', async () => {
  const proto = resolve(fixtures, 'temporal/temporal/api/workflowservice/v1/service.proto');
  const { stack, address } = await serveGrpc({ proto });
  const loaded = grpc.loadPackageDefinition(loadSync(proto, { includeDirs: [resolve(fixtures, 'temporal')], defaults: false })) as unknown as {
    temporal: { api: { workflowservice: { v1: { WorkflowService: grpc.ServiceClientConstructor } } } };
  };
  const client = new loaded.temporal.api.workflowservice.v1.WorkflowService(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    QueryWorkflow(request: object, callback: (error: grpc.ServiceError | null, reply: Record<string, unknown>) => void): void;
  };
  try {
    const request = { namespace: 'default', execution: { workflowId: 'order-1' }, query: { queryType: 'state' } };
    const reply = await new Promise<{ queryResult?: { payloads: { metadata: Record<string, Buffer>; data: Buffer }[] }; queryRejected?: unknown }>(
      (done, fail) => client.QueryWorkflow(request, (error, value) => (error ? fail(error) : done(value))),
    );
    // @temporalio/client throws QueryRejectedError when query_rejected is set, and "Unknown encoding" for any other payload.
    expect(reply.queryRejected).toBeUndefined();
    expect(reply.queryResult?.payloads.length).toBeGreaterThan(0);
    for (const payload of reply.queryResult?.payloads ?? []) {
      expect(payload.metadata.encoding?.toString()).toBe('json/plain');
      expect(() => JSON.parse(payload.data.toString())).not.toThrow();
    }
  } finally {
    client.close();
    await stack.close();
  }
});

test('map fields over Connect JSON carry their JSON names (Cloud Deploy’s Target: labels, annotations, associated_entities), as generated clients send and read them', async () => {
  const proto = resolve(fixtures, 'google/cloud/deploy/v1/cloud_deploy.proto');
  const { stack, address } = await serveGrpc({ proto, web: true });
  const base = `${stack.address('svc').also?.[0]?.url ?? ''}/google.cloud.deploy.v1.CloudDeploy`;
  const post = (method: string, body: object): Promise<Response> =>
    fetch(`${base}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    const got = await post('GetTarget', { name: 'projects/p/locations/l/targets/t' });
    expect(got.status).toBe(200);
    const target = (await got.json()) as Record<string, unknown>;
    // Every map of the message was written under the one key "" (the last one written won).
    expect(target).not.toHaveProperty(['']);
    expect(target).toMatchObject({ labels: expect.any(Object), annotations: expect.any(Object), associatedEntities: expect.any(Object) });
    // A generated client's request, maps by their JSON names: it was "key labels is unknown".
    const created = await post('CreateTarget', {
      parent: 'projects/p/locations/l',
      targetId: 't',
      target: { labels: { team: 'payments' }, associatedEntities: { prod: { gkeClusters: [{ cluster: 'c1' }] } } },
    });
    expect(created.status).toBe(200);
    // The reflection descriptors say the same (grpcurl writes JSON by them).
    const { registry } = await reflect(address);
    expect(registry.getMessage('google.cloud.deploy.v1.Target')?.fields.map((f) => f.jsonName)).toEqual([
      'name',
      'annotations',
      'labels',
      'associatedEntities',
    ]);
  } finally {
    await stack.close();
  }
});

test('a type is the one protoc resolves, not a nested message’s namesake (Dataplex’s Lake.state is the package’s State, not MetastoreStatus.State)', async () => {
  const proto = resolve(fixtures, 'google/cloud/dataplex/v1/lakes.proto');
  const { stack, address } = await serveGrpc({ proto, web: true });
  try {
    const { registry } = await reflect(address);
    const lake = registry.getMessage('google.cloud.dataplex.v1.Lake');
    expect(lake?.fields.find((f) => f.name === 'state')?.enum?.typeName).toBe('google.cloud.dataplex.v1.State');
    expect(lake?.nestedMessages[0]?.fields[0]?.enum?.typeName).toBe('google.cloud.dataplex.v1.Lake.MetastoreStatus.State');
    // google/api/http.proto is googleapis' own (bundled), not protobufjs' old copy without response_body.
    expect(registry.getMessage('google.api.HttpRule')?.fields.map((f) => f.name)).toContain('response_body');
    // Over Connect JSON, as a generated client reads it: a name of the lake's own State, for any seed of answer.
    const url = `${stack.address('svc').also?.[0]?.url ?? ''}/google.cloud.dataplex.v1.DataplexService/GetLake`;
    for (const name of ['projects/p/locations/l/lakes/a', 'projects/p/locations/l/lakes/b', 'projects/p/locations/l/lakes/c']) {
      const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      const body = (await answer.json()) as { state?: string; metastoreStatus?: { state?: string } };
      expect(['ACTIVE', 'CREATING', 'DELETING', 'ACTION_REQUIRED']).toContain(body.state);
      expect(['NONE', 'READY', 'UPDATING', 'ERROR']).toContain(body.metastoreStatus?.state);
    }
  } finally {
    await stack.close();
  }
});
