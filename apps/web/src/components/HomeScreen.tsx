/** The signed-in app: your status, your friends live, requests and adding friends. */
import { useQuery } from "@tanstack/react-query";
import { isTRPCClientError } from "@trpc/client";
import type { AppRouter } from "@herald/presence";
import { useEffect, useMemo } from "react";
import { useAutoAway } from "../hooks/useAutoAway";
import { useConnectionState } from "../hooks/useConnectionState";
import { useHeartbeat } from "../hooks/useHeartbeat";
import { useOwnPresence } from "../hooks/useOwnPresence";
import { usePresenceFeed } from "../hooks/usePresenceFeed";
import { mergeFriendPresence } from "../presence/friend-presence";
import type { Session } from "../session/session-storage";
import { SESSION_ENDED } from "../session/useSession";
import { useHeraldClient } from "../trpc/HeraldProviders";
import { useTRPC } from "../trpc/react";
import { AccountFooter } from "./AccountFooter";
import { AddFriendForm } from "./AddFriendForm";
import { AppHeader } from "./AppHeader";
import { ConnectionBanner } from "./ConnectionBanner";
import { FriendList } from "./FriendList";
import { FriendRequests } from "./FriendRequests";
import { OwnStatusCard } from "./OwnStatusCard";

export function HomeScreen(props: { session: Session; idleMs: number; onSignOut: (reason?: string) => void }) {
  const { session, idleMs, onSignOut } = props;
  const trpc = useTRPC();
  const connection = useConnectionState(useHeraldClient());
  const account = useQuery(trpc.auth.me.queryOptions());
  const friendList = useQuery(trpc.friends.list.queryOptions());
  const own = useOwnPresence();
  const feed = usePresenceFeed();
  useHeartbeat();
  const noteManualChoice = useAutoAway({
    idleMs,
    chosen: own.me.data?.status,
    setIdle: (idle) =>
      own.setIdle.mutateAsync({ idle }).then(
        () => true,
        () => false,
      ),
  });

  // A token the server no longer accepts (account gone, secret rotated) ends the session.
  useEffect(() => {
    if (isTRPCClientError<AppRouter>(account.error) && account.error.data?.code === "UNAUTHORIZED") {
      onSignOut(SESSION_ENDED);
    }
  }, [account.error, onSignOut]);

  const friends = useMemo(() => (friendList.data ? mergeFriendPresence(friendList.data, feed) : undefined), [friendList.data, feed]);

  return (
    <div className="app">
      <AppHeader username={account.data?.username ?? session.user.username} status={own.me.data?.status} onSignOut={() => onSignOut()} />
      <ConnectionBanner connection={connection} />
      <main className="layout">
        <h1 className="visually-hidden">Your friends on Herald</h1>
        <div className="layout__status">
          <OwnStatusCard own={own} friends={friends ?? []} onChosen={noteManualChoice} />
        </div>
        <div className="layout__friends">
          <FriendList friends={friends} loading={friendList.isPending} error={friendList.error} />
        </div>
        <div className="layout__requests">
          <FriendRequests />
        </div>
        <div className="layout__add">
          <AddFriendForm />
        </div>
      </main>
      <AccountFooter username={account.data?.username ?? session.user.username} onSignedOut={() => onSignOut()} />
    </div>
  );
}
