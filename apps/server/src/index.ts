export { startHeraldServer } from "./server.js";
export type { HeraldServer } from "./server.js";
export { attachHerald } from "./attach.js";
export type { AttachOptions, AttachedHerald } from "./attach.js";
export type { HeraldConfig, ServerConfig } from "./env.js";
export { readEnv, ConfigError, configFromEnv } from "./env.js";
