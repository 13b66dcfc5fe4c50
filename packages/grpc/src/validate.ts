import { MockstackError, type Model, type Problem, type Service } from '@mockstack/core';
import { grpcConfigOf, loadServiceProtos } from './config.js';
import type { LoadedProtos } from './protos.js';

/**
 * Compile-time checks of a gRPC service: its protos load (else the proto file:line), and every
 * method the scenario answers exists in them (else what they define instead).
 */
export function validateGrpcService(service: Service, model: Model): Problem[] {
  if (grpcConfigOf(service).proto.length === 0) {
    return [{ message: `gRPC service "${service.name}" names no proto file; write grpc({ port, proto: 'protos/x.proto' }, …)`, source: service.source }];
  }
  let protos: LoadedProtos;
  try {
    protos = loadServiceProtos(service, model);
  } catch (error) {
    if (error instanceof MockstackError) return [{ message: error.message, source: error.source }];
    throw error;
  }
  const problems: Problem[] = [];
  const defined = [...protos.services.keys()];
  for (const operation of service.operations.values()) {
    const source = operation.rules[0]?.source ?? service.source;
    const slash = operation.id.lastIndexOf('/');
    const serviceName = slash === -1 ? operation.id : operation.id.slice(0, slash);
    const methodName = slash === -1 ? '' : operation.id.slice(slash + 1);
    const methods = protos.services.get(serviceName);
    if (!methods) {
      problems.push({
        message: `service "${service.name}" answers ${operation.id}, but its protos define no service ${serviceName}; they define ${defined.join(', ') || 'no services'}`,
        source,
      });
    } else if (!methods.some((m) => m.name === methodName)) {
      problems.push({
        message: `service "${service.name}" answers ${operation.id}, but ${serviceName} has no method "${methodName}"; it has ${methods.map((m) => m.name).join(', ')}`,
        source,
      });
    }
  }
  return problems;
}
