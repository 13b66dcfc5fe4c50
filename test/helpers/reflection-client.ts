import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { create, createFileRegistry, type FileRegistry, fromBinary } from '@bufbuild/protobuf';
import { type FileDescriptorProto, FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** The reflection protos @grpc/reflection ships (the same files grpcurl and grpcui speak). */
const PROTO_DIR = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build/proto');

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** What a reflection client learns about a server: its services and the descriptors of their files. */
export interface Reflected {
  services: string[];
  files: FileDescriptorProto[];
  /** A strict registry (@bufbuild/protobuf): building it fails on any unresolved import or type. */
  registry: FileRegistry;
}

/**
 * Reads a server the way grpcurl does: lists its services over grpc.reflection (v1 or v1alpha), asks for
 * the file containing each, then for every imported file still missing, and resolves them all strictly.
 */
export async function reflect(address: string, version: 'v1' | 'v1alpha' = 'v1'): Promise<Reflected> {
  const definition = loadSync(join(PROTO_DIR, `grpc/reflection/${version}/reflection.proto`), { longs: String, enums: String, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
  };
  const Client = loaded.grpc.reflection[version]?.ServerReflection;
  if (!Client) throw new Error(`no ServerReflection in ${version}`);
  const client = new Client(address, grpc.credentials.createInsecure());
  const call = (client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<object, ReflectionResponse> }).ServerReflectionInfo();
  const ask = (request: object): Promise<ReflectionResponse> =>
    new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      call.once('error', onError);
      call.once('data', (response: ReflectionResponse) => {
        call.off('error', onError);
        if (response.errorResponse) reject(new Error(`reflection: ${response.errorResponse.errorMessage}`));
        else resolve(response);
      });
      call.write(request);
    });
  const files = new Map<string, FileDescriptorProto>();
  const add = (response: ReflectionResponse): void => {
    for (const bytes of response.fileDescriptorResponse?.fileDescriptorProto ?? []) {
      const file = fromBinary(FileDescriptorProtoSchema, bytes);
      if (!files.has(file.name)) files.set(file.name, file);
    }
  };
  try {
    const services = ((await ask({ listServices: '*' })).listServicesResponse?.service ?? []).map((s) => s.name);
    for (const service of services) add(await ask({ fileContainingSymbol: service }));
    for (let missing = missingImports(files); missing.length > 0; missing = missingImports(files)) {
      for (const name of missing) add(await ask({ fileByFilename: name }));
    }
    // A FileDescriptorSet lists each file after its imports, as protoc writes one.
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: importsFirst(files) }));
    return { services, files: [...files.values()], registry };
  } finally {
    call.end();
    client.close();
  }
}

function missingImports(files: ReadonlyMap<string, FileDescriptorProto>): string[] {
  return [...new Set([...files.values()].flatMap((f) => f.dependency).filter((d) => !files.has(d)))];
}

function importsFirst(files: ReadonlyMap<string, FileDescriptorProto>): FileDescriptorProto[] {
  const ordered: FileDescriptorProto[] = [];
  const done = new Set<string>();
  const visit = (file: FileDescriptorProto): void => {
    if (done.has(file.name)) return;
    done.add(file.name);
    for (const dependency of file.dependency) {
      const imported = files.get(dependency);
      if (imported) visit(imported);
    }
    ordered.push(file);
  };
  for (const file of files.values()) visit(file);
  return ordered;
}
