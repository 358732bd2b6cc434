/**
 * @module A free loopback TCP port for a peer server that cannot listen on port 0 and report it
 * (distribution's `http.addr`). The port is free when returned; the tiny window before the peer
 * binds is accepted because every peer here binds 127.0.0.1 within a second.
 */
import { createServer, type AddressInfo } from 'node:net';

/** A port on 127.0.0.1 nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
