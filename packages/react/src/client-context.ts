/** The HeraldClient that HeraldProvider gives the hooks below it. */
import { createContext, useContext } from "react";
import type { HeraldClient } from "@herald/client";

export const HeraldClientContext = createContext<HeraldClient | null>(null);

/** The provider's client, for what the hooks do not cover (e.g. `close()`, `getState()`). */
export function useHeraldClient(): HeraldClient {
  const client = useContext(HeraldClientContext);
  if (!client) throw new Error("Herald: this hook needs a <HeraldProvider> above it");
  return client;
}
