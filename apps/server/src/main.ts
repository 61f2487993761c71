/** `pnpm start`: read the config, start the server, stop cleanly on SIGTERM/SIGINT. */
import { configFromEnv, ConfigError, readEnv } from "./env.js";
import { startHeraldServer } from "./server.js";

async function main(): Promise<void> {
  const env = readEnv();
  const server = await startHeraldServer(configFromEnv(env));
  process.stdout.write(`listening on ${server.url}\n`);
  process.stdout.write(`metrics on ${server.metricsUrl}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    const forced = setTimeout(() => process.exit(1), 15_000);
    forced.unref();
    server.close().then(
      () => process.exit(0),
      (error) => {
        console.error("shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  console.error(`herald: failed to start: ${message}`);
  process.exit(1);
});
