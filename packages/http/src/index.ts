export { unsendable, unsendableFault } from './answer-check.js';
export { clientGoneSignal, HttpApp, type HttpAppOptions } from './http-app.js';
export { HttpMounts } from './http-mounts.js';
