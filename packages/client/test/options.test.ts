/** Mistakes in createHeraldClient's options fail at once, with a message that says how to fix them. */
import { describe, expect, it } from "vitest";
import { createHeraldClient, type HeraldClientOptions } from "../src/index.js";
import { reconnectDelayMs, refusedDelayMs } from "../src/reconnect-delay.js";
import { trpcUrls } from "../src/urls.js";

const make = (options: Partial<HeraldClientOptions>) => () => createHeraldClient({ url: "http://127.0.0.1:1", token: "t", ...options });

describe("createHeraldClient's options", () => {
  it("refuses a URL that is not an absolute http(s) URL", () => {
    expect(make({ url: "127.0.0.1:3000" })).toThrow(/url must be an absolute http\(s\):\/\/ URL/);
    expect(make({ url: "ws://127.0.0.1:3000" })).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(make({ url: undefined })).toThrow(/url must be the server's base URL/);
  });

  it("refuses a missing token and an unknown device", () => {
    expect(make({ token: "" })).toThrow(/token must be a session token/);
    expect(make({ token: 42 as never })).toThrow(/token must be a session token/);
    expect(make({ device: "watch" as never })).toThrow(/device must be one of "web", "desktop", "mobile"; got "watch"/);
  });

  it("derives the API's URLs from the base URL, a path prefix included", () => {
    expect(trpcUrls("http://127.0.0.1:3000")).toEqual({ http: "http://127.0.0.1:3000/trpc", ws: "ws://127.0.0.1:3000/trpc" });
    expect(trpcUrls("https://example.com/herald/")).toEqual({
      http: "https://example.com/herald/trpc",
      ws: "wss://example.com/herald/trpc",
    });
  });

  it("spreads reconnects out: at once, then backing off to 10 s with ±25 % jitter; a refused one waits 5 s or more", () => {
    expect(reconnectDelayMs(0)).toBe(0);
    expect(reconnectDelayMs(1, () => 0)).toBe(375);
    expect(reconnectDelayMs(1, () => 1)).toBe(625);
    expect(reconnectDelayMs(20, () => 0.5)).toBe(10_000);
    expect(refusedDelayMs(0, () => 0)).toBe(3_750);
    expect(refusedDelayMs(10, () => 0.5)).toBe(60_000);
  });
});
