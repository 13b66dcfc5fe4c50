/** A grpc-js client of the bundled example's PaymentService (protos/payments.proto), and its Authorize call as a promise. */
import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const root = resolve(import.meta.dirname, '../..');

type Result = Record<string, unknown>;

export interface PaymentClient extends grpcJs.Client {
  Authorize(request: object, callback: (error: grpcJs.ServiceError | null, value?: Result) => void): void;
}

const definition = grpcJs.loadPackageDefinition(
  loadSync(resolve(root, 'protos/payments.proto'), { includeDirs: [resolve(root, 'protos')], longs: String, enums: String, defaults: true }),
);
const PaymentService = (definition.checkout as Record<string, Record<string, Record<string, unknown>>>).payments?.v1?.PaymentService as unknown as new (
  address: string,
  credentials: grpcJs.ChannelCredentials,
) => PaymentClient;

/** A client of the payments service at `address` (`host:port`), without TLS. Close it when done. */
export function paymentClient(address: string): PaymentClient {
  return new PaymentService(address, grpcJs.credentials.createInsecure());
}

/** Authorize with `request`: the error, or the answer. */
export function authorize(client: PaymentClient, request: object): Promise<{ error: grpcJs.ServiceError | null; value: Result | undefined }> {
  return new Promise((done) => client.Authorize(request, (error, value) => done({ error, value })));
}
