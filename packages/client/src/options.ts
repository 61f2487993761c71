/** `createHeraldClient`'s options, checked at once: a mistake here fails loudly, not as a silent reconnect loop. */
import type { Device, HeraldClientOptions, TokenSource, WebSocketConstructor } from "./api.js";
import { trpcUrls, type TrpcUrls } from "./urls.js";

const DEVICES: readonly Device[] = ["web", "desktop", "mobile"];

export interface CheckedOptions {
  urls: TrpcUrls;
  token: TokenSource;
  device: Device | undefined;
  WebSocket: WebSocketConstructor | undefined;
}

export function checkOptions(options: HeraldClientOptions): CheckedOptions {
  if (!options || typeof options !== "object") throw new TypeError("Herald: createHeraldClient needs { url, token }");
  const { url, token, device } = options;
  if (typeof url !== "string") throw new TypeError('Herald: url must be the server\'s base URL, such as "http://127.0.0.1:3000"');
  const urls = trpcUrls(url);
  if (!((typeof token === "string" && token !== "") || typeof token === "function")) {
    throw new TypeError("Herald: token must be a session token (a non-empty string) or a function returning one; sign in first (signIn)");
  }
  if (device !== undefined && !DEVICES.includes(device)) {
    throw new TypeError(`Herald: device must be one of ${DEVICES.map((d) => `"${d}"`).join(", ")}; got ${JSON.stringify(device)}`);
  }
  const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof WebSocket !== "function") {
    throw new TypeError(
      'Herald: no WebSocket here (Node 20 has none built in): pass one, e.g. `import WebSocket from "ws"` and { WebSocket }',
    );
  }
  return { urls, token, device, WebSocket: options.WebSocket };
}
