import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** The first bytes of every HTTP/2 connection (RFC 9113 §3.4): h2c with prior knowledge. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Hands a connection to HTTP/2 when it opens with the h2 preface, else to HTTP/1.1, with the bytes
 * read so far. Node's HTTP/2 reads a net.Socket's handle directly (bytes put back with `unshift` would
 * be lost), so it gets a stream over the socket instead.
 */
export function sniff(socket: Socket, route: (h2: boolean, connection: Duplex) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const length = Math.min(seen.length, H2_PREFACE.length);
    const h2 = seen.subarray(0, length).equals(H2_PREFACE.subarray(0, length));
    if (h2 && length < H2_PREFACE.length) return; // could still be either: wait for more
    socket.off('data', onData);
    socket.pause();
    if (!h2) {
      socket.unshift(seen);
      route(false, socket);
      socket.resume();
      return;
    }
    const stream = new Duplex({
      read: () => socket.resume(),
      write: (data, encoding, callback) => socket.write(data, encoding, callback),
      final: (callback) => socket.end(callback),
      destroy: (error, callback) => {
        socket.destroy(error ?? undefined);
        callback(error);
      },
    });
    stream.push(seen);
    socket.on('data', (data: Buffer) => {
      if (!stream.push(data)) socket.pause();
    });
    socket.once('end', () => stream.push(null));
    socket.once('close', () => stream.destroy());
    route(true, stream);
  };
  socket.on('data', onData);
  socket.once('error', () => socket.destroy());
}
