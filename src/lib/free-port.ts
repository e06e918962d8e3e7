import { createServer } from 'node:net';

/** A TCP port free on loopback at this instant (the kernel's pick), for a server started next. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Holds a TCP port the process will serve on, from start-up until its server listens there. A port in
 * the kernel's ephemeral range (32768-60999 on Linux) can otherwise be taken as the local end of an
 * outgoing connection made first (the database's, the migrations'), and the listen fails with
 * EADDRINUSE; a port held by a listening socket is never handed out that way. A port already in use
 * fails here, before the database starts. Connections arriving meanwhile are closed at once, as a
 * refused connection would be. `release` frees it for the real server, to listen next.
 */
export async function holdPort(port: number, host: string): Promise<{ release(): void }> {
  const holder = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.listen({ port, host, backlog: 1 }, resolve);
  });
  return { release: () => holder.close() };
}
