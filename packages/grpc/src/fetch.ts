import type { Engine, Service } from '@mockstack/core';
import { GrpcAnswers } from './answers.js';
import { AutoMocker } from './automock.js';
import { grpcConfigOf, loadServiceProtos } from './config.js';
import { ConnectCalls } from './connect-calls.js';
import { connectFetchHandler, type GrpcFetchHandler } from './connect-handler.js';
import { descriptorRegistry } from './descriptor-registry.js';
import { HttpTranscoding } from './http-transcoding.js';
import { validateGrpcService } from './validate.js';

export type { GrpcFetchHandler } from './connect-handler.js';

/**
 * gRPC services answered over fetch, as mockstack/msw intercepts them: Connect (JSON and binary, unary and
 * server streaming), gRPC-Web (binary and text) and the methods' HTTP bindings, through the same rules,
 * state, variants, faults and journal as `mockstack up` serves them on a `web` port. Native gRPC needs
 * HTTP/2 trailers, which fetch cannot carry. Node only: the browser side of this module is `undefined`.
 */
export const grpcOverFetch: { validate: typeof validateGrpcService; serve: (service: Service, engine: Engine) => GrpcFetchHandler } | undefined = {
  validate: validateGrpcService,
  serve: (service, engine) => {
    const config = grpcConfigOf(service);
    const protos = loadServiceProtos(service, engine.model);
    const answers = new GrpcAnswers(service, engine, protos, config.autoMock, new AutoMocker(engine.seed));
    const calls = new ConnectCalls(service.name, engine, protos, answers);
    return connectFetchHandler(calls, descriptorRegistry(protos), config.maxMessageBytes, new HttpTranscoding(protos));
  },
};
