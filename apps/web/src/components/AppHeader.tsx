/** The top bar: brand, who you are and how you appear, and the way out. */
import type { ChosenStatus } from "@herald/client";
import { useOwnPresence } from "@herald/react";
import { dotStatusOfChosen } from "../display/status-labels";
import { Avatar } from "./Avatar";
import { Logo } from "./Logo";

const CHOSEN_LABEL: Record<ChosenStatus, string> = { online: "Online", away: "Away", dnd: "Do not disturb", invisible: "Invisible" };

export function AppHeader({ username, onSignOut }: { username: string; onSignOut: () => void }) {
  const own = useOwnPresence().own;
  // What friends see: a chosen online shows as away while every device of yours is idle (§7.2).
  const status = own?.status === "online" && own.idle ? "away" : own?.status;
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <Logo />
        <div className="app-header__me">
          <Avatar name={username} status={status ? dotStatusOfChosen(status) : "offline"} />
          <span className="app-header__who">
            <span className="app-header__name" data-testid="me-username">
              {username}
            </span>
            <span className="app-header__status" data-testid="me-status">
              {status ? CHOSEN_LABEL[status] : "…"}
            </span>
          </span>
          <button type="button" className="button button--ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
