export { startHeraldServer } from "./server.js";
export type { HeraldServer } from "./server.js";
export type { ServerConfig } from "./config.js";
export { readEnv, ConfigError } from "./env.js";
export { configFromEnv } from "./config.js";
