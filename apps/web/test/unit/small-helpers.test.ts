/** The small pure pieces: the idle-time setting and session storage. */
import { describe, expect, it } from "vitest";
import { DEFAULT_IDLE_MS, resolveIdleMs } from "../../src/idle-time";
import { loadSession, saveSession } from "../../src/session/session-storage";

describe("resolveIdleMs", () => {
  it("takes ?idleMs= first, then the stored setting, then five minutes", () => {
    expect(resolveIdleMs("?idleMs=1500", "9000")).toBe(1500);
    expect(resolveIdleMs("", "9000")).toBe(9000);
    expect(resolveIdleMs("", null)).toBe(DEFAULT_IDLE_MS);
  });

  it("ignores nonsense and values too small to be idle", () => {
    expect(resolveIdleMs("?idleMs=soon", null)).toBe(DEFAULT_IDLE_MS);
    expect(resolveIdleMs("?idleMs=10", "abc")).toBe(DEFAULT_IDLE_MS);
    expect(resolveIdleMs("?idleMs=-5", "2000")).toBe(2000);
  });
});

describe("session storage", () => {
  function memoryStorage() {
    const map = new Map<string, string>();
    return {
      getItem: (key: string) => map.get(key) ?? null,
      setItem: (key: string, value: string) => void map.set(key, value),
      removeItem: (key: string) => void map.delete(key),
    };
  }

  it("round-trips a session and forgets it on sign-out", () => {
    const storage = memoryStorage();
    const session = { token: "t", user: { id: "u", username: "amy" } };
    saveSession(session, storage);
    expect(loadSession(storage)).toEqual(session);
    saveSession(null, storage);
    expect(loadSession(storage)).toBeNull();
  });

  it("treats damaged storage as signed out", () => {
    const storage = memoryStorage();
    storage.setItem("herald.session", "{not json");
    expect(loadSession(storage)).toBeNull();
    storage.setItem("herald.session", JSON.stringify({ token: 42 }));
    expect(loadSession(storage)).toBeNull();
  });
});
