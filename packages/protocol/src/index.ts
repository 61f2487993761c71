export * from "./protocol.js";
export { redactUrl } from "./redact-url.js";
export type { VisiblePresence, OwnPresence, RequestSummary, PendingRequests, PresenceEvent } from "./shapes.js";
