import { connect, type Socket } from 'node:net';

/** A raw TCP client: what it received, and when the server closed the connection (ms after it was opened). */
export function rawClient(port: number): { socket: Socket; received: () => string; closed: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => {});
  const opened = Date.now();
  const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - opened)));
  return { socket, received: () => received, closed };
}
