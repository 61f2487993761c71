/**
 * Keep-alive (keep-alive.ts) pings a silent socket and drops one that does not answer in time;
 * time in which this process stood still (paused, stopped, asleep) is not the socket's silence.
 * Sockets stand in for ws' (the fields keep-alive reads, and what it calls); time is faked, so a
 * freeze is the clock jumping ahead without any timer running.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket, type WebSocketServer } from "ws";
import type { HeraldSocket } from "../src/herald-socket.js";
import { keepAlive } from "../src/keep-alive.js";

const PING_MS = 1_000;
const PONG_WAIT_MS = 1_000;
/** keep-alive's sweep period: a quarter of the shorter interval. */
const SWEEP_MS = 250;

class FakeSocket {
  readyState: number = WebSocket.OPEN;
  heardAt = Date.now();
  pingedAt = 0;
  pings = 0;
  terminated = false;
  send(text: string): void {
    if (text === "PING") this.pings++;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = WebSocket.CLOSED;
  }
  /** What herald-socket.ts does when a message or pong arrives. */
  answer(): void {
    this.heardAt = Date.now();
  }
}

describe("keep-alive", () => {
  let stop: () => void;
  let sockets: FakeSocket[];
  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [new FakeSocket(), new FakeSocket()];
    const wss = { clients: new Set(sockets as unknown as HeraldSocket[]) } as unknown as WebSocketServer;
    stop = keepAlive(wss, { pingMs: PING_MS, pongWaitMs: PONG_WAIT_MS });
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  it("pings a silent socket and drops it when it does not answer in time", () => {
    const [answering, silent] = sockets as [FakeSocket, FakeSocket];
    vi.advanceTimersByTime(PING_MS + SWEEP_MS);
    expect([answering.pings, silent.pings]).toEqual([1, 1]);
    answering.answer();
    vi.advanceTimersByTime(PONG_WAIT_MS + SWEEP_MS);
    expect([answering.terminated, silent.terminated]).toEqual([false, true]);
  });

  it("does not count the time this process stood still against a socket whose answer waits unread", () => {
    const [answering, silent] = sockets as [FakeSocket, FakeSocket];
    vi.advanceTimersByTime(PING_MS + SWEEP_MS);
    expect(answering.pingedAt).toBeGreaterThan(0);
    // Frozen for ten pong waits: no timer ran, nothing was read.
    vi.setSystemTime(Date.now() + 10 * PONG_WAIT_MS);
    vi.advanceTimersByTime(SWEEP_MS);
    expect([answering.terminated, silent.terminated]).toEqual([false, false]);
    // Then the waiting answer is read; the silent socket still gets only one pong wait.
    answering.answer();
    vi.advanceTimersByTime(PONG_WAIT_MS + SWEEP_MS);
    expect([answering.terminated, silent.terminated]).toEqual([false, true]);
  });
});
