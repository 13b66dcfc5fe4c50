export type { UploadedFile } from './body-parsers.js';
export { checkPathTemplate, validateRestService } from './path-template.js';
export { restAdapter } from './rest-adapter.js';
