export { AutoMocker } from './automock.js';
export { BadMessage, prepareMessage, ShapeError } from './codec.js';
export { type GrpcConfig, grpcConfigOf } from './config.js';
export { descriptorRegistry } from './descriptor-registry.js';
export { grpcAdapter } from './grpc-adapter.js';
export { type LoadedProtos, loadProtos, type MethodInfo, ProtoLoadError } from './protos.js';
export { grpcStatusOfCode, STATUS_DETAILS_KEY, statusOfFault } from './status.js';
export { validateGrpcService } from './validate.js';
