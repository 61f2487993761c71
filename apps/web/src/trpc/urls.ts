/** Where the API lives: the same origin that served the page (`pnpm dev` proxies it). */

export function trpcHttpUrl(location: Pick<Location, "origin">): string {
  return `${location.origin}/trpc`;
}

export function trpcWsUrl(location: Pick<Location, "protocol" | "host">): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/trpc`;
}
