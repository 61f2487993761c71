/**
 * A HeraldClient made from options and owned by the component: made in an effect (so React's
 * StrictMode double mount makes and closes one, never leaks one), closed on unmount, and made
 * anew when the options change by value (url, token, device, WebSocket class).
 *
 * In a browser the page's life matters too: on `pagehide` the socket is closed at once rather
 * than whenever the browser gets round to it (friends see no flicker on a reload: the server
 * waits out its offline grace), and a page restored from the back/forward cache gets a new client.
 */
import { useEffect, useState } from "react";
import { createHeraldClient, type HeraldClient, type HeraldClientOptions } from "@herald/client";

interface Owned {
  client: HeraldClient;
  madeFrom: readonly unknown[];
}

/** Null until the client for the current options exists (one effect later), or when `options` is null. */
export function useOwnedClient(options: HeraldClientOptions | null): HeraldClient | null {
  const { url, token, device, WebSocket } = options ?? {};
  const [restored, setRestored] = useState(0);
  const [owned, setOwned] = useState<Owned | null>(null);

  useEffect(() => {
    if (url === undefined || token === undefined) return;
    const client = createHeraldClient({ url, token, device, WebSocket });
    setOwned({ client, madeFrom: [url, token, device, WebSocket, restored] });
    const page = pageEvents();
    const onPageHide = () => void client.close();
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) setRestored((n) => n + 1);
    };
    page?.addEventListener("pagehide", onPageHide);
    page?.addEventListener("pageshow", onPageShow);
    return () => {
      page?.removeEventListener("pagehide", onPageHide);
      page?.removeEventListener("pageshow", onPageShow);
      void client.close();
    };
  }, [url, token, device, WebSocket, restored]);

  // Until the client for *these* options exists, none rather than the last one (it is closing).
  if (!options || !owned || !sameValues(owned.madeFrom, [url, token, device, WebSocket, restored])) return null;
  return owned.client;
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/** The window, where there is one with page lifecycle events (not in React Native or on a server). */
function pageEvents(): Window | null {
  return typeof window !== "undefined" && typeof window.addEventListener === "function" ? window : null;
}
