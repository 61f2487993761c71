/** The small pure pieces: idle-time setting, URLs, retry and heartbeat timing, session storage. */
import { describe, expect, it } from "vitest";
import { heartbeatIntervalMs } from "../../src/hooks/useHeartbeat";
import { DEFAULT_IDLE_MS, resolveIdleMs } from "../../src/presence/idle-time";
import { loadSession, saveSession } from "../../src/session/session-storage";
import { reconnectDelayMs } from "../../src/trpc/client";
import { trpcHttpUrl, trpcWsUrl } from "../../src/trpc/urls";

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

describe("trpc URLs", () => {
  it("follow the page's origin, with wss: under https:", () => {
    expect(trpcWsUrl({ protocol: "https:", host: "herald.example:8443" })).toBe("wss://herald.example:8443/trpc");
    expect(trpcWsUrl({ protocol: "http:", host: "127.0.0.1:3000" })).toBe("ws://127.0.0.1:3000/trpc");
    expect(trpcHttpUrl({ origin: "http://127.0.0.1:3000" })).toBe("http://127.0.0.1:3000/trpc");
  });
});

describe("timing", () => {
  it("retries a dropped socket at once, then backs off to about ten seconds", () => {
    expect(reconnectDelayMs(0)).toBe(0);
    for (let attempt = 1; attempt < 12; attempt++) {
      const delay = reconnectDelayMs(attempt);
      expect(delay).toBeGreaterThanOrEqual(375);
      expect(delay).toBeLessThanOrEqual(12_500);
    }
    expect(reconnectDelayMs(20)).toBeGreaterThanOrEqual(7_500);
  });

  it("beats three times per TTL, never more than once a second", () => {
    expect(heartbeatIntervalMs(60)).toBe(20_000);
    expect(heartbeatIntervalMs(1)).toBe(1_000);
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
