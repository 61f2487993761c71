/**
 * A Herald server process for the benchmark: `startHeraldServer` with the config given as JSON
 * in argv[2] (so the bench can set a Redis key prefix), answering the control channel.
 */
import { startHeraldServer, type ServerConfig } from "@herald/server";
import { answerControl } from "./server-control.js";

const config = JSON.parse(process.argv[2] ?? "{}") as ServerConfig;
const server = await startHeraldServer(config);
answerControl(() => server.close());
process.stdout.write(`listening on ${server.url}\n`);
process.send?.({ type: "ready", url: server.url, pid: process.pid, metricsUrl: server.metricsUrl });
