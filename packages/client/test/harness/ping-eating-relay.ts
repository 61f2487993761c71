/**
 * A WebSocket relay between a client and a Herald server that swallows the server's keep-alive
 * `PING`s, as some proxies do (they answer pings themselves, or drop idle frames). Through it the
 * server hears from a client only what the client sends of its own accord, so a connection
 * survives past the TTL only if the client's heartbeat works. It counts the heartbeats it passes.
 */
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer, type RawData } from "ws";

export interface RelayStats {
  /** Client connections accepted so far (a reconnect makes it 2). */
  connections: number;
  /** Of those, still open. */
  open: number;
  /** `presence.heartbeat` calls passed to the server. */
  heartbeats: number;
}

export interface PingEatingRelay {
  url: string;
  stats(): RelayStats;
  close(): Promise<void>;
}

export async function startPingEatingRelay(serverPort: number): Promise<PingEatingRelay> {
  const stats: RelayStats = { connections: 0, open: 0, heartbeats: 0 };
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", resolve));

  wss.on("connection", (client) => {
    stats.connections++;
    stats.open++;
    const upstream = new WebSocket(`ws://127.0.0.1:${serverPort}/trpc`);
    const waiting: string[] = [];
    client.on("message", (data: RawData) => {
      const text = data.toString();
      stats.heartbeats += heartbeatCalls(text);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else waiting.push(text);
    });
    upstream.on("open", () => {
      for (const text of waiting.splice(0)) upstream.send(text);
    });
    upstream.on("message", (data: RawData) => {
      const text = data.toString();
      if (text !== "PING") client.send(text);
    });
    upstream.on("close", (code, reason) => closeWith(client, code, reason.toString()));
    upstream.on("error", () => client.terminate());
    client.on("close", () => {
      stats.open--;
      closeWith(upstream, 1000, "");
    });
    client.on("error", () => upstream.terminate());
  });

  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** Passes a close code on where the protocol allows sending it (1005/1006 are only ever received). */
function closeWith(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  if (code === 1000 || (code >= 3000 && code <= 4999)) socket.close(code, reason);
  else socket.terminate();
}

function heartbeatCalls(text: string): number {
  try {
    const parsed: unknown = JSON.parse(text);
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return messages.filter((m) => (m as { params?: { path?: unknown } } | null)?.params?.path === "presence.heartbeat").length;
  } catch {
    return 0; // PING/PONG and other non-JSON text
  }
}
