export { unsendable, unsendableBody, unsendableFault } from './answer-check.js';
export {
  BodyCapture,
  DRIBBLE,
  type DribbleBody,
  MALFORMED_CHUNK,
  type MalformedChunkBody,
  SSE,
  type SseBody,
  type SseEventInit,
  type WireBody,
  wireBodyOf,
} from './body.js';
export { decodeRequestBody } from './content-encoding.js';
export { clientGoneSignal, destroyResponse, HTTP2_CODES, HttpApp, type HttpAppOptions, http2StreamOf, requestTimedOut } from './http-app.js';
export { HttpMounts } from './http-mounts.js';
export {
  bodyLimitOf,
  DEFAULT_BODY_LIMIT,
  endWithoutAnswer,
  faultStatusAndHeaders,
  headerFields,
  malformedHandshake,
  pathOf,
  type RequestError,
  refuseUpgrade,
  requestErrorOf,
} from './reply.js';
export { sendWireBody, type WireResult } from './wire-reply.js';
