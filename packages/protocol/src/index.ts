export * from "./protocol.js";
export { redactUrl } from "./redact-url.js";
