/**
 * How a subscription learns where to write its own frames. tRPC's WebSocket adapter never tells a
 * procedure the JSON-RPC `id` of its subscription, but it hands every envelope it sends to the
 * `experimental_encoder`. So the first event a subscription yields carries a "frame sink" under a
 * symbol key (which JSON leaves out), and `frameSinkEncoder` calls it with the envelope's `id`
 * and `jsonrpc` while encoding that event.
 *
 * The adapter (@trpc/server 11.22.1, adapters/ws) encodes and sends a yielded value before it asks
 * the generator for the next one, so when the generator resumes after that `yield`, it knows
 * whether its sink was called, and the event has been sent ahead of anything it writes itself.
 */

/** The JSON-RPC address of one subscription on one socket, as the client sent it. */
export interface SubscriptionAddress {
  id: string | number;
  jsonrpc: "2.0" | undefined;
}

/** The socket a subscription came over (a `ws` WebSocket), as far as writing frames to it goes. */
export interface FrameSocket {
  /** The WebSocket ready state: frames are written only while it is `SOCKET_OPEN`. */
  readonly readyState: number;
  send(frame: string): void;
}

/** `WebSocket.OPEN`, in every WebSocket implementation. */
export const SOCKET_OPEN = 1;

type FrameSink = (address: SubscriptionAddress) => void;

const frameSinkKey = Symbol("herald.frameSink");

interface SinkCarrier {
  [frameSinkKey]?: FrameSink;
}

/** Marks `event` so that the encoder reports its subscription's address to `sink`. */
export function withFrameSink<T extends object>(event: T, sink: FrameSink): T {
  // Not enumerable: server-side callers and test matchers see the event exactly as before.
  Object.defineProperty(event, frameSinkKey, { value: sink, enumerable: false });
  return event;
}

interface Envelope {
  id?: string | number | null;
  jsonrpc?: "2.0";
  result?: { data?: { data?: SinkCarrier | null } | null };
}

/** tRPC's default JSON encoding, plus the frame-sink handshake. */
export const frameSinkEncoder = {
  encode(envelope: unknown): string {
    const { id, jsonrpc, result } = envelope as Envelope;
    // A tracked event's payload sits at `result.data.data`; most envelopes stop earlier.
    const sink = result?.data?.data?.[frameSinkKey];
    if (sink && id !== undefined && id !== null) sink({ id, jsonrpc });
    return JSON.stringify(envelope);
  },
  decode(data: string | ArrayBuffer | Uint8Array): unknown {
    if (typeof data !== "string") throw new Error("Herald speaks JSON in text frames; got a binary frame");
    return JSON.parse(data);
  },
};
