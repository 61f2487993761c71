/**
 * DATA_DIR holds the embedded database (every password hash) and the generated auth secret:
 * the owner's only. Created 0700; a directory left readable or writable by others (an older
 * Herald created it 0755 with 0666 files) is tightened at start, and said so in the log.
 */
import { mkdirSync } from "node:fs";
import { restrictToOwner } from "@herald/db";
import type { Logger } from "pino";

export function prepareDataDir(dataDir: string, log: Logger): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tightened = restrictToOwner(dataDir);
  if (tightened.length > 0) {
    log.warn(
      { dataDir, tightened: tightened.length, paths: tightened.slice(0, 5) },
      "DATA_DIR was open to other users; restricted it to its owner (directories 0700, files 0600)",
    );
  }
}
