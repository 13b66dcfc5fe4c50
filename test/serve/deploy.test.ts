// What can be checked of deploy/ without Docker or a cluster: the Kubernetes manifests against the
// official schemas (kubernetes-models), their references to each other and to the image, and the
// entrypoint script and health check run directly against the ConfigMap's scenario.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { run } from '../reliability/cli-process.js';

const root = resolve(import.meta.dirname, '../..');
const deploy = resolve(root, 'deploy');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  // biome-ignore lint/suspicious/noExplicitAny: a manifest is whatever the YAML says; the schema check types it
  spec?: any;
  data?: Record<string, string>;
}

const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
};

const manifests: Manifest[] = readdirSync(join(deploy, 'k8s'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(deploy, 'k8s', f), 'utf8')).map((d) => d.toJS() as Manifest));
const of = (kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
};

function validate(manifest: Manifest): void {
  const Model = models[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest as never).validate();
}

test('every Kubernetes manifest is valid against the official schema of its kind', () => {
  expect(manifests.map((m) => m.kind).sort()).toEqual([
    'ConfigMap',
    'Deployment',
    'Deployment',
    'Secret',
    'Service',
    'Service',
    'Service',
    'Service',
    'Service',
  ]);
  for (const manifest of manifests) expect(() => validate(manifest)).not.toThrow();
  // The check catches what it should: a port that is not a number.
  const broken = structuredClone(of('Deployment', 'mockstack'));
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
  expect(() => validate(broken)).toThrow(/containerPort must be integer/);
});

test("the manifests agree with each other and with the image: selectors, ports, the scenario, the store, the probes' script", () => {
  const deployment = of('Deployment', 'mockstack');
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];
  const portNames = new Set(container.ports.map((p: { name: string }) => p.name));
  for (const service of manifests.filter((m) => m.kind === 'Service' && m.metadata.name.startsWith('mockstack-') && m.metadata.name !== 'mockstack-redis')) {
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
  }
  // One Service per protocol port.
  expect(manifests.filter((m) => m.kind === 'Service').map((m) => m.spec.ports[0].port)).toEqual(expect.arrayContaining([8081, 8082, 50051, 9900, 6379]));
  // The scenario the container is told to serve is in the ConfigMap mounted at /mocks.
  const volume = pod.spec.volumes.find((v: { configMap?: { name: string } }) => v.configMap);
  expect(Object.keys(of('ConfigMap', volume.configMap.name).data ?? {})).toContain(container.args[0]);
  expect(container.volumeMounts).toContainEqual(expect.objectContaining({ name: volume.name, mountPath: '/mocks' }));
  // The store is the Redis Service.
  const store = container.env.find((e: { name: string }) => e.name === 'MOCKSTACK_STORE').value as string;
  const redis = of('Service', 'mockstack-redis');
  expect(store).toBe(`redis://${redis.metadata.name}:${redis.spec.ports[0].port}/0`);
  expect(of('Deployment', 'mockstack-redis').spec.template.metadata.labels).toMatchObject(redis.spec.selector);
  // The readiness probe runs the script the Dockerfile copies into the image; liveness is the gRPC port.
  const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
  expect(container.readinessProbe.exec.command).toEqual(['node', '/app/deploy/healthcheck.mjs']);
  expect(dockerfile).toMatch(/COPY deploy\/docker-entrypoint\.sh deploy\/healthcheck\.mjs \.\/deploy\//);
  expect(dockerfile).toMatch(/HEALTHCHECK .*\/app\/deploy\/healthcheck\.mjs/);
  expect(container.livenessProbe.grpc.port).toBe(50051);
  expect(dockerfile).toMatch(/^FROM node:20-slim AS build$/m);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
});

