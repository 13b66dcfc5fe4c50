// A baseline for contract answers: a bare fastify server answering one route with the JSON in the file
// BENCH_BODY (e.g. what the mock answered), so a mock's rate is compared with a server sending the same bytes.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = JSON.parse(readFileSync(process.env.BENCH_BODY, 'utf8'));
const app = Fastify({ logger: false });
app.get(process.env.BENCH_ROUTE ?? '/*', async () => body);
await app.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' });
console.log(`listening http://127.0.0.1:${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
