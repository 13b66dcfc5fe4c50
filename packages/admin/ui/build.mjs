// Bundles the dashboard (ui/) into dist/ui: index.html naming content-hashed assets under dist/ui/assets.
// Run by `npm run build` of @mockstack/admin; the admin server serves what it writes (src/dashboard.ts).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'ui');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(here, 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: join(out, 'assets'),
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((f) => f.endsWith('.js'));
const style = outputs.find((f) => f.endsWith('.css'));
// The page is served at /__admin/ui: "ui/assets/…" resolves under it.
const page = readFileSync(join(here, 'index.html'), 'utf8')
  .replace('%SCRIPT%', `ui/assets/${script}`)
  .replace('%STYLE%', style ? `<link rel="stylesheet" href="ui/assets/${style}">` : '');
writeFileSync(join(out, 'index.html'), page);
