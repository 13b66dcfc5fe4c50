export type * from './drafts.js';
export { type EmitOptions, type EmitResult, emitScenario } from './emit.js';
export { type DraftOptions, draftsFromExchanges, type Exchange, type GrpcExchange, type HttpExchange } from './exchanges.js';
export { type ImportFormat, type ImportResult, importSource } from './importers.js';
export { Recorder, type RecorderOptions, type RecordingProxy, type RecordTarget, writeRecording } from './recorder.js';
