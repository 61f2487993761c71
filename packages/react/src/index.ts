export { HeraldProvider } from "./herald-provider.js";
export type { HeraldProviderProps } from "./herald-provider.js";
export { useHeraldClient } from "./client-context.js";
export { useFriends, usePresence, useRequests, useConnectionState, useSynced } from "./model-hooks.js";
export { useOwnPresence } from "./use-own-presence.js";
export type { OwnPresenceControls, SetStatusInput } from "./use-own-presence.js";
export { useAutoAway } from "./use-auto-away.js";
export type { AutoAwayOptions } from "./use-auto-away.js";
export { useTRPC, useTRPCClient } from "./trpc.js";
