/** The server half of `embedded-rss.ts`: an embedded Herald (PGlite in argv[2], in-memory store). */
import { startTestServer } from "@herald/server/testing";

const server = await startTestServer({ dataDir: process.argv[2]!, rateLimits: false });
process.send?.({ url: server.url, wsUrl: server.wsUrl });
