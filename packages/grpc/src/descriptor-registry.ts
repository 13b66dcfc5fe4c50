import { create, createFileRegistry, type FileRegistry, fromBinary } from '@bufbuild/protobuf';
import { type FileDescriptorProto, FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { fileDescriptorProtosOf } from './descriptors.js';
import type { LoadedProtos } from './protos.js';

/**
 * A @bufbuild/protobuf registry of every loaded file, built from the descriptors the reflection
 * service serves: what Connect serves from, and what a Connect client in a test can call with.
 */
export function descriptorRegistry(protos: LoadedProtos): FileRegistry {
  const files = fileDescriptorProtosOf(protos).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
  const byName = new Map(files.map((file) => [file.name, file]));
  // Dependencies first: a file set is resolved in order.
  const ordered: FileDescriptorProto[] = [];
  const seen = new Set<string>();
  const visit = (file: FileDescriptorProto): void => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    for (const dependency of file.dependency) {
      const found = byName.get(dependency);
      if (found) visit(found);
    }
    ordered.push(file);
  };
  for (const file of files) visit(file);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
}
