/**
 * Providers' own Node client libraries, pointed at mockstack serving the protos they ship, as a team does that
 * replaces a cloud emulator in CI: Google's Pub/Sub, Datastore, Firestore and Cloud Tasks clients (google-gax over
 * @grpc/grpc-js), Qdrant's (connect-es generated code over connect-node's gRPC transport), and connect-node's gRPC
 * transport alone (its own HTTP/2 client). Everyday calls succeed auto-mocked;
 * where a client holds an invariant no generated answer can keep (Firestore reads a document by the name it
 * asked for), the scenario rules a user would write answer it.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Datastore } from '@google-cloud/datastore';
import { Firestore } from '@google-cloud/firestore';
import { PubSub, v1 as pubsubV1 } from '@google-cloud/pubsub';
import { CloudTasksClient } from '@google-cloud/tasks';
import type { Stack } from '@mockstack/core';
import { grpcAdapter } from '@mockstack/grpc';
import { QdrantClient } from '@qdrant/js-client-grpc';
import { grpc as gax } from 'google-gax';
import { fault, grpc, type Message, scenario, sequence } from 'mockstack';
import protobuf from 'protobufjs';
import { eventually } from '../helpers/eventually.js';
import { serveGrpc, stackOf } from '../helpers/grpc-stack.js';
import { reflect } from '../helpers/reflection-client.js';

const require = createRequire(import.meta.url);
const googleapis = dirname(require.resolve('google-proto-files/package.json'));
// Firestore defines `v1` with a getter, which an ES module import of it does not see.
const { v1: firestoreV1 } = require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');

/** The protos a client library ships (`build/protos`), which describe the API it speaks. */
function protosOf(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(join('node_modules', name))) dir = dirname(dir);
  return join(dir, 'build/protos');
}

const insecure = gax.credentials.createInsecure();
const operations = (stack: Stack, operation: string): number => stack.engine.journal.list().filter((e) => e.operation === operation).length;

// google-auth-library looks for a GCE metadata server when a client asks for its project; there is none here.
const metadataDetection = process.env.METADATA_SERVER_DETECTION;
beforeAll(() => {
  process.env.METADATA_SERVER_DETECTION = 'none';
});
afterAll(() => {
  if (metadataDetection === undefined) delete process.env.METADATA_SERVER_DETECTION;
  else process.env.METADATA_SERVER_DETECTION = metadataDetection;
});

