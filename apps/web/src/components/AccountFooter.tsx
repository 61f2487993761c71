/**
 * The rarely needed account action: signing out everywhere (a lost phone, a shared computer).
 * `auth.signOut` revokes every session of the user; the server then closes their sockets
 * (4401), which signs out each of their other devices too.
 */
import { useMutation } from "@tanstack/react-query";
import { ErrorAlert } from "./ErrorAlert";
import { useTRPC } from "@herald/react";

export function AccountFooter({ username, onSignedOut }: { username: string; onSignedOut: () => void }) {
  const trpc = useTRPC();
  const signOutEverywhere = useMutation(trpc.auth.signOut.mutationOptions({ onSuccess: onSignedOut }));
  return (
    <footer className="account-footer">
      <p>
        Signed in as <strong>{username}</strong>
      </p>
      <button
        type="button"
        className="button button--ghost button--small"
        disabled={signOutEverywhere.isPending}
        onClick={() => signOutEverywhere.mutate()}
      >
        Sign out of all devices
      </button>
      <ErrorAlert error={signOutEverywhere.error} />
    </footer>
  );
}
