import { chmodSync } from 'node:fs';
import type { Server } from 'node:net';

/**
 * Opening a local socket for this user only: listen on a Unix socket (or a Windows named pipe) and,
 * on POSIX, set the socket file to 0600 at once. The private 0700 folder around it (runtimeDir.ts)
 * guards the moment between bind() and the chmod.
 */
export async function listenPrivately(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (process.platform !== 'win32') chmodSync(path, 0o600);
}