describe('@google-cloud/pubsub against pubsub.proto', () => {
  const proto = join(protosOf('@google-cloud/pubsub'), 'google/pubsub/v1/pubsub.proto');
  const PUBLISHER = 'google.pubsub.v1.Publisher';
  let stack: Stack;
  let pubsub: PubSub;

  beforeAll(async () => {
    const served = await serveGrpc(
      { proto, includeDirs: [googleapis] },
      // A publish that fails once as the service does under load; the client retries it (UNAVAILABLE is retryable).
      { [PUBLISHER]: { Publish: sequence([fault.unavailable('backend busy'), { messageIds: ['msg-1'] }]) } },
    );
    stack = served.stack;
    pubsub = new PubSub({ projectId: 'demo', apiEndpoint: served.address, emulatorMode: true });
  });

  afterAll(async () => {
    await pubsub.close();
    await stack.close();
  });

  test('createTopic and createSubscription answer the names asked for; listings name resources of the project asked about', async () => {
    const [topic] = await pubsub.createTopic('orders');
    expect(topic.name).toBe('projects/demo/topics/orders');
    const [subscription] = await topic.createSubscription('orders-worker');
    expect(subscription.name).toBe('projects/demo/subscriptions/orders-worker');
    expect(subscription.metadata?.topic).toBe('projects/demo/topics/orders');
    const [topics] = await pubsub.getTopics();
    expect(topics.length).toBeGreaterThan(0);
    for (const { name } of topics) expect(name).toMatch(/^projects\/demo\/topics\/[a-z][a-z0-9-]*$/);
    const [subscriptions] = await topic.getSubscriptions();
    for (const { name } of subscriptions) expect(name).toMatch(/^projects\/demo\/subscriptions\/[a-z][a-z0-9-]*$/);
  });

  test('publishMessage retries an UNAVAILABLE Publish and resolves with the id the second answer gives', async () => {
    await expect(pubsub.topic('orders').publishMessage({ data: Buffer.from('{"id":1}'), attributes: { kind: 'created' } })).resolves.toBe('msg-1');
    expect(operations(stack, `${PUBLISHER}/Publish`)).toBe(2);
    const [, retried] = stack.engine.journal.list().filter((e) => e.operation === `${PUBLISHER}/Publish`);
    expect(retried?.request.body).toMatchObject({ topic: 'projects/demo/topics/orders', messages: [{ attributes: { kind: 'created' } }] });
  });

  test('a subscription receives a message over the StreamingPull bidi stream, acks it, and closes', async () => {
    const subscription = pubsub.subscription('orders-worker');
    const message = await new Promise<{ id: string; data: Buffer; ack(): void }>((done, fail) => {
      subscription.once('message', done);
      subscription.once('error', fail);
    });
    expect(message.id).toEqual(expect.any(String));
    expect(Buffer.isBuffer(message.data)).toBe(true);
    message.ack();
    await subscription.close();
    // The stream is journaled once it has ended.
    await eventually(async () => expect(operations(stack, 'google.pubsub.v1.Subscriber/StreamingPull')).toBeGreaterThan(0));
  });

  test('the generated SubscriberClient (gax) pulls and acknowledges', async () => {
    const subscriber = new pubsubV1.SubscriberClient({ apiEndpoint: '127.0.0.1', port: stack.address('svc').port, sslCreds: insecure });
    try {
      const subscription = subscriber.subscriptionPath('demo', 'orders-worker');
      const [pulled] = await subscriber.pull({ subscription, maxMessages: 5 });
      const ackIds = (pulled.receivedMessages ?? []).map((m) => m.ackId as string);
      expect(ackIds.length).toBeGreaterThan(0);
      await subscriber.acknowledge({ subscription, ackIds });
      const acknowledged = stack.engine.journal.list().find((e) => e.operation === 'google.pubsub.v1.Subscriber/Acknowledge');
      expect(acknowledged?.request.body).toMatchObject({ subscription: 'projects/demo/subscriptions/orders-worker', ackIds });
    } finally {
      await subscriber.close();
    }
  });
});

describe('@google-cloud/datastore against datastore.proto, auto-mocked', () => {
  const proto = join(protosOf('@google-cloud/datastore'), 'google/datastore/v1/datastore.proto');
  const DATASTORE = 'google.datastore.v1.Datastore';
  let stack: Stack;
  let datastore: Datastore;

  beforeAll(async () => {
    const served = await serveGrpc({ proto, includeDirs: [googleapis] });
    stack = served.stack;
    datastore = new Datastore({ projectId: 'demo', apiEndpoint: served.address, sslCreds: insecure });
  });

  afterAll(async () => {
    // Datastore has no close(); the gax clients it made for its calls do.
    for (const client of datastore.clients_.values()) await (client as unknown as { close(): Promise<void> }).close();
    await stack.close();
  });

  beforeEach(() => stack.engine.journal.clear());

  test('get() is one Lookup (no deferred keys to ask for again), and the entity it gives holds values', async () => {
    const [entity] = (await datastore.get(datastore.key(['Order', 'o1']))) as [Record<string, unknown>];
    expect(operations(stack, `${DATASTORE}/Lookup`)).toBe(1);
    expect(Object.keys(entity).length).toBeGreaterThan(0);
    for (const value of Object.values(entity)) expect(value).not.toBeNull();
  });

  test('writes after a read are sent at once: a read outside a transaction begins none', async () => {
    await datastore.get(datastore.key(['Order', 'o1']));
    const key = datastore.key('Order');
    await datastore.insert({ key, data: { total: 12, status: 'new' } });
    // The id the Commit answered for the incomplete key.
    expect(key.id).toMatch(/^\d+$/);
    await datastore.delete(datastore.key(['Order', 'o2']));
    expect(operations(stack, `${DATASTORE}/Commit`)).toBe(2);
  });

  test('runQuery ends with the first batch, and a transaction begins, reads, writes and commits', async () => {
    const [entities] = await datastore.runQuery(datastore.createQuery('Order').limit(3));
    expect(entities.length).toBeGreaterThan(0);
    expect(operations(stack, `${DATASTORE}/RunQuery`)).toBe(1);
    const transaction = datastore.transaction();
    await transaction.run();
    await transaction.get(datastore.key(['Order', 'o1']));
    transaction.save({ key: datastore.key(['Order', 'o1']), data: { total: 13 } });
    await transaction.commit();
    const commit = stack.engine.journal.list().find((e) => e.operation === `${DATASTORE}/Commit`);
    expect(commit?.request.body).toMatchObject({ transaction: expect.any(String), mutations: [{ upsert: { properties: { total: { integerValue: '13' } } } }] });
  });
});

