/**
 * The client's address, for per-address abuse limits. Without `TRUSTED_PROXIES` it is the TCP
 * peer, and X-Forwarded-For is ignored (anyone can write it). With it, a request whose peer is
 * inside one of those CIDRs is a proxy's: its X-Forwarded-For chain is read from the right,
 * skipping our own proxies, and the right-most address that is not one of them is the client.
 * Addresses further left were written by the client itself and are never believed.
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

export type ClientIpOf = (req: IncomingMessage) => string | null;

interface Cidr {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address (`/32` or `/128`); null if it is none of those. */
export function parseCidr(text: string): Cidr | null {
  const [rawAddress, prefixText, ...rest] = text.trim().split("/");
  if (rest.length > 0 || !rawAddress) return null;
  const address = unmapIPv4(rawAddress);
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** `TRUSTED_PROXIES`' comma-separated list, split and trimmed (empty items dropped). */
export function splitCidrList(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) is `1.2.3.4`. */
function unmapIPv4(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/** An address as a proxy may write it: bare, `[v6]:port`, or `v4:port`; null if it is not one. */
function hopAddress(text: string): string | null {
  let hop = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed) hop = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(hop)) hop = hop.slice(0, hop.lastIndexOf(":"));
  hop = unmapIPv4(hop);
  return isIP(hop) === 0 ? null : hop;
}

export function createClientIpResolver(trustedProxies: readonly string[] = []): ClientIpOf {
  const peerOf = (req: IncomingMessage) => (req.socket.remoteAddress ? unmapIPv4(req.socket.remoteAddress) : null);
  if (trustedProxies.length === 0) return peerOf;
  const list = new BlockList();
  for (const text of trustedProxies) {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`not a CIDR: ${JSON.stringify(text)}`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  const trusted = (ip: string) => list.check(ip, isIP(ip) === 4 ? "ipv4" : "ipv6");
  return (req) => {
    const peer = peerOf(req);
    if (!peer || !trusted(peer)) return peer;
    const header = req.headers["x-forwarded-for"];
    const chain = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",");
    let client = peer;
    for (let i = chain.length - 1; i >= 0; i--) {
      const hop = hopAddress(chain[i]!);
      // Garbage where our own proxy should have written an address: believe no further.
      if (hop === null) break;
      client = hop;
      if (!trusted(hop)) break;
    }
    return client;
  };
}

/** The peer address, ignoring X-Forwarded-For (no trusted proxies). */
export const clientIpOf: ClientIpOf = createClientIpResolver();
