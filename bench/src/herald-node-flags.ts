import { SERVER_NODE_FLAGS } from "@herald/server/node-flags";

/**
 * The V8 flags `pnpm start` runs Herald with, then BENCH_SERVER_NODE_FLAGS: flags for Herald's
 * servers only, to A/B a setting (a later flag wins: `--concurrent-marking` undoes the default).
 */
export function heraldNodeFlags(): string[] {
  return [...SERVER_NODE_FLAGS, ...(process.env.BENCH_SERVER_NODE_FLAGS ?? "").split(" ").filter(Boolean)];
}
