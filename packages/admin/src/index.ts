export { ADMIN_TOKEN_ENV, ADMIN_TOKEN_HEADER, adminTokenFor, adminTokenHeaders } from './admin-guard.js';
export { type AdminOptions, type AdminServer, type AdminTarget, createAdminApp, startAdmin } from './admin-server.js';
