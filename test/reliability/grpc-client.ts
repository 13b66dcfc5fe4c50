/** A grpc-js client of the test Greeter service, and a promise for one call. */
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const greeterProto = resolve(import.meta.dirname, '../fixtures/contracts/greeter.proto');

export interface HelloReply {
  message: string;
  email: string;
  count: number;
}

export type Greeter = grpc.Client & {
  SayHello(request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, reply: HelloReply) => void): void;
};

/** A client of `address` (`host:port` or `grpc://host:port`). Close it with `client.close()`. */
export function greeterClient(address: string): Greeter {
  const definition = protoLoader.loadSync(greeterProto, { longs: String, enums: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { demo: { greeter: { v1: { Greeter: grpc.ServiceClientConstructor } } } };
  return new loaded.demo.greeter.v1.Greeter(address.replace(/^grpc:\/\//, ''), grpc.credentials.createInsecure()) as unknown as Greeter;
}

/** One SayHello call: the reply, or the error as grpc-js gives it. */
export function sayHello(client: Greeter, name = 'ada', deadlineMs = 10_000): Promise<{ reply?: HelloReply; error?: grpc.ServiceError }> {
  return new Promise((done) => client.SayHello({ name }, { deadline: Date.now() + deadlineMs }, (error, reply) => done(error ? { error } : { reply })));
}
