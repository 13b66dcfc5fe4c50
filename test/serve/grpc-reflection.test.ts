import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { createFileRegistry, type DescMessage, fromBinary, getExtension, type Message } from '@bufbuild/protobuf';
import {
  Edition,
  FeatureSet_FieldPresence,
  FeatureSet_MessageEncoding,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import { serveGrpc, unaryBytes } from '../helpers/grpc-stack.js';
import { reflect } from '../helpers/reflection-client.js';

const root = resolve(import.meta.dirname, '../..');
const fixtures = resolve(import.meta.dirname, '../fixtures/reflection');
const googleapis = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));

describe.each(['v1', 'v1alpha'] as const)('reflection %s, read by a strict client (@bufbuild/protobuf createFileRegistry)', (version) => {
  test('the bundled payments.proto resolves: imports, well-known types, enums', async () => {
    const { stack, address } = await serveGrpc({ proto: resolve(root, 'protos/payments.proto'), includeDirs: [resolve(root, 'protos')] });
    try {
      const { services, registry, files } = await reflect(address, version);
      expect(services).toEqual(expect.arrayContaining(['checkout.payments.v1.PaymentService', 'grpc.health.v1.Health']));
      const payments = files.find((f) => f.name === 'payments.proto');
      expect(payments?.dependency).toEqual(expect.arrayContaining(['google/protobuf/timestamp.proto', 'checkout/common/v1/money.proto']));
      const authorize = registry.getService('checkout.payments.v1.PaymentService')?.methods.find((m) => m.name === 'Authorize');
      expect(authorize?.input.typeName).toBe('checkout.payments.v1.AuthorizeRequest');
      expect(registry.getMessage('checkout.common.v1.Money')?.fields.map((f) => f.name)).toContain('currency_code');
    } finally {
      await stack.close();
    }
  });

  test('imports (googleapis through an include dir), maps of messages, nested types, oneofs, optional, proto2 extensions', async () => {
    const { stack, address } = await serveGrpc({
      proto: [resolve(fixtures, 'shop/v1/catalog.proto'), resolve(fixtures, 'shop/v1/legacy.proto')],
      includeDirs: [fixtures, googleapis],
    });
    try {
      const { services, registry, files } = await reflect(address, version);
      expect(services).toEqual(expect.arrayContaining(['shop.v1.Catalog', 'shop.legacy.Legacy']));
      const catalog = files.find((f) => f.name === 'shop/v1/catalog.proto');
      expect(catalog?.dependency.sort()).toEqual(
        [
          'google/api/annotations.proto',
          'google/protobuf/any.proto',
          'google/protobuf/struct.proto',
          'google/protobuf/wrappers.proto',
          'google/rpc/status.proto',
          'shop/v1/common.proto',
        ].sort(),
      );
      const product = registry.getMessage('shop.v1.Product') as DescMessage;
      // Map entries carry protoc's names, so Go's protodesc and Python's DescriptorPool accept them too.
      const proto = catalog?.messageType.find((m) => m.name === 'Product');
      expect(proto?.nestedType.filter((n) => n.options?.mapEntry).map((n) => n.name)).toEqual(['VariantsBySkuEntry', 'LabelsEntry']);
      expect(product.field.variantsBySku?.fieldKind).toBe('map');
      expect(product.field.variantsBySku?.fieldKind === 'map' && product.field.variantsBySku.message?.typeName).toBe('shop.v1.Product.Variant');
      expect(product.field.labels?.fieldKind).toBe('map');
      expect(product.oneofs.map((o) => o.name)).toEqual(['price']);
      expect(product.field.extra?.fieldKind === 'message' && product.field.extra.message.typeName).toBe('google.protobuf.Any');
      expect(product.field.legacyCode?.deprecated).toBe(true);
      const variant = registry.getMessage('shop.v1.Product.Variant') as DescMessage;
      expect(variant.field.stockByWarehouse?.fieldKind).toBe('map');
      expect(registry.getEnum('shop.v1.Product.Variant.Size')?.values.map((v) => v.name)).toEqual(['SIZE_UNSPECIFIED', 'SMALL', 'LARGE']);
      const request = registry.getMessage('shop.v1.GetProductRequest') as DescMessage;
      expect(request.field.locale?.proto.proto3Optional).toBe(true);
      const category = registry.getMessage('shop.v1.Category') as DescMessage;
      expect(category.field.childrenBySlug?.fieldKind === 'map' && category.field.childrenBySlug.message?.typeName).toBe('shop.v1.Category');
      const methods = registry.getService('shop.v1.Catalog')?.methods.map((m) => [m.name, m.methodKind]);
      expect(methods).toEqual([
        ['GetProduct', 'unary'],
        ['ListProducts', 'server_streaming'],
        ['Import', 'client_streaming'],
      ]);
      const status = registry.getMessage('shop.v1.ImportSummary')?.field.errors;
      expect(status?.fieldKind === 'list' && status.message?.typeName).toBe('google.rpc.Status');
      const record = registry.getMessage('shop.legacy.Record') as DescMessage;
      expect(record.field.key?.proto.label).toBe(2); // LABEL_REQUIRED
      const versionField = record.field.version;
      expect(versionField?.fieldKind === 'scalar' && versionField.getDefaultValue()).toBe(7);
      expect(registry.getExtension('shop.legacy.note')?.extendee.typeName).toBe('shop.legacy.Record');
    } finally {
      await stack.close();
    }
  });
});

