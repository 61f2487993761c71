/**
 * Every tRPC call a page sends from now on, over its WebSocket or HTTP, as "method path"
 * ("query friends.requests", "mutation presence.heartbeat"): to check what the app asks the server,
 * e.g. that nothing is polled. Sockets opened before this was set up are not seen: reload the page after.
 */
import type { Page } from "playwright-core";

export interface SentCalls {
  /** Calls in the order sent. */
  readonly calls: string[];
}

export function recordSentCalls(page: Page): SentCalls {
  const calls: string[] = [];
  page.on("websocket", (socket) => {
    socket.on("framesent", ({ payload }) => {
      const text = String(payload);
      if (!text.startsWith("{") && !text.startsWith("[")) return; // PING/PONG
      const messages = JSON.parse(text) as unknown;
      for (const message of (Array.isArray(messages) ? messages : [messages]) as Array<{ method?: string; params?: { path?: string } }>) {
        if (message.params?.path) calls.push(`${message.method} ${message.params.path}`);
      }
    });
  });
  page.on("request", (request) => {
    const match = /\/trpc\/([^?]+)/.exec(request.url());
    if (match) calls.push(`${request.method() === "GET" ? "query" : "mutation"} ${match[1]}`);
  });
  return { calls };
}
