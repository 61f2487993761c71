/**
 * The seeding half of `embedded-rss.ts`: an embedded Herald (PGlite in argv[2], in-memory store)
 * with test-strength password hashing, so that 1,000 sign-ups take seconds. Its auth secret is
 * generated into the data directory (as `pnpm start` does), so the tokens it issues stay valid
 * for the built server that opens the same directory afterwards. It stops cleanly on "stop".
 */
import { startTestServer } from "@herald/server/testing";

const server = await startTestServer({ dataDir: process.argv[2]!, rateLimits: false, authSecret: undefined });
process.on("message", (message) => {
  if (message === "stop") void server.close().then(() => process.exit(0));
});
process.send?.({ url: server.url, wsUrl: server.wsUrl });
