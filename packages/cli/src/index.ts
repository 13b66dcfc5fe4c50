export { type MainOptions, main } from './main.js';
export { createLogger, formatRequestLine, type LogFormat } from './request-logger.js';
