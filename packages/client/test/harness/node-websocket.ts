/**
 * Node 20 has no global WebSocket (Node 22 does): the Node project gives the suite `ws`'s, so the
 * test files are the same as in Chromium. Passing `WebSocket` explicitly is tested in options.test.ts.
 */
import { WebSocket } from "ws";

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
