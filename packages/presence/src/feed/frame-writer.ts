/**
 * Writes `presence.onChange` events straight to a subscriber's socket, byte for byte as tRPC's
 * WebSocket adapter would send them, so the stock client cannot tell the difference. The frame
 * is built from cached pieces: the subscription's envelope head, and each shared view's JSON,
 * serialized once however many viewers receive it.
 */
import type { VisiblePresence } from "../types.js";
import type { PresenceEvent } from "./events.js";

/** The JSON-RPC address of one subscription on one socket, as the client sent it. */
export interface SubscriptionAddress {
  id: string | number;
  jsonrpc: "2.0" | undefined;
}

/**
 * A `presence.onChange` subscription served by a host that knows its address (apps/server's
 * subscription host). Its feed writes every frame itself and outlives the procedure's call: the
 * procedure returns once the feed has taken over, so an idle subscription holds no suspended
 * generator and no `AbortSignal` — the host ends it through `feed`, and hears of its end through
 * `ended`, whoever ended it.
 */
export interface HostedSubscription extends SubscriptionAddress {
  /** The host was asked to end it (the client stopped it, or its socket closed). */
  readonly stopRequested: boolean;
  /** Set by the procedure when the feed takes over; closing it ends the subscription. */
  feed: { close(): void } | null;
  /** Called once when the subscription has ended, after the feed took over. */
  ended(): void;
  /**
   * Set by the procedure: gives back what the subscription holds (its slot). The host calls it
   * when it forgets the subscription, also when it never ran the procedure's generator (the
   * socket closed, or the client stopped it, before `started`); calling it twice is harmless.
   */
  releaseOnForget: (() => void) | null;
}

/** The socket a subscription came over (a `ws` WebSocket), as far as writing frames to it goes. */
export interface FrameSocket {
  /** The WebSocket ready state: frames are written only while it is `SOCKET_OPEN`. */
  readonly readyState: number;
  send(frame: string): void;
}

/** `WebSocket.OPEN`, in every WebSocket implementation. */
export const SOCKET_OPEN = 1;

/** `tracked()` ids: unique per subscription, which is all a client needs (each starts with a snapshot). */
export class TrackedIds {
  private readonly prefix = `${Date.now().toString(36)}-`;
  private sequence = 0;

  /** Only `[0-9a-z-]`, so it can be spliced into JSON without escaping. */
  next(): string {
    return this.prefix + ++this.sequence;
  }
}

export class FrameWriter {
  private readonly head: string;

  constructor(
    private readonly socket: FrameSocket,
    address: SubscriptionAddress,
    private readonly ids: TrackedIds,
  ) {
    // What the adapter sends for `tracked(id, event)`: `{ id, jsonrpc, result }`, where `result`
    // is `{ type, data }` with `id` added last (see `respond` in @trpc/server's adapters/ws).
    const jsonrpc = address.jsonrpc === undefined ? "" : `,"jsonrpc":${JSON.stringify(address.jsonrpc)}`;
    // Joined rather than concatenated: `join` makes one flat string, where a template literal
    // leaves a tree of ~13 cons strings (~0.4 KiB) alive for the subscription's whole life.
    this.head = ['{"id":', JSON.stringify(address.id), jsonrpc, ',"result":{"type":"data","data":{"id":"'].join("");
  }

  /** Sends one event; nothing when the socket is no longer open. */
  write(event: PresenceEvent): void {
    if (this.socket.readyState !== SOCKET_OPEN) return;
    const id = this.ids.next();
    this.socket.send(`${this.head}${id}","data":${eventJson(event)}},"id":"${id}"}}`);
  }
}

/** `JSON.stringify(event)`, with each presence taken from the shared cache. */
function eventJson(event: PresenceEvent): string {
  switch (event.type) {
    case "update":
    case "friend_added":
      return `{"type":"${event.type}","presence":${presenceJson(event.presence)}}`;
    case "updates": {
      let json = `{"type":"updates","presences":[`;
      event.presences.forEach((presence, i) => {
        json += i === 0 ? presenceJson(presence) : `,${presenceJson(presence)}`;
      });
      return `${json}]}`;
    }
    default:
      return JSON.stringify(event);
  }
}

/** Views are shared by every viewer of their class (`sharedViewOf`) and never mutated. */
const jsonByView = new WeakMap<VisiblePresence, string>();

function presenceJson(view: VisiblePresence): string {
  let json = jsonByView.get(view);
  if (json === undefined) {
    json = JSON.stringify(view);
    jsonByView.set(view, json);
  }
  return json;
}
