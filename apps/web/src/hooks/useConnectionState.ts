/** The socket's state, in the words the UI needs: is it up, coming up, or coming back, and why. */
import { useEffect, useState } from "react";
import { CLOSE_TOO_MANY_CONNECTIONS } from "@herald/protocol";
import type { HeraldClient } from "../trpc/client";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "closed";

export interface ConnectionState {
  status: ConnectionStatus;
  /** Set while reconnecting because the server refused one connection too many. */
  tooManyConnections: boolean;
}

export function useConnectionState(client: HeraldClient | null): ConnectionState {
  const [state, setState] = useState<ConnectionState>({ status: client?.ws ? "connecting" : "closed", tooManyConnections: false });
  useEffect(() => {
    const ws = client?.ws;
    if (!client || !ws) {
      setState({ status: "closed", tooManyConnections: false });
      return;
    }
    let everConnected = false;
    const subscription = ws.connectionState.subscribe({
      next({ state }) {
        if (state === "pending") everConnected = true;
        const status: ConnectionStatus =
          state === "pending" ? "connected" : state === "idle" ? "closed" : everConnected ? "reconnecting" : "connecting";
        setState({ status, tooManyConnections: status !== "connected" && client.lastCloseCode() === CLOSE_TOO_MANY_CONNECTIONS });
      },
    });
    return () => subscription.unsubscribe();
  }, [client]);
  return state;
}
