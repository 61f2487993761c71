export { startHeraldServer } from "./server.js";
export type { HeraldServer } from "./server.js";
export type { ServerConfig } from "./env.js";
export { readEnv, ConfigError, configFromEnv } from "./env.js";
