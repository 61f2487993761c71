/**
 * Sign in or create an account. The only screen that talks to the server without a token: over
 * HTTP, since a WebSocket is a presence and the server closes one without a valid token.
 */
import { signIn as signInOverHttp, signUp as signUpOverHttp } from "@herald/client";
import { LIMITS } from "@herald/protocol";
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import type { Session } from "../session/session-storage";
import { ErrorAlert } from "./ErrorAlert";
import { Logo } from "./Logo";

type Credentials = { username: string; password: string };

type Mode = "signIn" | "signUp";

export function AuthScreen({ notice, onSignedIn }: { notice: string | null; onSignedIn: (session: Session) => void }) {
  const [mode, setMode] = useState<Mode>("signIn");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  // The API is on the page's own origin.
  const url = window.location.origin;
  const signIn = useMutation({ mutationFn: (input: Credentials) => signInOverHttp({ url, ...input }), onSuccess: onSignedIn });
  const signUp = useMutation({ mutationFn: (input: Credentials) => signUpOverHttp({ url, ...input }), onSuccess: onSignedIn });
  const action = mode === "signIn" ? signIn : signUp;
  const ids = { username: useId(), password: useId(), usernameHint: useId(), passwordHint: useId() };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    action.mutate({ username: username.trim(), password });
  };
  const switchTo = (next: Mode) => {
    setMode(next);
    signIn.reset();
    signUp.reset();
  };

  return (
    <main className="auth">
      <div className="auth__card">
        <div className="auth__brand">
          <h1 className="auth__title">
            <Logo />
            <span className="visually-hidden">{mode === "signIn" ? ": sign in" : ": create an account"}</span>
          </h1>
          <p className="auth__tagline">See which friends are around, right now.</p>
        </div>
        <div className="segmented" role="group" aria-label="Account">
          <button type="button" aria-pressed={mode === "signIn"} onClick={() => switchTo("signIn")}>
            Sign in
          </button>
          <button type="button" aria-pressed={mode === "signUp"} onClick={() => switchTo("signUp")}>
            Create account
          </button>
        </div>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <form className="stack" onSubmit={submit} aria-label={mode === "signIn" ? "Sign in" : "Create account"}>
          <div className="field">
            <label htmlFor={ids.username}>Username</label>
            <input
              id={ids.username}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              minLength={LIMITS.username.minLength}
              maxLength={LIMITS.username.maxLength}
              aria-describedby={mode === "signUp" ? ids.usernameHint : undefined}
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
            {mode === "signUp" ? (
              <p className="field__hint" id={ids.usernameHint}>
                {LIMITS.username.minLength}–{LIMITS.username.maxLength} characters: lower-case letters, digits and _
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={ids.password}>Password</label>
            <input
              id={ids.password}
              name="password"
              type="password"
              autoComplete={mode === "signIn" ? "current-password" : "new-password"}
              required
              minLength={mode === "signUp" ? LIMITS.password.minLength : undefined}
              maxLength={LIMITS.password.maxLength}
              aria-describedby={mode === "signUp" ? ids.passwordHint : undefined}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            {mode === "signUp" ? (
              <p className="field__hint" id={ids.passwordHint}>
                At least {LIMITS.password.minLength} characters
              </p>
            ) : null}
          </div>
          <ErrorAlert error={action.error} />
          <button className="button button--primary button--block" type="submit" disabled={action.isPending}>
            {mode === "signIn" ? (action.isPending ? "Signing in…" : "Sign in") : action.isPending ? "Creating account…" : "Create account"}
          </button>
        </form>
      </div>
    </main>
  );
}
