/** Where the API lives below the server's base URL: `/trpc`, over HTTP and WebSocket (docs/protocol.md §3.1). */

export interface TrpcUrls {
  http: string;
  ws: string;
}

/** Both URLs of the API from a base URL such as `https://herald.example.com` or `http://127.0.0.1:3000/presence`. */
export function trpcUrls(baseUrl: string): TrpcUrls {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`Herald: url must be an absolute http(s):// URL such as "http://127.0.0.1:3000"; got ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `Herald: url must start with http:// or https:// (the WebSocket URL is derived from it); got ${JSON.stringify(baseUrl)}`,
    );
  }
  const path = `${url.pathname.replace(/\/+$/, "")}/trpc`;
  const http = `${url.origin}${path}`;
  const ws = `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}${path}`;
  return { http, ws };
}
