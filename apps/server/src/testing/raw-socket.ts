/** A WebSocket speaking tRPC's wire format by hand, for tests about what happens to the socket itself. */
import WebSocket from "ws";

export interface RawSocket {
  socket: WebSocket;
  /** Resolves with the close code and reason, whenever the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** The server's answer to an `auth.me` sent with `token` as connectionParams. */
  answer: string;
}

/**
 * Opens a socket that sends `token` (and `params`, e.g. a `device`) as its connectionParams;
 * resolves once a call on it was answered.
 */
export async function rawSocket(wsUrl: string, token: string, params: Record<string, unknown> = {}): Promise<RawSocket> {
  const socket = new WebSocket(`${wsUrl}?connectionParams=1`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket.send(JSON.stringify({ method: "connectionParams", data: { token, ...params } }));
  const answered = new Promise<string>((resolve) => socket.once("message", (data: Buffer) => resolve(data.toString())));
  socket.send(JSON.stringify({ id: 1, method: "query", params: { path: "auth.me" } }));
  return { socket, closed, answer: await answered };
}
