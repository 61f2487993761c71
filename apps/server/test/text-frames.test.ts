/**
 * Text messages the server writes as one buffer (text-frames.ts) must be, byte for byte and in
 * order, what `ws` would have sent: any difference corrupts every client's stream.
 */
import { once } from "node:events";
import { connect as connectTcp } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import * as wsModule from "ws";
import { heraldSocketClass } from "../src/herald-socket.js";
import { textFrame } from "../src/text-frames.js";

/** ws's own framing of a server message (its typings omit `Sender`, which it exports). */
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } };
function wsFrame(data: string | Buffer): Buffer {
  const binary = Buffer.isBuffer(data);
  const options = { fin: true, opcode: binary ? 2 : 1, mask: false, readOnly: false, rsv1: false };
  return Buffer.concat(Sender.frame(binary ? data : Buffer.from(data), options));
}

// Every length form (7, 16 and 64 bits) at its edges, and text whose bytes outnumber its characters.
const TEXTS = [
  "",
  "a",
  "x".repeat(125),
  "x".repeat(126),
  "ü".repeat(63), // 126 bytes from 63 characters
  "x".repeat(65535),
  "x".repeat(65536),
  "€".repeat(30000), // 90,000 bytes
  '{"id":1,"result":{"type":"data"}}',
];

describe("text frames written as one buffer", () => {
  it("are ws's frames byte for byte, at every length form", () => {
    for (const text of TEXTS) expect(textFrame(text).equals(wsFrame(text)), `${text.length} characters`).toBe(true);
  });

  let wss: WebSocketServer | null = null;
  afterEach(async () => {
    wss?.close();
    wss = null;
  });

  it("reach a client in the order sent, between messages that go through ws", async () => {
    wss = new WebSocketServer({ port: 0, perMessageDeflate: false, WebSocket: heraldSocketClass(() => {}, false) });
    await once(wss, "listening");
    const { port } = wss.address() as { port: number };
    // A raw client, so what is compared is the bytes on the wire, not what a client library parsed.
    const tcp = connectTcp(port, "127.0.0.1");
    await once(tcp, "connect");
    tcp.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const [server] = (await once(wss, "connection")) as [WebSocket];
    // Text without options goes as one buffer; a Buffer, or a send with a callback, goes through ws.
    const sends: Array<string | Buffer> = [];
    const sent = new Promise<void>((resolve) => {
      for (const [i, text] of TEXTS.entries()) {
        server.send(text);
        sends.push(text);
        if (i % 3 === 0) {
          const binary = Buffer.from([i, 0, 255]);
          server.send(binary);
          sends.push(binary);
          server.send(`through ws ${i}`, () => {});
          sends.push(`through ws ${i}`);
        }
      }
      server.send("last", () => resolve());
      sends.push("last");
    });
    const expected = Buffer.concat(sends.map(wsFrame));
    const received: Buffer[] = [];
    let receivedBytes = 0;
    let headersEnd = -1;
    const all = new Promise<Buffer>((resolve) => {
      tcp.on("data", (chunk: Buffer) => {
        received.push(chunk);
        receivedBytes += chunk.length;
        const bytes = Buffer.concat(received);
        if (headersEnd < 0) headersEnd = bytes.indexOf("\r\n\r\n");
        if (headersEnd >= 0 && receivedBytes - headersEnd - 4 >= expected.length) resolve(bytes.subarray(headersEnd + 4));
      });
    });
    await sent;
    const frames = await all;
    tcp.destroy();
    expect(frames.length).toBe(expected.length);
    expect(frames.equals(expected)).toBe(true);
  });

  it("go through ws, in order, when the client negotiated compression", async () => {
    wss = new WebSocketServer({ port: 0, perMessageDeflate: { threshold: 0 }, WebSocket: heraldSocketClass(() => {}, false) });
    await once(wss, "listening");
    const { port } = wss.address() as { port: number };
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: true });
    const [server] = (await once(wss, "connection")) as [WebSocket];
    expect(server.extensions).toContain("permessage-deflate");
    // ws compresses on zlib's thread pool, so a frame written straight to the socket would
    // overtake a compressed message sent before it (a send with a callback always goes through ws).
    const texts = ["x".repeat(200_000), "second", "y".repeat(50_000), "last"];
    const received: string[] = [];
    const all = new Promise<void>((resolve) => {
      client.on("message", (data: Buffer) => {
        received.push(data.toString());
        if (received.length === texts.length) resolve();
      });
    });
    for (const [i, text] of texts.entries()) {
      if (i % 2 === 0) server.send(text, () => {});
      else server.send(text);
    }
    await all;
    client.close();
    expect(received.map((text) => text.slice(0, 10))).toEqual(texts.map((text) => text.slice(0, 10)));
    expect(received).toEqual(texts);
  });
});