test('an editions 2023 file reaches a strict client as protoc writes it: features as written, no groups or required labels', async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(fixtures, 'shop/v1/editions.proto'), includeDirs: [fixtures] });
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const { registry, files } = await reflect(address);
    const file = files.find((f) => f.name === 'shop/v1/editions.proto');
    expect([file?.syntax, file?.edition]).toEqual(['editions', Edition.EDITION_2023]);
    expect(file?.options?.features?.fieldPresence).toBe(FeatureSet_FieldPresence.IMPLICIT);
    // Go's protodesc (grpcurl, buf curl) rejects TYPE_GROUP and LABEL_REQUIRED in an editions file: they are features there.
    const item = file?.messageType.find((m) => m.name === 'Item');
    const detail = item?.field.find((f) => f.name === 'detail');
    expect([detail?.type, detail?.options?.features?.messageEncoding]).toEqual([FieldDescriptorProto_Type.MESSAGE, FeatureSet_MessageEncoding.DELIMITED]);
    const weight = item?.nestedType.find((m) => m.name === 'Detail')?.field.find((f) => f.name === 'weight');
    expect([weight?.label, weight?.options?.features?.fieldPresence]).toEqual([FieldDescriptorProto_Label.OPTIONAL, FeatureSet_FieldPresence.LEGACY_REQUIRED]);
    // What a client makes of them: presence, encodings and enum openness as the file says.
    const Item = registry.getMessage('shop.editions.v1.Item') as DescMessage;
    expect(Item.field.id?.presence).toBe(FeatureSet_FieldPresence.IMPLICIT);
    expect(Item.field.count?.presence).toBe(FeatureSet_FieldPresence.EXPLICIT);
    expect(Item.field.detail?.fieldKind === 'message' && Item.field.detail.delimitedEncoding).toBe(true);
    expect(Item.field.sizes?.fieldKind === 'list' && Item.field.sizes.packed).toBe(false);
    expect(registry.getMessage('shop.editions.v1.Item.Detail')?.field.weight?.presence).toBe(FeatureSet_FieldPresence.LEGACY_REQUIRED);
    expect(registry.getEnum('shop.editions.v1.Colour')?.open).toBe(false);
    const answer = await unaryBytes(client, '/shop.editions.v1.Items/GetItem');
    const decoded = fromBinary(Item, answer) as Message & { detail?: { weight: bigint } };
    expect(typeof decoded.detail?.weight).toBe('bigint');
  } finally {
    client.close();
    await stack.close();
  }
});

test("custom options (googleapis' and a project's own) reach a strict client as protoc encodes them", async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(fixtures, 'shop/v1/annotated.proto'), includeDirs: [fixtures, googleapis] });
  try {
    const { registry } = await reflect(address);
    const option = <T>(options: Message | undefined, name: string): T => {
      const extension = registry.getExtension(name);
      if (!options || !extension) throw new Error(`no ${name} or no options`);
      return getExtension(options, extension) as T;
    };
    const service = registry.getService('shop.annotated.v1.Orders');
    expect(option(service?.proto.options, 'google.api.default_host')).toBe('orders.example.com');
    expect(option(service?.proto.options, 'shop.annotated.v1.owners')).toEqual(['team-a', 'team-b']);
    const method = service?.methods[0];
    expect(method?.proto.options?.deprecated).toBe(true);
    const http = option<{ pattern: { case: string; value: string }; additionalBindings: { pattern: { value: string } }[] }>(
      method?.proto.options,
      'google.api.http',
    );
    expect(http.pattern).toEqual({ case: 'get', value: '/v1/{name=orders/*}' });
    expect(http.additionalBindings.map((b) => b.pattern.value)).toEqual(['/v1/orders/{name}']);
    expect(option(method?.proto.options, 'google.api.method_signature')).toEqual(['name']);
    const request = registry.getMessage('shop.annotated.v1.GetOrderRequest');
    expect(option(request?.field.name?.proto.options, 'google.api.field_behavior')).toEqual([2]); // REQUIRED
    expect(option(request?.field.name?.proto.options, 'shop.annotated.v1.visibility')).toBe(2); // PUBLIC
    const order = registry.getMessage('shop.annotated.v1.Order');
    expect(option(order?.proto.options, 'shop.annotated.v1.table')).toBe('orders');
    expect(option(order?.field.name?.proto.options, 'google.api.field_behavior')).toEqual([3, 8]); // OUTPUT_ONLY, IDENTIFIER
    const status = registry.getEnum('shop.annotated.v1.Order.Status');
    expect(option(status?.proto.options, 'shop.annotated.v1.closed')).toBe(true);
    const label = option<{ text: string; weight: number }>(status?.values.find((v) => v.name === 'OPEN')?.proto.options, 'shop.annotated.v1.label');
    expect([label.text, label.weight]).toEqual(['Open', 2]);
    // An option no extension declares is left out, and the service still answers.
    expect(request?.field.note?.proto.options).toBeUndefined();
    const client = new (grpc.makeGenericClientConstructor({}, 'Orders'))(address, grpc.credentials.createInsecure());
    try {
      const order = await unaryBytes(client, '/shop.annotated.v1.Orders/GetOrder');
      expect(order.length).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  } finally {
    await stack.close();
  }
});