describe('@google-cloud/tasks (a gax client on apiEndpoint with insecure credentials) against cloudtasks.proto', () => {
  const proto = join(protosOf('@google-cloud/tasks'), 'google/cloud/tasks/v2/cloudtasks.proto');
  let stack: Stack;
  let tasks: CloudTasksClient;

  beforeAll(async () => {
    const served = await serveGrpc({ proto, includeDirs: [googleapis] }, { 'google.cloud.tasks.v2.CloudTasks': { GetQueue: fault.notFound('queue gone') } });
    stack = served.stack;
    tasks = new CloudTasksClient({ apiEndpoint: '127.0.0.1', port: stack.address('svc').port, sslCreds: insecure });
  });

  afterAll(async () => {
    await tasks.close();
    await stack.close();
  });

  test('createQueue and createTask answer the resource sent, named under the queue', async () => {
    const queuePath = tasks.queuePath('demo', 'us-central1', 'emails');
    const [queue] = await tasks.createQueue({ parent: tasks.locationPath('demo', 'us-central1'), queue: { name: queuePath } });
    expect(queue.name).toBe(queuePath);
    const [task] = await tasks.createTask({ parent: queuePath, task: { httpRequest: { url: 'https://example.com/send', httpMethod: 'POST' } } });
    expect(task.httpRequest).toMatchObject({ url: 'https://example.com/send', httpMethod: 'POST' });
    expect(tasks.matchQueueFromTaskName(task.name as string)).toBe('emails');
  });

  test("listQueuesAsync pages to the end; each queue's name reads with the client's path templates", async () => {
    const names: string[] = [];
    for await (const queue of tasks.listQueuesAsync({ parent: tasks.locationPath('demo', 'us-central1') }, { autoPaginate: false }))
      names.push(queue.name as string);
    expect(names).toHaveLength(4);
    for (const name of names) {
      expect(tasks.matchProjectFromQueueName(name)).toBe('demo');
      expect(tasks.matchLocationFromQueueName(name)).toBe('us-central1');
    }
  });

  test('a rule answering NOT_FOUND rejects with that code (gax does not retry it)', async () => {
    await expect(tasks.getQueue({ name: tasks.queuePath('demo', 'us-central1', 'emails') })).rejects.toMatchObject({ code: gax.status.NOT_FOUND });
  });
});

interface StoredDocument {
  fields: Message;
  createTime: string;
  updateTime: string;
}

/**
 * Firestore's client reads back a document by the name it asked for and runs queries under a parent,
 * so a test keeps documents in the scenario's state: what a user writes to stand in for the emulator.
 */
