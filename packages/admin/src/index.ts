export { ADMIN_TOKEN_COOKIE, ADMIN_TOKEN_ENV, ADMIN_TOKEN_HEADER, adminTokenFor, adminTokenHeaders } from './admin-guard.js';
export { ADMIN_PREFIX, type AdminOptions, type AdminServer, createAdminApp, startAdmin } from './admin-server.js';
export { adminOpenApi } from './openapi.js';
export { type AdminRequest, AdminRequestError, type AdminRoute, type AdminTarget, adminRoutes, type JsonSchema } from './routes.js';
export { mergeState, stateFromJson, stateToJson } from './state-view.js';
