/**
 * Writes a text message to a server-side WebSocket as one buffer, straight to its TCP socket.
 *
 * Why: every presence event is one small text frame, and `ws` sends each as two writes (the
 * header, then the text) corked into one `writev`, through the stream's buffering twice. One
 * buffer holding both is one plain write: in isolation ~1.3 µs less CPU per frame (4.75 → 3.5
 * µs), and the embedded server at 600 changes/s went from ~0.72 to ~0.65 of its core in four
 * alternating pairs (BENCHMARKS.md, session 10).
 *
 * The bytes are what `ws` sends (a server's frames are unmasked: FIN + text opcode, the length
 * in 7, 7+16 or 7+64 bits, the UTF-8 text; `test/text-frames.test.ts` compares them with ws's own
 * `Sender.frame`). Order is kept, as `ws` writes to the same socket in call order while nothing
 * is compressing, which is always here (permessage-deflate is off). Anything else — a socket not
 * open, an extension negotiated, no TCP socket — goes through `ws` as before.
 */
import type { Socket } from "node:net";
import { WebSocket } from "ws";

/** FIN (this frame is the whole message) | opcode 1 (text). */
const FIN_TEXT = 0x81;

/** The parts of `ws`'s WebSocket this reads that its typings keep private. */
interface WsInternals {
  _socket: Socket | null;
  /** The negotiated extensions by name (`ws`'s `extensions` getter joins their names into a new string on every read). */
  _extensions: Record<string, unknown>;
}

/** True when the frame was written; false leaves the message to `ws`. */
export function writeTextFrame(socket: WebSocket, text: string): boolean {
  const { _socket: tcp, _extensions: extensions } = socket as unknown as WsInternals;
  if (socket.readyState !== WebSocket.OPEN || hasAny(extensions) || !tcp) return false;
  tcp.write(textFrame(text));
  return true;
}

/** Whether `record` has a key, without listing them: this runs for every frame. */
function hasAny(record: Record<string, unknown>): boolean {
  for (const _ in record) return true;
  return false;
}

/** One unmasked text frame holding `text`. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2); // a JavaScript string never reaches 2^32 bytes
    frame.writeUInt32BE(length, 6);
  }
  frame.write(text, headerLength, "utf8");
  return frame;
}
