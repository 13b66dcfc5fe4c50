// The TLS baseline: bare fastify configured as mockstack serves a `tls: true` service (HTTP/2 by ALPN,
// HTTP/1.1 kept), answering the same JSON as bench/scenarios/rest-routes.ts, with a certificate made
// the way mockstack makes its own (so both sides pay for the same key size).
import { readFileSync } from 'node:fs';
import { TlsCache } from '@mockstack/runner';
import Fastify from 'fastify';

const payload = JSON.parse(readFileSync(new URL('../fixtures/payload.json', import.meta.url), 'utf8'));
const { cert, key } = new TlsCache().generated(new URL('../..', import.meta.url).pathname, ['127.0.0.1', 'localhost']);
const app = Fastify({ logger: false, http2: true, https: { allowHTTP1: true, cert, key } });
app.get('/orders/:id', async () => payload);
app.get('/computed/orders/:id', async (request) => ({ ...payload, id: request.params.id }));
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening https://127.0.0.1:${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
