/**
 * Binds a part of the client's model to React with `useSyncExternalStore`. The client's getters
 * return the same object until that part changes, so a component re-renders only when what it
 * reads really changed, and every component reads the same state in one render (no tearing).
 */
import { useCallback, useSyncExternalStore } from "react";
import type { HeraldClient } from "@herald/client";
import { useHeraldClient } from "./client-context.js";

export function useClientValue<T>(read: (client: HeraldClient) => T): T {
  const client = useHeraldClient();
  const subscribe = useCallback((onChange: () => void) => client.subscribe(() => onChange()), [client]);
  const snapshot = () => read(client);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
