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
  /** How each connection ended, in order: who closed it, and the code. */
  closes: string[];
  /** What the latest connection sent as its `connectionParams`. */
  connectionParams: Record<string, unknown> | null;
}

export interface PingEatingRelay {
  url: string;
  stats(): RelayStats;
  close(): Promise<void>;
}

export async function startPingEatingRelay(serverPort: number): Promise<PingEatingRelay> {
  const stats: RelayStats = { connections: 0, open: 0, heartbeats: 0, closes: [], connectionParams: null };
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", resolve));

  wss.on("connection", (client, request) => {
    stats.connections++;
    stats.open++;
    // The same path and query (tRPC's client announces `?connectionParams=1` there).
    const upstream = new WebSocket(`ws://127.0.0.1:${serverPort}${request.url ?? "/"}`);
    const waiting: string[] = [];
    client.on("message", (data: RawData) => {
      const text = data.toString();
      stats.heartbeats += heartbeatCalls(text);
      stats.connectionParams = connectionParamsIn(text) ?? stats.connectionParams;
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
    upstream.on("close", (code, reason) => {
      stats.closes.push(`server ${code}`);
      closeWith(client, code, reason.toString());
    });
    upstream.on("error", () => client.terminate());
    client.on("close", (code) => {
      stats.closes.push(`client ${code}`);
      stats.open--;
      closeWith(upstream, 1000, "");
    });
    client.on("error", () => upstream.terminate());
  });

  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    stats: () => ({ ...stats, closes: [...stats.closes] }),
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

type Message = { method?: unknown; data?: unknown; params?: { path?: unknown } } | null;

/** The client's messages: one or a batch of JSON messages, or PING/PONG. */
function messagesIn(text: string): Message[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return (Array.isArray(parsed) ? parsed : [parsed]) as Message[];
  } catch {
    return [];
  }
}

function heartbeatCalls(text: string): number {
  return messagesIn(text).filter((m) => m?.params?.path === "presence.heartbeat").length;
}

function connectionParamsIn(text: string): Record<string, unknown> | null {
  const message = messagesIn(text).find((m) => m?.method === "connectionParams");
  return (message?.data as Record<string, unknown> | undefined) ?? null;
}
