/** Your own presence: the `presence.me` query and the mutations that change it. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/react";
import type { OwnPresence } from "../presence/types";

export function useOwnPresence() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.presence.me.queryOptions());
  // Every change answers with the new OwnPresence: show it at once, no refetch needed.
  const remember = (own: OwnPresence) => queryClient.setQueryData(trpc.presence.me.queryKey(), own);
  const setStatus = useMutation(trpc.presence.setStatus.mutationOptions({ onSuccess: remember }));
  const setVisibility = useMutation(trpc.presence.setVisibility.mutationOptions({ onSuccess: remember }));
  const setIdle = useMutation(trpc.presence.setIdle.mutationOptions({ onSuccess: remember }));
  return { me, setStatus, setVisibility, setIdle };
}
