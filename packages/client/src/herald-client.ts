/**
 * `createHeraldClient`: one signed-in device. Builds and owns everything it runs — the socket,
 * the feed, the heartbeat, the state — and `close()` ends them all (DESIGN.md: ownership at the
 * composition root, nothing in module-level maps).
 */
import { createTRPCClient, wsLink } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import { CHOSEN_STATUSES, LAST_SEEN_LEVELS } from "@herald/protocol";
import type { HeraldClient, HeraldClientOptions } from "./api.js";
import { closedGuardLink } from "./closed-guard-link.js";
import type { ConnectionState } from "./connection-state.js";
import { startFeed } from "./feed.js";
import { createHeartbeat } from "./heartbeat.js";
import { checkOptions } from "./options.js";
import { EMPTY_MODEL, type PresenceModel } from "./presence-model.js";
import { openSocket } from "./socket.js";
import { StateStore } from "./state-store.js";
import type { ChosenStatus, OwnPresence } from "./types.js";

export function createHeraldClient(options: HeraldClientOptions): HeraldClient {
  const { urls, token, device, WebSocket } = checkOptions(options);
  let model: PresenceModel = EMPTY_MODEL;
  const store = new StateStore({ status: "connecting", attempt: 0 }, model);

  // Called back by the socket, never while it is being built (it connects asynchronously), so the
  // heartbeat and feed below exist by the time this runs.
  const onConnection = (connection: ConnectionState) => {
    store.update({ connection });
    if (connection.status === "connected") heartbeat.start();
    else heartbeat.stop();
    if (connection.status === "closed" || connection.status === "unauthorized") feed.stop();
  };
  const socket = openSocket({ url: urls.ws, token, device, WebSocket, onState: (state) => onConnection(state) });
  const trpc = createTRPCClient<AppRouter>({ links: [closedGuardLink(socket.state), wsLink<AppRouter>({ client: socket.ws })] });
  const heartbeat = createHeartbeat(() => trpc.presence.heartbeat.mutate());
  const feed = startFeed({
    trpc,
    socket,
    model: () => model,
    setModel(next, synced) {
      model = next;
      store.update({ friends: next.friends, own: next.own, requests: next.requests, ...(synced ? { synced } : {}) });
    },
  });

  const keepOwn = (own: OwnPresence) => {
    feed.noteOwn(own);
    return own;
  };

  return {
    trpc,
    getState: () => store.get(),
    getConnection: () => store.get().connection,
    getFriends: () => store.get().friends,
    getPresence: (userId) => model.presences.get(userId),
    getOwnPresence: () => store.get().own,
    getRequests: () => store.get().requests,
    subscribe: (listener) => store.subscribe(listener),

    async setStatus(status, { message, visibleTo, until } = {}) {
      checkStatus(status);
      return keepOwn(
        await trpc.presence.setStatus.mutate({
          status,
          ...(message !== undefined ? { message } : {}),
          ...(visibleTo !== undefined ? { visibleTo } : {}),
          ...(until !== undefined ? { until: instantOf(until) } : {}),
        }),
      );
    },
    async setMessage(message) {
      // The message alone: a status sent along may be stale (changed on another device, or an
      // automatic away) and would be applied again. An empty message is no message (docs/protocol.md §1).
      return keepOwn(await trpc.presence.setStatus.mutate({ message }));
    },
    async setVisibility(visibleTo) {
      return keepOwn(await trpc.presence.setVisibility.mutate({ visibleTo }));
    },
    async setIdle(idle) {
      if (typeof idle !== "boolean") throw new TypeError("Herald: setIdle(idle) needs true or false");
      return keepOwn(await trpc.presence.setIdle.mutate({ idle }));
    },
    async setLastSeenPrivacy(level, exceptions) {
      if (!(LAST_SEEN_LEVELS as readonly unknown[]).includes(level)) {
        throw new TypeError(`Herald: last-seen level must be one of ${LAST_SEEN_LEVELS.join(", ")}; got ${JSON.stringify(level)}`);
      }
      return keepOwn(await trpc.presence.setLastSeenPrivacy.mutate({ level, ...(exceptions !== undefined ? { exceptions } : {}) }));
    },
    preview: (friendId) => trpc.presence.preview.query({ friendId }),
    requestFriend: (username) => trpc.friends.request.mutate({ username }),
    async acceptFriend(userId) {
      await trpc.friends.accept.mutate({ userId });
    },
    async removeFriend(userId) {
      await trpc.friends.remove.mutate({ userId });
    },

    async close() {
      heartbeat.stop();
      feed.stop();
      await socket.end({ status: "closed" });
    },
  };
}

/** `until` as the server takes it: a Date becomes its ISO-8601 instant; a string goes as it is (the server checks it). */
function instantOf(until: Date | string | null): string | null {
  if (!(until instanceof Date)) return until;
  if (Number.isNaN(until.getTime())) throw new TypeError("Herald: setStatus's until is an invalid Date");
  return until.toISOString();
}

function checkStatus(status: unknown): asserts status is ChosenStatus {
  if (!(CHOSEN_STATUSES as readonly unknown[]).includes(status)) {
    throw new TypeError(`Herald: status must be one of ${CHOSEN_STATUSES.join(", ")}; got ${JSON.stringify(status)}`);
  }
}
