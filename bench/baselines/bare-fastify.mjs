// The baseline: a bare fastify server answering the same JSON as bench/scenarios/rest-routes.ts (and static-route.ts), from the same routes.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const payload = JSON.parse(readFileSync(new URL('../fixtures/payload.json', import.meta.url), 'utf8'));
const app = Fastify({ logger: false });
app.get('/orders/:id', async () => payload);
app.get('/computed/orders/:id', async (request) => ({ ...payload, id: request.params.id }));
await app.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' });
console.log(`listening http://127.0.0.1:${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
