import type { IncomingMessage } from "node:http";

/** The peer address. Behind a proxy every client shares the proxy's: configure limits there. */
export function clientIpOf(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}