const firestoreScenario = scenario('firestore', { seed: 7, state: () => ({ documents: new Map<string, StoredDocument>(), clock: 0 }) }).services({
  svc: grpc(
    { port: 0, host: '127.0.0.1', proto: join(protosOf('@google-cloud/firestore'), 'google/firestore/v1/firestore.proto') },
    {
      'google.firestore.v1.Firestore': {
        Commit: ({ request, state }) => {
          const time = new Date(Date.UTC(2026, 0, 1, 0, 0, ++state.clock)).toISOString();
          const writes = request.writes as { update?: { name: string; fields: Message }; updateMask?: { fieldPaths: string[] } | null; delete?: string }[];
          for (const write of writes) {
            if (write.update) {
              const prior = state.documents.get(write.update.name);
              const fields = write.updateMask ? { ...prior?.fields, ...write.update.fields } : write.update.fields;
              state.documents.set(write.update.name, { fields, createTime: prior?.createTime ?? time, updateTime: time });
            } else if (write.delete) state.documents.delete(write.delete);
          }
          return { commitTime: time, writeResults: writes.map(() => ({ updateTime: time })) };
        },
        BatchGetDocuments: ({ request, state }) =>
          (request.documents as string[]).map((name) => {
            const stored = state.documents.get(name);
            return stored ? { found: { name, ...stored }, readTime: '2026-01-02T00:00:00Z' } : { missing: name, readTime: '2026-01-02T00:00:00Z' };
          }),
        RunQuery: ({ request, state }) => {
          const found = queried(state.documents, request.parent as string, request.structuredQuery as StructuredQuery);
          const answers = found.map(([name, stored]) => ({ document: { name, ...stored }, readTime: '2026-01-02T00:00:00Z' }));
          return answers.length > 0 ? answers : [{ readTime: '2026-01-02T00:00:00Z' }];
        },
        // count(): the client reads the result by the alias it gave each aggregation.
        RunAggregationQuery: ({ request, state }) => {
          const { structuredQuery, aggregations } = request.structuredAggregationQuery as {
            structuredQuery: StructuredQuery;
            aggregations: { alias: string }[];
          };
          const count = String(queried(state.documents, request.parent as string, structuredQuery).length);
          const aggregateFields = Object.fromEntries(aggregations.map(({ alias }) => [alias, { integerValue: count }]));
          return [{ result: { aggregateFields }, readTime: '2026-01-02T00:00:00Z' }];
        },
        // A watch of documents: the target added, the documents as they are, the target current, then a consistent snapshot.
        Listen: async ({ incoming, write, state }) => {
          for await (const message of incoming) {
            const target = message.addTarget as { targetId: number; documents: { documents: string[] } | null } | null;
            if (!target?.documents) continue;
            const targetIds = [target.targetId];
            write({ targetChange: { targetChangeType: 'ADD', targetIds } });
            for (const name of target.documents.documents) {
              const stored = state.documents.get(name);
              if (stored) write({ documentChange: { document: { name, ...stored }, targetIds } });
            }
            write({ targetChange: { targetChangeType: 'CURRENT', targetIds, resumeToken: btoa('t1') } });
            write({ targetChange: { targetChangeType: 'NO_CHANGE', readTime: '2026-01-02T00:00:00Z' } });
          }
        },
      },
    },
  ),
});

interface StructuredQuery {
  from: { collectionId: string }[];
  where: FieldFilter | null;
  limit: { value: number } | null;
}

/** The documents a query finds: in the collection it names under `parent`, passing its filter, up to its limit. */
function queried(documents: ReadonlyMap<string, StoredDocument>, parent: string, query: StructuredQuery): [string, StoredDocument][] {
  const prefix = `${parent}/${query.from[0]?.collectionId}/`;
  return [...documents]
    .filter(([name, { fields }]) => name.startsWith(prefix) && !name.slice(prefix.length).includes('/') && matches(fields, query.where))
    .slice(0, query.limit?.value ?? undefined);
}

interface FieldFilter {
  fieldFilter?: { field: { fieldPath: string }; op: string; value: Message };
}

/** Whether a document's fields pass a query's field filter (EQUAL and GREATER_THAN, enough for the test). */
function matches(fields: Message, where: FieldFilter | null): boolean {
  const filter = where?.fieldFilter;
  if (!filter) return true;
  const scalar = (value: unknown): unknown => {
    const v = value as Message | undefined;
    return v?.integerValue !== undefined ? Number(v.integerValue) : (v?.stringValue ?? v?.doubleValue);
  };
  const [have, want] = [scalar(fields[filter.field.fieldPath]), scalar(filter.value)] as [number, number];
  return filter.op === 'EQUAL' ? have === want : filter.op === 'GREATER_THAN' ? have > want : false;
}

