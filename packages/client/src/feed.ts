/**
 * The `presence.onChange` subscription and what keeps the model whole around it.
 *
 * Events carry ids and presence only, so after every snapshot (each (re)subscribe starts with
 * one, and the server may send another after re-synchronising) the names (`friends.list`), your
 * own presence (`presence.me`) and your requests (`friends.requests`) are read again: anything may
 * have changed while the socket was down. An answer older than an event on the same subject is
 * dropped (the versions below), since events are always the newer word.
 */
import { TRPCClientError } from "@trpc/client";
import { applyEvent, unnamedFriendIds, withNames, withOwn, withRequests, type PresenceModel } from "./presence-model.js";
import type { Socket } from "./socket.js";
import type { HeraldTRPCClient, OwnPresence, PresenceEvent } from "./types.js";
import { reconnectDelayMs } from "./reconnect-delay.js";

/** A follow-up read failed while the socket stayed up (a server hiccup): try again after this long. */
const RESYNC_RETRY_MS = 1_000;

export interface FeedOptions {
  trpc: HeraldTRPCClient;
  socket: Socket;
  model: () => PresenceModel;
  /** `synced` is given once the first snapshot's follow-up reads are in. */
  setModel: (model: PresenceModel, synced?: true) => void;
}

export interface Feed {
  /** Your own presence as a mutation answered it. */
  noteOwn(own: OwnPresence): void;
  stop(): void;
}

export function startFeed({ trpc, socket, model, setModel }: FeedOptions): Feed {
  let stopped = false;
  let ownVersion = 0;
  let requestsVersion = 0;
  /** Bumped by every snapshot: follow-ups of an older snapshot neither retry nor mark the model synced. */
  let snapshotGeneration = 0;
  let namesInFlight: Promise<void> | null = null;
  let resubscribeAttempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let cancelWait = () => {};
  let subscription: { unsubscribe(): void } | null = null;

  const update = (next: PresenceModel, synced?: true) => {
    if (!stopped) setModel(next, synced);
  };

  /** A `friend_added` came while a names read was under way, which may predate the friendship. */
  let namesStale = false;
  const readNames = (): Promise<void> => {
    if (namesInFlight) {
      namesStale = true;
      return namesInFlight;
    }
    namesStale = false;
    namesInFlight = trpc.friends.list.query().then(
      (friends) => {
        namesInFlight = null;
        update(withNames(model(), friends));
        if (namesStale && unnamedFriendIds(model()).length > 0) return readNames();
      },
      (error: unknown) => {
        namesInFlight = null;
        throw error;
      },
    );
    return namesInFlight;
  };

  const readOwn = async () => {
    const version = ownVersion;
    const own = await trpc.presence.me.query();
    if (version === ownVersion) update(withOwn(model(), own));
  };

  const readRequests = async () => {
    const version = requestsVersion;
    const requests = await trpc.friends.requests.query();
    if (version === requestsVersion) update(withRequests(model(), requests));
  };

  const resync = (generation: number) => {
    Promise.all([readNames(), readOwn(), readRequests()]).then(
      () => {
        if (generation === snapshotGeneration) update(model(), true);
      },
      () => {
        // A dropped socket brings a new snapshot (and so a new resync) once back; retry only a server error.
        if (generation !== snapshotGeneration || stopped || socket.state().status !== "connected") return;
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => resync(generation), RESYNC_RETRY_MS);
      },
    );
  };

  const onEvent = (event: PresenceEvent) => {
    if (event.type === "self") ownVersion++;
    if (event.type === "requests") requestsVersion++;
    update(applyEvent(model(), event));
    if (event.type === "snapshot") resync(++snapshotGeneration);
    // A friend we have no name for (someone never seen in our request lists): the list has it.
    else if (event.type === "friend_added" && unnamedFriendIds(model()).length > 0) readNames().catch(() => undefined);
  };

  const subscribe = () => {
    subscription = trpc.presence.onChange.subscribe(undefined, {
      onStarted: () => {
        resubscribeAttempt = 0;
        socket.markLive();
      },
      onData: ({ data }) => {
        socket.markLive();
        onEvent(data);
      },
      onError: (error) => {
        subscription = null;
        if (stopped) return;
        if (error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED") {
          void socket.end({ status: "unauthorized", reason: error.message });
          return;
        }
        // tRPC ends a subscription on an error. A server error is retried after a pause; a
        // transport error (the socket closed under a call, no `data`) once the socket is back.
        const pause = error.data ? Math.max(RESYNC_RETRY_MS, reconnectDelayMs(++resubscribeAttempt)) : 0;
        retryTimer = setTimeout(() => {
          cancelWait = socket.whenOpen(subscribe);
        }, pause);
      },
    });
  };
  subscribe();

  return {
    noteOwn(own) {
      ownVersion++;
      update(withOwn(model(), own));
    },
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      cancelWait();
      subscription?.unsubscribe();
    },
  };
}
