/** The signed-in app: your status, your friends live, requests and adding friends. */
import { useAutoAway, useConnectionState } from "@herald/react";
import { useEffect } from "react";
import type { Session } from "../session/session-storage";
import { SESSION_ENDED } from "../session/useSession";
import { AccountFooter } from "./AccountFooter";
import { AddFriendForm } from "./AddFriendForm";
import { AppHeader } from "./AppHeader";
import { ConnectionBanner } from "./ConnectionBanner";
import { FriendList } from "./FriendList";
import { FriendRequests } from "./FriendRequests";
import { LastSeenPrivacyCard } from "./LastSeenPrivacyCard";
import { OwnStatusCard } from "./OwnStatusCard";
import { SeeAsPanel } from "./SeeAsPanel";

export function HomeScreen(props: { session: Session; idleMs: number; onSignOut: (reason?: string) => void }) {
  const { session, idleMs, onSignOut } = props;
  const connection = useConnectionState();
  useAutoAway({ idleMs });

  // A token the server refuses (expired, revoked by signing out everywhere, forged) ends the session.
  useEffect(() => {
    if (connection.status === "unauthorized") onSignOut(SESSION_ENDED);
  }, [connection.status, onSignOut]);

  return (
    <div className="app">
      <AppHeader username={session.user.username} onSignOut={() => onSignOut()} />
      <ConnectionBanner connection={connection} />
      <main className="layout">
        <h1 className="visually-hidden">Your friends on Herald</h1>
        <div className="layout__status">
          <OwnStatusCard />
          <SeeAsPanel />
          <LastSeenPrivacyCard />
        </div>
        <div className="layout__friends">
          <FriendList />
        </div>
        <div className="layout__requests">
          <FriendRequests />
        </div>
        <div className="layout__add">
          <AddFriendForm />
        </div>
      </main>
      <AccountFooter username={session.user.username} onSignedOut={() => onSignOut()} />
    </div>
  );
}