describe('@google-cloud/firestore against firestore.proto, with rules keeping documents in state', () => {
  let stack: Stack;
  let db: Firestore;

  beforeAll(async () => {
    stack = await stackOf(firestoreScenario, [grpcAdapter], resolve(import.meta.dirname, '../scenario.ts'));
    await stack.listen();
    db = new Firestore({ projectId: 'demo', host: '127.0.0.1', port: stack.address('svc').port, ssl: false });
  });

  afterAll(async () => {
    await db.terminate();
    await stack.close();
  });

  test('a document set is read back; an update merges; a missing one does not exist', async () => {
    const order = db.collection('orders').doc('o1');
    await order.set({ total: 12, status: 'new' });
    await order.update({ status: 'paid' });
    const snapshot = await order.get();
    expect(snapshot.exists).toBe(true);
    expect(snapshot.data()).toEqual({ total: 12, status: 'paid' });
    expect(snapshot.updateTime?.toDate().toISOString()).toBe('2026-01-01T00:00:02.000Z');
    expect((await db.doc('orders/nope').get()).exists).toBe(false);
  });

  test('a batch writes and deletes at once; a query (RunQuery, server streaming) filters, limits and ends', async () => {
    const batch = db.batch();
    batch.set(db.doc('orders/o2'), { total: 3, status: 'new' });
    batch.set(db.doc('orders/o3'), { total: 40, status: 'new' });
    batch.set(db.doc('orders/o4'), { total: 7, status: 'new' });
    batch.delete(db.doc('orders/o4'));
    expect(await batch.commit()).toHaveLength(4);
    const big = await db.collection('orders').where('total', '>', 5).get();
    expect(big.docs.map((d) => [d.id, d.get('total')])).toEqual([
      ['o1', 12],
      ['o3', 40],
    ]);
    expect((await db.collection('orders').where('status', '==', 'new').limit(1).get()).size).toBe(1);
    expect((await db.collection('invoices').get()).empty).toBe(true);
    const counted = await db.collection('orders').where('status', '==', 'new').count().get();
    expect(counted.data()).toEqual({ count: 2 });
  });

  test('onSnapshot (the Listen bidi stream) gives the document, and unsubscribing ends the stream', async () => {
    const snapshot = await new Promise<FirebaseFirestore.DocumentSnapshot>((done, fail) => {
      const unsubscribe = db.doc('orders/o3').onSnapshot((s) => {
        unsubscribe();
        done(s);
      }, fail);
    });
    expect(snapshot.data()).toEqual({ total: 40, status: 'new' });
    expect(snapshot.readTime.toDate().toISOString()).toBe('2026-01-02T00:00:00.000Z');
    await eventually(async () => expect(operations(stack, 'google.firestore.v1.Firestore/Listen')).toBe(1));
  });
});

describe("Firestore's admin client (gax) against firestore_admin.proto: long-running operations, auto-mocked", () => {
  let stack: Stack;
  let admin: InstanceType<typeof firestoreV1.FirestoreAdminClient>;

  beforeAll(async () => {
    const proto = join(protosOf('@google-cloud/firestore'), 'google/firestore/admin/v1/firestore_admin.proto');
    const served = await serveGrpc({ proto });
    stack = served.stack;
    admin = new firestoreV1.FirestoreAdminClient({ apiEndpoint: '127.0.0.1', port: stack.address('svc').port, sslCreds: insecure });
  });

  afterAll(async () => {
    await admin.close();
    await stack.close();
  });

  test("createIndex's operation resolves with the index sent, named under its collection group", async () => {
    const parent = admin.collectionGroupPath('demo', '(default)', 'orders');
    const [operation] = await admin.createIndex({ parent, index: { queryScope: 'COLLECTION', fields: [{ fieldPath: 'total', order: 'ASCENDING' }] } });
    expect(operation.name).toMatch(/^operations\/[a-z][a-z0-9-]*$/);
    const [index] = await operation.promise();
    // gax decodes an operation's response to a protobufjs message, enums as numbers: COLLECTION and ASCENDING are 1.
    expect(index).toMatchObject({ queryScope: 1, fields: [{ fieldPath: 'total', order: 1 }] });
    expect(admin.matchCollectionFromIndexName(index.name as string)).toBe('orders');
    await expect(admin.checkCreateIndexProgress(operation.name as string)).resolves.toMatchObject({ done: true });
  });

  test("exportDocuments' operation resolves with the output prefix asked for", async () => {
    const [operation] = await admin.exportDocuments({ name: admin.databasePath('demo', '(default)'), outputUriPrefix: 'gs://backups/2026-01-01' });
    const [response] = await operation.promise();
    expect(response.outputUriPrefix).toBe('gs://backups/2026-01-01');
  });
});

