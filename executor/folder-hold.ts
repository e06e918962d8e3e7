import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import net from 'node:net';

/**
 * An executor's exclusive hold on its folder, for as long as it runs. Two executors on one folder
 * would share one spool: each deletes at start the segments the other made ahead (all zeros), and
 * records the other then writes into them land in a file no longer in the folder, never sent, never
 * billed. So the second one must not start.
 *
 * The hold is a Linux abstract unix socket named after the folder's real path: binding one is
 * atomic, it leaves no file behind, and the kernel lets go of it when the process ends, however it
 * ends (a SIGKILL, a crash), so a hold is never stale. Its scope is the network namespace: executors
 * in containers of their own that share one folder do not see each other's. Other systems have no
 * abstract sockets; there (the executor's sandbox needs Linux anyway) nothing is held.
 */
export interface FolderHold {
  release(): Promise<void>;
}

/** The abstract socket's name for a folder (its real path): the same for every process. */
export function holdName(realDir: string): string {
  return `\0tally-executor-${createHash('sha256').update(realDir).digest('hex').slice(0, 40)}`;
}

export async function holdFolder(dir: string): Promise<FolderHold> {
  if (process.platform !== 'linux') return { release: async () => undefined };
  const real = await realpath(dir);
  // Anyone who connects (nothing should) is hung up on at once.
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `the executor folder ${real} is in use by another running executor: two executors must not share a folder (each spools its own usage); give each its own`,
            )
          : err,
      ),
    );
    server.listen(holdName(real), () => resolve());
  });
  server.unref();
  let released: Promise<void> | null = null;
  return { release: () => (released ??= new Promise<void>((resolve) => server.close(() => resolve()))) };
}
