/** The signed-in session, kept in localStorage so a reload (or a new tab) stays signed in. */

export interface Session {
  token: string;
  user: { id: string; username: string };
}

const KEY = "herald.session";

export function loadSession(storage: Pick<Storage, "getItem"> = localStorage): Session | null {
  try {
    const value: unknown = JSON.parse(storage.getItem(KEY) ?? "null");
    return isSession(value) ? value : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null, storage: Pick<Storage, "setItem" | "removeItem"> = localStorage): void {
  if (session) storage.setItem(KEY, JSON.stringify(session));
  else storage.removeItem(KEY);
}

export const SESSION_STORAGE_KEY = KEY;

function isSession(value: unknown): value is Session {
  if (!value || typeof value !== "object") return false;
  const { token, user } = value as Partial<Session>;
  return typeof token === "string" && !!user && typeof user.id === "string" && typeof user.username === "string";
}
