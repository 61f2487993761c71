/**
 * One process at a time on an embedded database's directory. PGlite keeps the database's pages in
 * the memory of the process that opened it and takes no lock on its files, so two processes on
 * one DATA_DIR both start, each answers from its own memory, and after a restart the writes of
 * one of them are gone (found by hand: every sign-up answered by the second server was missing).
 *
 * The lock is a Unix socket that this process listens on, beside the directory. The kernel closes
 * it however the process ends, so a crash leaves only a socket file that nobody answers on, which
 * the next start replaces. A path-bound socket, unlike Linux's abstract ones, is also seen by a
 * process in another container that shares the volume. Left open: two processes that find the
 * same dead lock at the same instant may both replace it.
 */
import { chmodSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { relative } from "node:path";

export class DirectoryInUseError extends Error {
  override name = "DirectoryInUseError";
}

/** A Unix socket's path holds 108 bytes on Linux and 104 on macOS, its closing NUL included. */
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * Takes the lock on `dir` (its socket is `<dir>.lock`) and returns what releases it. Throws
 * DirectoryInUseError while another process holds it.
 */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  // Windows listens on named pipes, not files beside a directory: no lock there.
  if (process.platform === "win32") return async () => {};
  const lockPath = `${dir}.lock`;
  // The shorter of the two names the same file: a deep absolute path may not fit a socket's.
  const fromHere = relative(process.cwd(), lockPath);
  const path = fromHere.length < lockPath.length ? fromHere : lockPath;
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `the embedded database's lock ${lockPath} has a path longer than a Unix socket's ${MAX_SOCKET_PATH_BYTES} bytes: choose a shorter DATA_DIR`,
    );
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const server = await listen(path);
      return () => new Promise<void>((resolve) => server.close(() => resolve()));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt > 1) throw error;
      if (await answers(path)) {
        throw new DirectoryInUseError(
          `the embedded database in ${dir} is open in another process (it answers on ${lockPath}): PGlite can be open in one process only. Stop that process, give this one another DATA_DIR, or point every server at PostgreSQL with DATABASE_URL`,
        );
      }
      removeStale(path); // left by a process that died: nobody listens on it
    }
  }
}

function listen(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Whoever connects only wants to know that this process holds the lock.
    const server = createServer((socket) => socket.destroy());
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      chmodSync(path, 0o600); // as every file of the directory it guards (private-files.ts)
      server.unref(); // the lock never keeps the process alive
      resolve(server);
    });
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function removeStale(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
