/** Node 20 has no global WebSocket: without one passed in, the client says so; with `ws`'s, it works. */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createHeraldClient } from "../../src/index.js";
import { stateWhere } from "../harness/clients.js";
import { harness } from "../harness/harness.js";
import { useServer } from "../harness/server-per-file.js";

const server = useServer();
const global = globalThis as { WebSocket?: unknown };
const suiteWebSocket = global.WebSocket;
afterEach(() => {
  global.WebSocket = suiteWebSocket;
});

describe("on Node 20", () => {
  it("asks for a WebSocket class when there is no global one", () => {
    delete global.WebSocket;
    expect(() => createHeraldClient({ url: server.current.url, token: "t" })).toThrow(
      /no WebSocket here \(Node 20 has none built in\): pass one/,
    );
  });

  it("connects with the `ws` package's WebSocket passed in", async () => {
    delete global.WebSocket;
    const alice = await harness.signUp(server.current.id);
    const client = createHeraldClient({ url: server.current.url, token: alice.token, WebSocket });
    try {
      expect((await stateWhere(client, "synced", (s) => s.synced)).connection.status).toBe("connected");
    } finally {
      await client.close();
    }
  });
});
