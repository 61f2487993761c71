/** Send a friend request by username (asking someone who already asked you befriends you at once). */
import { useTRPC } from "@herald/react";
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "../display/error-message";

export function AddFriendForm() {
  const trpc = useTRPC();
  const [username, setUsername] = useState("");
  const [sentTo, setSentTo] = useState<{ username: string; status: "pending" | "accepted" } | null>(null);
  const inputId = useId();
  // The request (or the new friend, when they had asked first) shows up by the server's events.
  const request = useMutation(
    trpc.friends.request.mutationOptions({
      onSuccess: (result, input) => {
        setSentTo({ username: (input.username ?? "").trim().toLowerCase(), status: result.status }); // this form always sends a username
        setUsername("");
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSentTo(null);
    request.mutate({ username: username.trim() });
  };

  return (
    <section className="card" aria-labelledby="add-friend-title">
      <h2 id="add-friend-title">Add a friend</h2>
      <form className="inline-form" onSubmit={submit}>
        <label htmlFor={inputId} className="visually-hidden">
          Friend's username
        </label>
        <input
          id={inputId}
          name="friend-username"
          placeholder="Their username"
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          required
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
        <button type="submit" className="button button--primary" disabled={request.isPending || username.trim() === ""}>
          Send request
        </button>
      </form>
      <div aria-live="polite">
        {request.error ? (
          <p className="error" role="alert">
            {errorMessage(request.error)}
          </p>
        ) : sentTo ? (
          <p className="success">
            {sentTo.status === "accepted" ? `You and ${sentTo.username} are now friends.` : `Request sent to ${sentTo.username}.`}
          </p>
        ) : null}
      </div>
    </section>
  );
}
