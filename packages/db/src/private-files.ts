/**
 * Owner-only modes for a data directory: the embedded database's files hold every user's
 * password hash. PGlite's WASM file system creates files 0666 and directories 0755 whatever the
 * umask, so modes are restricted after it writes, and the directory itself is 0700 so that files
 * it creates later are out of other users' reach anyway.
 */
import { chmodSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

const GROUP_AND_OTHER = 0o077;

/**
 * Takes group and other permissions off `root` and everything below it (directories 0700, files
 * keep only their owner's bits: 0600). Symbolic links are not followed. Returns the paths whose
 * modes it changed.
 */
export function restrictToOwner(root: string): string[] {
  const changed: string[] = [];
  const visit = (path: string) => {
    let stats;
    try {
      stats = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // removed while we walked
      throw error;
    }
    if (stats.isSymbolicLink()) return;
    const mode = stats.mode & 0o777;
    const wanted = stats.isDirectory() ? 0o700 : mode & 0o700;
    if (mode & GROUP_AND_OTHER || (stats.isDirectory() && mode !== wanted)) {
      chmodSync(path, wanted);
      changed.push(path);
    }
    if (stats.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(root);
  return changed;
}
