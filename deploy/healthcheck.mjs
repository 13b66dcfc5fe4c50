// The container's health check (Docker HEALTHCHECK, Kubernetes readiness probe): exit 0 when the admin
// API answers GET /__admin/health and every gRPC port answers grpc.health.v1 Health/Check SERVING.
//   MOCKSTACK_ADMIN_URL   default http://127.0.0.1:${MOCKSTACK_ADMIN_PORT:-9900}/__admin
//   MOCKSTACK_ADMIN_TOKEN sent as x-mockstack-admin-token when set
//   MOCKSTACK_GRPC_HEALTH comma-separated host:port of gRPC services to check (default 127.0.0.1:50051; "" for none)
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** The health proto mockstack serves, from the gRPC adapter's package. */
const protoPath = createRequire(import.meta.url).resolve('@mockstack/grpc/protos/grpc/health/v1/health.proto');

const admin = process.env.MOCKSTACK_ADMIN_URL ?? `http://127.0.0.1:${process.env.MOCKSTACK_ADMIN_PORT ?? '9900'}/__admin`;
const token = process.env.MOCKSTACK_ADMIN_TOKEN;
const grpcTargets = (process.env.MOCKSTACK_GRPC_HEALTH ?? '127.0.0.1:50051').split(',').filter(Boolean);
const timeoutMs = 2000;

async function adminHealthy() {
  const response = await fetch(`${admin}/health`, { headers: token ? { 'x-mockstack-admin-token': token } : {}, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${admin}/health answered ${response.status}`);
  const body = await response.json();
  if (body.status !== 'ok') throw new Error(`GET ${admin}/health says ${JSON.stringify(body.status)}`);
}

const Health = grpc.loadPackageDefinition(loadSync(protoPath)).grpc.health.v1.Health;

function grpcServing(target) {
  const client = new Health(target, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.Check({ service: '' }, { deadline: Date.now() + timeoutMs }, (error, reply) => {
      client.close();
      if (error) reject(new Error(`gRPC health of ${target}: ${error.message}`));
      else if (reply.status !== 'SERVING' && reply.status !== 1) reject(new Error(`gRPC health of ${target}: ${reply.status}`));
      else resolve();
    });
  });
}

try {
  await Promise.all([adminHealthy(), ...grpcTargets.map(grpcServing)]);
  process.exit(0);
} catch (error) {
  console.error(`unhealthy: ${error.message}`);
  process.exit(1);
}
