// What no browser bundle of ours may hold (the web app's and the client SDK's bundle tests):
// server packages, the server workspace's code, and strings those packages cannot be bundled without.

export const SERVER_PACKAGES = [
  "drizzle-orm",
  "@electric-sql/pglite",
  "ioredis",
  "postgres",
  "pg",
  "pg-protocol",
  "pg-pool",
  "pino",
  "prom-client",
  "ws",
  "zod",
];

export const SERVER_WORKSPACE = ["packages/db/", "packages/presence/", "apps/server/"];

/** @type {Array<[string, RegExp]>} */
export const SERVER_TELLTALES = [
  ["drizzle-orm", /drizzle:entityKind|DrizzleError|drizzle-orm/],
  ["@electric-sql/pglite", /pglite/i],
  ["ioredis", /ioredis/i],
  ["postgres", /postgres\.js|PostgresError|postgres-js/i],
  ["pg", /pg-protocol|pgpass|pg-pool|node-postgres/i],
  ["the tRPC server", /initTRPC|createRouterFactory|applyWSSHandler/],
];

/** The npm package a bundled module's path belongs to (pnpm's store layout too), or null for our own files. */
export function packageOf(/** @type {string} */ path) {
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return match ? match[1] : null;
}
