import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ADMIN_TOKEN_COOKIE } from './admin-guard.js';

/**
 * Where the dashboard is (index.html and content-hashed assets, `ui/build.mjs` writes them): the admin
 * package's dist/ui, seen from its `src/` (tests, running from source) and from its `dist/`, and from the
 * `mockstack` package's bundles (dist/testing.cjs, dist/cli/mockstack.cjs), next to which bundle.mjs copies it.
 */
const UI_DIRS = ['../dist/ui/', '../ui/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** The page may load only its own script and style, talk only to this admin API, and never be framed. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Built {
  page: string;
  assets: Map<string, { body: Buffer; type: string }>;
}

let built: Built | undefined;

/** The built dashboard, read once; undefined when the admin package was not built. */
function loadDashboard(): Built | undefined {
  if (built) return built;
  const dir = UI_DIRS.find((candidate) => existsSync(`${candidate}index.html`));
  if (!dir) return undefined;
  const page = readFileSync(`${dir}index.html`, 'utf8');
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(`${dir}assets`))
    assets.set(name, { body: readFileSync(`${dir}assets/${name}`), type: TYPES[extname(name)] ?? 'application/octet-stream' });
  built = { page, assets };
  return built;
}

/**
 * The dashboard: the page at `<prefix>/ui` (never cached: it names the current assets) and its assets at
 * `<prefix>/ui/assets/<name>-<hash>.<ext>` (cached for a year: a new build has new names). Opened as
 * `<prefix>/ui?token=<token>` (what `mockstack up` prints when the admin API needs a token), the page
 * stores the token in an HttpOnly, SameSite=Strict cookie scoped to the admin API and redirects to
 * itself without it, so the token leaves the address bar and history; the page's requests and its
 * live feed (an EventSource, which cannot send headers) then carry the cookie.
 */
export function registerDashboard(app: FastifyInstance, prefix: string, token: string | undefined): void {
  app.get<{ Querystring: { token?: string } }>(`${prefix}/ui`, async (request, reply) => {
    if (token !== undefined && request.query.token !== undefined) {
      return reply
        .code(303)
        .header('set-cookie', `${ADMIN_TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=${prefix}; HttpOnly; SameSite=Strict`)
        .header('cache-control', 'no-store')
        .header('location', `${prefix}/ui`)
        .send();
    }
    const dashboard = loadDashboard();
    if (!dashboard) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('the dashboard is not built: run `npm run build` (it bundles packages/admin/ui into packages/admin/dist/ui)');
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .send(dashboard.page);
  });
  app.get<{ Params: { name: string } }>(`${prefix}/ui/assets/:name`, async (request, reply) => {
    const asset = loadDashboard()?.assets.get(request.params.name);
    if (!asset) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no dashboard asset ${request.params.name}; reload ${prefix}/ui` } });
    return reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff').send(asset.body);
  });
}