test('a reflection error (unknown symbol) is answered in the protocol, and the server keeps serving', async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(root, 'protos/payments.proto'), includeDirs: [resolve(root, 'protos')] });
  try {
    await expect(reflectSymbol(address, 'no.such.Service')).rejects.toThrow(/Symbol not found: no.such.Service/);
    const { services } = await reflect(address);
    expect(services).toContain('checkout.payments.v1.PaymentService');
  } finally {
    await stack.close();
  }
});

test('a reflection request whose bytes are not a reflection message is answered INVALID_ARGUMENT, and reflection keeps serving', async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(root, 'protos/payments.proto'), includeDirs: [resolve(root, 'protos')] });
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const bytes = (value: Buffer): Buffer => value;
    const call = client.makeBidiStreamRequest('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', bytes, bytes);
    const status = new Promise<grpc.StatusObject>((done) => call.on('status', done));
    call.on('data', () => {});
    call.on('error', () => {});
    // A key of field 1 with wire type 7, which does not exist.
    call.write(Buffer.from([0x0f]));
    expect(await status).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/not a server reflection request message/) });
    const { services } = await reflect(address);
    expect(services).toContain('checkout.payments.v1.PaymentService');
  } finally {
    client.close();
    await stack.close();
  }
});

test('a proto without a package: its service is listed and found by its plain name, as clients ask for it', async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(fixtures, 'no-package.proto'), includeDirs: [fixtures] });
  try {
    const { services, registry } = await reflect(address);
    expect(services).toEqual(expect.arrayContaining(['Pinger']));
    expect(services.filter((name) => name.startsWith('.'))).toEqual([]);
    expect(registry.getService('Pinger')?.methods.map((m) => m.name)).toEqual(['Ping']);
    expect((await askReflection(address, { fileContainingSymbol: 'Ping' })).errorResponse).toBeUndefined();
  } finally {
    await stack.close();
  }
});

test('extensions are found by the type they extend, named as clients name it (grpcurl asks for them before a call)', async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(fixtures, 'shop/v1/legacy.proto'), includeDirs: [fixtures] });
  try {
    const numbers = await askReflection(address, { allExtensionNumbersOfType: 'shop.legacy.Record' });
    expect(numbers.allExtensionNumbersResponse).toEqual({ baseTypeName: 'shop.legacy.Record', extensionNumber: [100] });
    const file = await askReflection(address, { fileContainingExtension: { containingType: 'shop.legacy.Record', extensionNumber: 100 } });
    expect(file.fileDescriptorResponse?.fileDescriptorProto.length).toBeGreaterThan(0);
    // A message open to extensions that none extends has none (not NOT_FOUND, which grpcurl fails on).
    const none = await askReflection(address, { allExtensionNumbersOfType: 'shop.legacy.Page' });
    expect(none.errorResponse).toBeUndefined();
    expect(none.allExtensionNumbersResponse?.baseTypeName).toBe('shop.legacy.Page');
    expect(none.allExtensionNumbersResponse?.extensionNumber ?? []).toEqual([]);
  } finally {
    await stack.close();
  }
});

