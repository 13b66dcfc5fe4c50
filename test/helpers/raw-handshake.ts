import { request } from 'node:http';

/**
 * Sends a WebSocket handshake as written (a client library would not send a bad one) and resolves with
 * the HTTP answer that refused it: its status, headers and body.
 */
export function rawHandshake(
  url: string,
  headers: Record<string, string | undefined>,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const sent: Record<string, string> = { connection: 'Upgrade', upgrade: 'websocket' };
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) sent[name] = value;
  return new Promise((resolve, reject) => {
    const outgoing = request(url.replace(/^ws/, 'http'), { method, headers: sent });
    outgoing.on('upgrade', (_response, socket) => {
      socket.destroy();
      reject(new Error(`${url}: the handshake was accepted`));
    });
    outgoing.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** A well-formed Sec-WebSocket-Key (16 bytes, base64). */
export const GOOD_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
