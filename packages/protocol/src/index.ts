export * from "./protocol.js";
export { redactUrl } from "./redact-url.js";
export type { VisiblePresence, OwnPresence, LastSeenPrivacy, RequestSummary, PendingRequests, PresenceEvent } from "./shapes.js";
