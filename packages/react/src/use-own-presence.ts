/**
 * Your own presence, live (a change made on another device shows here too), with typed setters.
 * Each setter is a TanStack Query mutation on the client's method, so a component gets
 * `isPending` and `error` as with any `useMutation`, and the client's model takes the answer at once.
 */
import { useMutation, type UseMutationResult } from "@tanstack/react-query";
import type { ChosenStatus, LastSeenLevel, OwnPresence, SetStatusOptions } from "@herald/client";
import { useHeraldClient } from "./client-context.js";
import { useClientValue } from "./use-client-value.js";

export type SetStatusInput = SetStatusOptions & { status: ChosenStatus };
/** Who sees your exact last seen (docs/protocol.md §9.3); omitted exceptions are kept. */
export interface SetLastSeenPrivacyInput {
  level: LastSeenLevel;
  exceptions?: Record<string, LastSeenLevel> | undefined;
}

export interface OwnPresenceControls {
  /** Status, message, allow-list, live connections, last seen; null until first known. */
  own: OwnPresence | null;
  /**
   * `setStatus.mutate({ status, message?, visibleTo?, until? })`: an omitted field keeps its value;
   * `until` (a Date or ISO-8601 instant) ends this status, and a message given with it, by itself.
   */
  setStatus: UseMutationResult<OwnPresence, Error, SetStatusInput>;
  /** `setMessage.mutate(text)`, `null` (or only spaces) clears it. Changes the message alone, never the status. */
  setMessage: UseMutationResult<OwnPresence, Error, string | null>;
  /** `setVisibility.mutate(friendIds)`: who still sees you online while you are invisible. */
  setVisibility: UseMutationResult<OwnPresence, Error, string[]>;
  /** `setIdle.mutate(idle)`: auto-away (useAutoAway does this for you). */
  setIdle: UseMutationResult<OwnPresence, Error, boolean>;
  /** `setLastSeenPrivacy.mutate({ level, exceptions? })`: who sees your exact last seen. */
  setLastSeenPrivacy: UseMutationResult<OwnPresence, Error, SetLastSeenPrivacyInput>;
}

export function useOwnPresence(): OwnPresenceControls {
  const client = useHeraldClient();
  const own = useClientValue((c) => c.getOwnPresence());
  const setStatus = useMutation({
    mutationKey: ["herald", "setStatus"],
    mutationFn: ({ status, ...options }: SetStatusInput) => client.setStatus(status, options),
  });
  const setMessage = useMutation({
    mutationKey: ["herald", "setMessage"],
    mutationFn: (message: string | null) => client.setMessage(message),
  });
  const setVisibility = useMutation({
    mutationKey: ["herald", "setVisibility"],
    mutationFn: (visibleTo: string[]) => client.setVisibility(visibleTo),
  });
  const setIdle = useMutation({ mutationKey: ["herald", "setIdle"], mutationFn: (idle: boolean) => client.setIdle(idle) });
  const setLastSeenPrivacy = useMutation({
    mutationKey: ["herald", "setLastSeenPrivacy"],
    mutationFn: ({ level, exceptions }: SetLastSeenPrivacyInput) => client.setLastSeenPrivacy(level, exceptions),
  });
  return { own, setStatus, setMessage, setVisibility, setIdle, setLastSeenPrivacy };
}