test('the entrypoint serves a read-only /mocks (the ConfigMap) and the health check passes, then fails when it should', async () => {
  const mocks = mkdtempSync(join(tmpdir(), 'mockstack-mocks-'));
  const work = mkdtempSync(join(tmpdir(), 'mockstack-work-'));
  const ready = join(work, 'ready.json');
  for (const [file, text] of Object.entries(of('ConfigMap', 'mockstack-scenario').data ?? {})) writeFileSync(join(mocks, file), text);
  chmodSync(mocks, 0o555);
  const token = 'test-token';
  const env = {
    MOCKSTACK_HOME: root,
    MOCKSTACK_MOCKS: mocks,
    MOCKSTACK_WORKDIR: join(work, 'project'),
    MOCKSTACK_ADMIN_TOKEN: token,
    MOCKSTACK_HOST: '127.0.0.1',
    MOCKSTACK_ADMIN_HOST: '127.0.0.1',
  };
  const server = run('sh', [join(deploy, 'docker-entrypoint.sh'), 'scenario.ts', '--random-ports', '--admin-port', '0', '--quiet', '--ready-file', ready], env);
  try {
    const deadline = Date.now() + 60_000;
    while (!existsSync(ready)) {
      if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`the entrypoint did not start mockstack:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const { services, admin } = JSON.parse(readFileSync(ready, 'utf8')) as { services: { name: string; url: string; port: number }[]; admin: string };
    const byName = Object.fromEntries(services.map((s) => [s.name, s]));
    const created = await fetch(`${byName.orders?.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sku":"A","quantity":2}',
    });
    expect(await created.json()).toMatchObject({ id: 'ord_1', status: 'PENDING' });
    const graphql = await fetch(String(byName.catalog?.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ order(id: "ord_1") { quantity } }' }),
    });
    expect(await graphql.json()).toEqual({ data: { order: { quantity: 2 } } });

    // The probes: the startup probe's URL, and the health check script with the admin token and the gRPC port.
    expect((await fetch(`${byName.orders?.url}/health`)).status).toBe(200);
    const check = (extra: Record<string, string>) =>
      run(process.execPath, [join(deploy, 'healthcheck.mjs')], {
        MOCKSTACK_ADMIN_URL: admin,
        MOCKSTACK_GRPC_HEALTH: `127.0.0.1:${byName.payments?.port}`,
        ...extra,
      });
    const healthy = check({ MOCKSTACK_ADMIN_TOKEN: token });
    expect((await healthy.exited).code).toBe(0);
    const noToken = check({ MOCKSTACK_ADMIN_TOKEN: 'wrong' });
    expect((await noToken.exited).code).toBe(1);
    expect(noToken.output()).toMatch(/unhealthy: GET .*\/health answered 401/);
    const noGrpc = check({ MOCKSTACK_ADMIN_TOKEN: token, MOCKSTACK_GRPC_HEALTH: '127.0.0.1:1' });
    expect((await noGrpc.exited).code).toBe(1);
    expect(noGrpc.output()).toMatch(/unhealthy: gRPC health of 127\.0\.0\.1:1/);
    // …and mockstack kept serving through all of it.
    expect((await fetch(`${byName.orders?.url}/orders/ord_1`)).status).toBe(200);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    chmodSync(mocks, 0o755);
    rmSync(mocks, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}, 90_000);

test('the entrypoint says what is missing when no project is mounted', async () => {
  const missing = run('sh', [join(deploy, 'docker-entrypoint.sh'), 'scenario.ts'], {
    MOCKSTACK_HOME: root,
    MOCKSTACK_MOCKS: join(tmpdir(), 'mockstack-no-such-dir'),
  });
  expect((await missing.exited).code).toBe(2);
  expect(missing.output()).toMatch(/no project at .*mockstack-no-such-dir; mount your scenarios there/);
});

test('the compose file runs N replicas on one Redis behind a load balancer that knows every protocol port', () => {
  const compose = parseAllDocuments(readFileSync(join(deploy, 'compose.yaml'), 'utf8'))[0]?.toJS() as {
    services: Record<string, { environment?: Record<string, string>; deploy?: { replicas: number }; ports?: string[]; build?: { dockerfile: string } }>;
  };
  expect(compose.services.mockstack?.deploy?.replicas).toBeGreaterThan(1);
  expect(compose.services.mockstack?.environment?.MOCKSTACK_STORE).toBe('redis://redis:6379/0');
  expect(compose.services.mockstack?.build?.dockerfile).toBe('deploy/Dockerfile');
  const haproxy = readFileSync(join(deploy, 'haproxy.cfg'), 'utf8');
  for (const port of ['8081', '8082', '50051', '9900']) {
    expect(compose.services.lb?.ports).toContain(`${port}:${port}`);
    expect(haproxy).toMatch(new RegExp(`server-template replica \\d+ mockstack:${port}`));
  }
  expect(haproxy).toMatch(/bind :50051 proto h2/);
});
