// OpenAPI: load time of a large generated document (12 MB, ~1,200 operations), and requests/s of one
// of its routes next to a one-route scenario, measured in the same run. `node bench/suites/openapi.mjs`
// or `npm run bench` (which calls main()). Needs the packages built (`npm run build`).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ';

/**
 * An OpenAPI 3.0 document with `operations` operations (a list and a replace per resource, each
 * with its own component schema) padded with descriptions to about `targetBytes` of JSON.
 */
export function makeLargeDocument({ operations = 1200, targetBytes = 12 * 1024 * 1024 } = {}) {
  const resources = Math.ceil(operations / 2);
  const paths = {};
  const schemas = {};
  const skeleton = (description) => {
    for (let i = 0; i < resources; i++) {
      const name = `Resource${i}`;
      const properties = {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        email: { type: 'string', format: 'email' },
        createdAt: { type: 'string', format: 'date-time' },
        status: { type: 'string', enum: ['active', 'pending', 'closed'] },
        amount: { type: 'number', minimum: 0, maximum: 1000 },
      };
      for (let p = 0; p < 12; p++) properties[`field${p}`] = { type: p % 3 === 0 ? 'integer' : 'string', description: `Field ${p} of ${name}` };
      schemas[name] = { type: 'object', required: ['id', 'name'], properties };
      schemas[`${name}List`] = {
        type: 'object',
        properties: { items: { type: 'array', maxItems: 3, items: { $ref: `#/components/schemas/${name}` } }, total: { type: 'integer' } },
      };
      const json = (ref) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
      paths[`/resources${i}`] = {
        get: {
          operationId: `listResource${i}`,
          description,
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } }],
          responses: { 200: { description: 'ok', content: json(`${name}List`) } },
        },
      };
      paths[`/resources${i}/{id}`] = {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        put: {
          operationId: `putResource${i}`,
          description,
          requestBody: { required: true, content: json(name) },
          responses: { 200: { description: 'ok', content: json(name) }, 404: { description: 'missing' } },
        },
      };
    }
    return { openapi: '3.0.3', info: { title: 'Large', version: '1.0.0' }, servers: [{ url: 'https://api.example.com/v1' }], paths, components: { schemas } };
  };
  const bare = JSON.stringify(skeleton('')).length;
  const perOperation = Math.max(0, Math.floor((targetBytes - bare) / (resources * 2)));
  return skeleton(FILLER.repeat(Math.ceil(perOperation / FILLER.length)).slice(0, perOperation));
}

/** Writes the large document into a fresh temp dir; returns its path and a cleanup. */
export function writeLargeDocument(options) {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-openapi-'));
  const file = join(dir, 'large.json');
  const text = JSON.stringify(makeLargeDocument(options));
  writeFileSync(file, text);
  return { file, bytes: text.length, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function main() {
  const { fmt, load, median, startServer } = await import('../lib.mjs');
  const { loadOpenApi } = await import('@mockstack/openapi');
  const large = writeLargeDocument();
  const bin = 'packages/mockstack/bin/mockstack.js';
  try {
    const loads = [];
    let operations = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const api = await loadOpenApi(large.file);
      loads.push(performance.now() - started);
      operations = api.operations.length;
    }

    const upTimes = { large: [], small: [] };
    const up = async (scenario, env) => {
      const started = performance.now();
      const server = await startServer(process.execPath, [bin, 'up', scenario, '--quiet', '--no-admin'], /api\s+rest\s+(http:\/\/\S+)/, env);
      return { ...server, ms: performance.now() - started };
    };
    const openapi = await up('bench/scenarios/openapi-large.ts', { BENCH_OPENAPI: large.file });
    const single = await up('bench/scenarios/static-route.ts', {});
    upTimes.large.push(openapi.ms);
    upTimes.small.push(single.ms);
    const runs = { openapi: [], single: [] };
    const route = `${openapi.url}/v1/resources${Math.floor(operations / 4)}`;
    try {
      const first = await fetch(route);
      if (first.status !== 200) throw new Error(`${route} answered ${first.status}: ${await first.text()}`);
      await load(route, { seconds: 1 });
      await load(`${single.url}/orders/1`, { seconds: 1 });
      for (let i = 0; i < rounds; i++) {
        runs.openapi.push(await load(route, { seconds }));
        runs.single.push(await load(`${single.url}/orders/1`, { seconds }));
      }
    } finally {
      await Promise.all([openapi.stop(), single.stop()]);
    }
    const summary = (xs) => ({ rps: median(xs.map((x) => x.rps)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)) });
    const o = summary(runs.openapi);
    const s = summary(runs.single);
    console.log(`\nOpenAPI: generated document of ${fmt(large.bytes / 1024 / 1024, 1)} MB, ${fmt(operations)} operations`);
    console.log(`  loadOpenApi (parse, schema check, operations; median of 3): ${fmt(median(loads))} ms   (target: a few seconds)`);
    console.log(`  \`mockstack up\` to listening: large document ${fmt(upTimes.large[0])} ms, one-route scenario ${fmt(upTimes.small[0])} ms`);
    console.log(`  route (autocannon, 50 connections, ${rounds} alternating rounds × ${seconds}s, medians)     req/s      p50 ms  p99 ms`);
    console.log(
      `  GET ${route.replace(openapi.url, '').padEnd(40)} (contract, validated)  ${fmt(o.rps).padStart(9)}  ${fmt(o.p50, 1).padStart(6)}  ${fmt(o.p99, 1).padStart(6)}`,
    );
    console.log(`  GET /orders/1 (one-route scenario)${' '.repeat(29)}${fmt(s.rps).padStart(9)}  ${fmt(s.p50, 1).padStart(6)}  ${fmt(s.p99, 1).padStart(6)}`);
    console.log(`  ratio large-document route / one-route scenario: ${(o.rps / s.rps).toFixed(2)}×`);
  } finally {
    large.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