test("google's compute.proto (124 services, a 1 MB descriptor): the list answered before reflection is built is the built one's, and a method is described on the same stream", async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(googleapis, 'google/cloud/compute/v1/compute.proto'), includeDirs: [googleapis] });
  try {
    // The list first (answered from the loaded services' names), then a symbol (answered once reflection is built), on one stream.
    const [listed, described] = await askReflectionInTurn(address, [{ listServices: '*' }, { fileContainingSymbol: 'google.cloud.compute.v1.Instances.Get' }]);
    const names = (listed?.listServicesResponse?.service ?? []).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['google.cloud.compute.v1.Instances', 'google.cloud.compute.v1.Networks', 'grpc.health.v1.Health']));
    expect(names.filter((name) => name.startsWith('google.cloud.compute.v1.'))).toHaveLength(123);
    const files = new Map(
      (described?.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes)).map((f) => [f.name, f]),
    );
    // Its imports, as a client asks for them.
    for (let missing = missingImports(files); missing.length > 0; missing = missingImports(files)) {
      for (const answer of await askReflectionInTurn(
        address,
        missing.map((name) => ({ fileByFilename: name })),
      )) {
        for (const bytes of answer.fileDescriptorResponse?.fileDescriptorProto ?? []) {
          const file = fromBinary(FileDescriptorProtoSchema, bytes);
          if (!files.has(file.name)) files.set(file.name, file);
        }
      }
    }
    const compute = files.get('google/cloud/compute/v1/compute.proto');
    if (!compute) throw new Error(`no compute.proto among ${[...files.keys()].join(', ')}`);
    const registry = createFileRegistry(compute, (name) => files.get(name));
    const get = registry.getService('google.cloud.compute.v1.Instances')?.methods.find((m) => m.name === 'Get');
    expect(get?.input.typeName).toBe('google.cloud.compute.v1.GetInstanceRequest');
    expect(get?.output.typeName).toBe('google.cloud.compute.v1.Instance');
    // Built now: a list answered by the built reflection names the same services.
    const [again] = await askReflectionInTurn(address, [{ listServices: '*' }]);
    expect((again?.listServicesResponse?.service ?? []).map((s) => s.name).sort()).toEqual([...names].sort());
  } finally {
    await stack.close();
  }
}, 60_000);

test('a list answered before reflection is built, then a request that is not a reflection message: INVALID_ARGUMENT, and reflection keeps serving', async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(root, 'protos/payments.proto'), includeDirs: [resolve(root, 'protos')] });
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const bytes = (value: Buffer): Buffer => value;
    const call = client.makeBidiStreamRequest('/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', bytes, bytes);
    const status = new Promise<grpc.StatusObject>((done) => call.on('status', done));
    const answers: Buffer[] = [];
    call.on('data', (answer: Buffer) => answers.push(answer));
    call.on('error', () => {});
    // list_services = "*" (field 7), then a key of field 1 with wire type 7, which does not exist.
    call.write(Buffer.from([0x3a, 0x01, 0x2a]));
    call.write(Buffer.from([0x0f]));
    expect(await status).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/not a server reflection request message/) });
    expect(answers).toHaveLength(1);
    expect(answers[0]?.toString('latin1')).toContain('checkout.payments.v1.PaymentService');
    const { services } = await reflect(address, 'v1alpha');
    expect(services).toContain('checkout.payments.v1.PaymentService');
  } finally {
    client.close();
    await stack.close();
  }
});

function missingImports(files: ReadonlyMap<string, { dependency: string[] }>): string[] {
  return [...new Set([...files.values()].flatMap((f) => f.dependency).filter((d) => !files.has(d)))];
}

async function reflectSymbol(address: string, symbol: string): Promise<void> {
  const response = await askReflection(address, { fileContainingSymbol: symbol });
  if (response.errorResponse) throw new Error(response.errorResponse.errorMessage);
}

interface ReflectionAnswer {
  errorResponse?: { errorMessage: string };
  listServicesResponse?: { service: { name: string }[] };
  allExtensionNumbersResponse?: { baseTypeName: string; extensionNumber: number[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
}

/** One server reflection request (v1) and its answer, as grpc-js gives it. */
async function askReflection(address: string, request: object): Promise<ReflectionAnswer> {
  const [answer] = await askReflectionInTurn(address, [request]);
  if (!answer) throw new Error('no answer');
  return answer;
}

/** Server reflection requests (v1) written on one stream at once, and their answers in order. */
async function askReflectionInTurn(address: string, requests: readonly object[]): Promise<ReflectionAnswer[]> {
  const { loadSync } = await import('@grpc/proto-loader');
  const dir = resolve(dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build/proto');
  const loaded = grpc.loadPackageDefinition(loadSync(resolve(dir, 'grpc/reflection/v1/reflection.proto'))) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };
  const client = new loaded.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  const call = (client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<object, ReflectionAnswer> }).ServerReflectionInfo();
  try {
    return await new Promise<ReflectionAnswer[]>((done, fail) => {
      const answers: ReflectionAnswer[] = [];
      call.on('data', (answer: ReflectionAnswer) => {
        answers.push(answer);
        if (answers.length === requests.length) done(answers);
      });
      call.once('error', fail);
      for (const request of requests) call.write(request);
    });
  } finally {
    call.end();
    client.close();
  }
}
