export { type AdminOptions, type AdminServer, type AdminTarget, createAdminApp, startAdmin } from './admin-server.js';
