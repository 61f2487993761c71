/** A socket speaking tRPC's wire protocol by hand, recording every frame per subscription id. */
import WebSocket from "ws";
import type { TestServer, TestUser } from "../src/testing/index.js";

export class RawSubscriber {
  readonly frames = new Map<string | number, string[]>();
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const text = data.toString();
      if (text === "PING") return;
      const { id } = JSON.parse(text) as { id: string | number };
      this.frames.set(id, [...(this.frames.get(id) ?? []), text]);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(server: TestServer, user: TestUser): Promise<RawSubscriber> {
    const socket = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ method: "connectionParams", data: { token: user.token } }));
    return new RawSubscriber(socket);
  }

  subscribe(id: string | number, jsonrpc?: "2.0", input?: unknown): void {
    this.send({ id, jsonrpc, method: "subscription", params: { path: "presence.onChange", input } });
  }

  /** Sends `message` (one call, or an array of calls: a batch) as one frame. */
  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Waits until subscription `id` has received `count` frames. */
  async framesOf(id: string | number, count: number): Promise<string[]> {
    while ((this.frames.get(id)?.length ?? 0) < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.frames.get(id)!;
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.socket.once("close", resolve));
    this.socket.close();
    await closed;
  }
}
