/**
 * The client's live model, one part per hook. Each re-renders its component only when its part
 * changes (the server pushes every change: nothing here polls or refetches).
 */
import type { ConnectionState, Friend, FriendRequests, VisiblePresence } from "@herald/client";
import { useClientValue } from "./use-client-value.js";

/** Your friends with their presence, who is around first: online, away, dnd, then offline by last seen. */
export function useFriends(): readonly Friend[] {
  return useClientValue((client) => client.getFriends());
}

/** What you see of one friend; undefined for anyone who is not (or not yet known as) your friend. */
export function usePresence(userId: string): VisiblePresence | undefined {
  return useClientValue((client) => client.getPresence(userId));
}

/** Your pending friend requests, both ways, kept live by the server's `requests` events. */
export function useRequests(): FriendRequests {
  return useClientValue((client) => client.getRequests());
}

/** The socket's state: connecting, connected, reconnecting, too_many_connections, unauthorized or closed. */
export function useConnectionState(): ConnectionState {
  return useClientValue((client) => client.getConnection());
}

/**
 * False until the first snapshot and what goes with it (names, own presence, requests) arrived:
 * until then an empty friend list means "loading", not "no friends". Stays true while reconnecting.
 */
export function useSynced(): boolean {
  return useClientValue((client) => client.getState().synced);
}
