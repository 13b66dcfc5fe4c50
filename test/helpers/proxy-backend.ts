import { once } from 'node:events';
import http from 'node:http';

/**
 * The real service behind the proxies of test/fixtures/mountebank/proxies.json (as it was when the
 * answers were recorded from mountebank): it answers JSON naming the method, path, query, body, an
 * injected header and how often it saw this method and path (`call`, also in `x-backend`);
 * `GET /__reset` starts the counts again, `/status/<code>` answers that status.
 */
export async function startProxyBackend(): Promise<{ url: string; reset: () => Promise<void>; close: () => Promise<void> }> {
  const calls = new Map<string, number>();
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://backend');
      if (url.pathname === '/__reset') {
        calls.clear();
        response.end('reset');
        return;
      }
      const key = `${request.method} ${url.pathname}`;
      const call = (calls.get(key) ?? 0) + 1;
      calls.set(key, call);
      const status = url.pathname.startsWith('/status/') ? Number(url.pathname.slice('/status/'.length)) : 200;
      const answer = { method: request.method, path: url.pathname, query: url.search, call, body, injected: request.headers['x-injected'] ?? null };
      response.writeHead(status, { 'content-type': 'application/json', 'x-backend': `call ${call}` });
      response.end(JSON.stringify(answer));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    reset: async () => {
      await fetch(`${url}/__reset`);
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