describe('connect-node (gRPC protocol over its own HTTP/2 client), its schema read from the server by reflection', () => {
  let stack: Stack;
  let address: string;

  beforeAll(async () => {
    const proto = join(protosOf('@google-cloud/pubsub'), 'google/pubsub/v1/pubsub.proto');
    ({ stack, address } = await serveGrpc(
      { proto, includeDirs: [googleapis] },
      { 'google.pubsub.v1.Publisher': { DeleteTopic: fault.grpc('RESOURCE_EXHAUSTED', 'quota exceeded', { retryAfter: 3 }) } },
    ));
  });

  afterAll(() => stack.close());

  test('a unary call answers; a fault arrives with its code, message and google.rpc.RetryInfo detail', async () => {
    const { registry } = await reflect(address);
    const service = registry.getService('google.pubsub.v1.Publisher');
    if (!service) throw new Error('reflection does not describe google.pubsub.v1.Publisher');
    // A client of a service from a registry knows its methods at run time only: typed here as the test calls them.
    type Unary = (request: object) => Promise<object>;
    const publisher = createClient(service, createGrpcTransport({ baseUrl: `http://${address}` })) as unknown as Partial<Record<string, Unary>>;
    const { getTopic, deleteTopic } = publisher;
    if (!getTopic || !deleteTopic) throw new Error('Publisher has no GetTopic or DeleteTopic');
    const topic = await getTopic({ topic: 'projects/demo/topics/orders' });
    expect(topic).toMatchObject({ name: 'projects/demo/topics/orders' });
    const failure = await deleteTopic({ topic: 'projects/demo/topics/orders' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectError);
    const { code, rawMessage, details } = failure as ConnectError;
    expect([code, rawMessage]).toEqual([Code.ResourceExhausted, 'quota exceeded']);
    expect(details.map((detail) => ('type' in detail ? detail.type : detail.desc.typeName))).toEqual(['google.rpc.RetryInfo']);
    const types = new protobuf.Root();
    types.resolvePath = (_origin, target) => join(googleapis, target);
    types.loadSync('google/rpc/error_details.proto');
    const retryInfo = types.lookupType('google.rpc.RetryInfo');
    const [detail] = details as { value: Uint8Array }[];
    expect(retryInfo.toObject(retryInfo.decode(detail?.value ?? new Uint8Array()), { longs: Number })).toEqual({ retryDelay: { seconds: 3, nanos: 0 } });
  });
});

describe('@qdrant/js-client-grpc (generated connect-es code) against Qdrant’s protos, auto-mocked', () => {
  const proto = resolve(import.meta.dirname, '../fixtures/real-world/qdrant/qdrant.proto');
  let stack: Stack;
  let client: QdrantClient;

  beforeAll(async () => {
    const served = await serveGrpc({ proto });
    stack = served.stack;
    // The compatibility check compares the client's version with a generated one; a scenario rule would answer it.
    client = new QdrantClient({ host: '127.0.0.1', port: stack.address('svc').port, checkCompatibility: false });
  });
  afterAll(() => stack.close());

  test('health, collections and a vector search answer; a write says it was applied; payload values hold values', async () => {
    expect(await client.api('service').healthCheck({})).toMatchObject({ version: expect.any(String) });
    const { collections } = await client.api('collections').list({});
    expect(collections.length).toBeGreaterThan(0);
    // CollectionOperationResponse.result says whether the write was applied: it was a coin toss.
    for (const name of ['docs', 'images', 'audio']) expect((await client.api('collections').create({ collectionName: name })).result).toBe(true);
    const { result } = await client.api('points').search({ collectionName: 'docs', vector: [0.1, 0.2, 0.3, 0.4], limit: 3n });
    expect(result.length).toBeGreaterThan(0);
    // Qdrant's own copy of google.protobuf.Value: its first member, null_value, was every value's.
    for (const point of result) for (const value of Object.values(point.payload)) expect(value.kind.case).not.toBe('nullValue');
  });
});
