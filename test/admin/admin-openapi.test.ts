import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadOpenApi } from '@mockstack/openapi';
import { type RunningStack, runScenario } from '@mockstack/runner';
import { rest, scenario } from 'mockstack';

// The admin API describes itself (GET /__admin/openapi.json), and the README's admin table says the same.
let running: RunningStack;
let document: { openapi: string; paths: Record<string, Record<string, { summary: string }>> };

beforeAll(async () => {
  running = await runScenario(scenario('admin-doc').services({ api: rest({}, [rest.get('/ping', { ok: true })]) }), { randomPorts: true, adminPort: 0 });
  const res = await fetch(`${running.admin?.url}/openapi.json`);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  document = (await res.json()) as typeof document;
});
afterAll(() => running.close());

const documented = () =>
  Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();

test('the document is a valid OpenAPI 3.0 document listing every admin route', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'admin-openapi-'));
  try {
    writeFileSync(join(dir, 'admin.json'), JSON.stringify(document));
    const api = await loadOpenApi(join(dir, 'admin.json'));
    expect(api.operations.length).toBe(documented().length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(documented()).toEqual(
    expect.arrayContaining(['GET /__admin/state', 'PUT /__admin/machines', 'POST /__admin/requests/find', 'GET /__admin/openapi.json']),
  );
  // Every documented route answers (no 404 from a route the document invents); one with a parameter needs a real one (test/admin/wiremock-*).
  for (const route of documented().filter((r) => r.startsWith('GET ') && !r.includes('{'))) {
    expect([route, (await fetch(`${running.admin?.url.replace('/__admin', '')}${route.slice(4)}`)).status]).toEqual([route, 200]);
  }
});

test("the README's admin table lists exactly the documented routes", () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Admin API'), readme.indexOf('\n## ', readme.indexOf('## Admin API') + 1));
  const rows = [...section.matchAll(/^\| `(GET|PUT|POST|DELETE) (\/[^`?\s]*)/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  expect(rows).toEqual(documented());
});
