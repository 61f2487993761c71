/** The socket's state, in the words the UI needs: is it up, coming up, or coming back? */
import { useEffect, useState } from "react";
import type { HeraldWsClient } from "../trpc/client";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "closed";

export function useConnectionState(ws: HeraldWsClient | null): ConnectionStatus {
  const [status, setStatus] = useState<ConnectionStatus>(ws ? "connecting" : "closed");
  useEffect(() => {
    if (!ws) {
      setStatus("closed");
      return;
    }
    let everConnected = false;
    const subscription = ws.connectionState.subscribe({
      next(state) {
        if (state.state === "pending") everConnected = true;
        setStatus(
          state.state === "pending" ? "connected" : state.state === "idle" ? "closed" : everConnected ? "reconnecting" : "connecting",
        );
      },
    });
    return () => subscription.unsubscribe();
  }, [ws]);
  return status;
}
