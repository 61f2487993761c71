/**
 * Floods of calls (an outside review, 2026-12-07): one HTTP request of 8,000 batched calls, or
 * one WebSocket sending frames of a thousand, held the server's one thread for seconds, and a
 * socket that asked to send its connectionParams as a message and never did was never closed.
 * docs/protocol.md §5 and §6.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CALL_BURST, CLOSE_CALL_FLOOD } from "../src/call-budget.js";
import { MAX_HTTP_BATCH_CALLS } from "../src/herald-core.js";
import { CONNECTION_PARAMS_DEADLINE_MS } from "../src/websocket.js";
import { rawSocket, signUp, startTestServer, type TestServer } from "../src/testing/index.js";

/** Every answer on the socket, in order, as parsed JSON. */
function answersOf(socket: WebSocket): Array<{ id?: unknown; result?: unknown; error?: { data?: { code?: string }; message?: string } }> {
  const answers: Array<Record<string, never>> = [];
  socket.on("message", (data: Buffer) => answers.push(JSON.parse(data.toString()) as Record<string, never>));
  return answers;
}

const authMe = (id: number) => ({ id, method: "query", params: { path: "auth.me" } });

describe("call floods", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it(`refuses an HTTP batch of more than ${MAX_HTTP_BATCH_CALLS} calls, naming the limit, and serves one of ${MAX_HTTP_BATCH_CALLS}`, async () => {
    const alice = await signUp(server.url);
    const batchOf = (calls: number) =>
      fetch(`${server.url}/trpc/${Array.from({ length: calls }, () => "auth.me").join(",")}?batch=1`, {
        headers: { authorization: `Bearer ${alice.token}` },
      });
    const tooMany = await batchOf(MAX_HTTP_BATCH_CALLS + 1);
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(await tooMany.json())).toMatch(/Batch call exceeds maximum size/);
    const allowed = await batchOf(MAX_HTTP_BATCH_CALLS);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toHaveLength(MAX_HTTP_BATCH_CALLS);
  });

  it("answers a socket's calls past its budget TOO_MANY_REQUESTS without running them, and keeps the socket", async () => {
    const bob = await signUp(server.url);
    const { socket } = await rawSocket(server.wsUrl, bob.token); // one auth.me spent
    const answers = answersOf(socket);
    const sent = CALL_BURST + 20;
    socket.send(JSON.stringify(Array.from({ length: sent }, (_, i) => authMe(100 + i))));
    await expect.poll(() => answers.length).toBe(sent);
    const refused = answers.filter((answer) => answer.error?.data?.code === "TOO_MANY_REQUESTS");
    const served = answers.filter((answer) => answer.result !== undefined);
    // A burst refilled over time: the two messages before (connectionParams, auth.me) and the
    // milliseconds since shift it by a call or two.
    expect(served.length).toBeGreaterThanOrEqual(CALL_BURST - 2);
    expect(served.length).toBeLessThanOrEqual(CALL_BURST + 2);
    expect(refused.length).toBe(sent - served.length);
    expect(refused[0]!.error!.message).toMatch(
      new RegExp(`^Too many calls on this connection: at most ${CALL_BURST} at once, then 20 a second`),
    );
    // Every call was answered once, under its own id.
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(sent);
    // The socket stays open and, as the budget refills, is served again.
    expect(socket.readyState).toBe(WebSocket.OPEN);
    await expect
      .poll(
        async () => {
          const answered = new Promise<string>((resolve) => socket.once("message", (data: Buffer) => resolve(data.toString())));
          socket.send(JSON.stringify(authMe(9_999)));
          return answered;
        },
        { interval: 250, timeout: 5_000 },
      )
      .toMatch(/"result"/);
    socket.close();
  });

  it("never refuses a subscription.stop: past the budget, the subscription still stops and frees its slot", async () => {
    const erin = await signUp(server.url);
    const { socket } = await rawSocket(server.wsUrl, erin.token);
    const answers = answersOf(socket);
    socket.send(JSON.stringify({ id: 7, method: "subscription", params: { path: "presence.onChange" } }));
    await expect.poll(() => answers.filter((answer) => answer.id === 7).length).toBeGreaterThanOrEqual(2); // started, snapshot
    // The stop comes last in a frame whose calls spend the rest of the budget and more.
    socket.send(JSON.stringify([...Array.from({ length: CALL_BURST }, (_, i) => authMe(100 + i)), { id: 7, method: "subscription.stop" }]));
    await expect.poll(() => answers.filter((answer) => answer.error?.data?.code === "TOO_MANY_REQUESTS").length).toBeGreaterThan(0);
    await expect.poll(() => answers.filter((answer) => answer.id === 7).at(-1)).toMatchObject({ result: { type: "stopped" } });
    await expect.poll(() => server.app.subscriptionLimits.active).toBe(0);
    socket.close();
  });

  it(`closes a socket that runs more than ${CALL_BURST} calls past its budget (1008), serving none of that message`, async () => {
    const dan = await signUp(server.url);
    const { socket, closed } = await rawSocket(server.wsUrl, dan.token);
    const answers = answersOf(socket);
    socket.send(JSON.stringify(Array.from({ length: 2 * CALL_BURST + 10 }, (_, i) => authMe(100 + i))));
    expect(await closed).toEqual({
      code: CLOSE_CALL_FLOOD,
      reason: expect.stringMatching(new RegExp(`^too many calls: more than ${CALL_BURST} past the limit`)),
    });
    expect(answers).toEqual([]);
  });

  it("closes a socket that asked to send its connectionParams and never did (4401), and only that one", async () => {
    // Opened first, so its deadline is looked at no later than the silent socket's.
    const dave = await signUp(server.url);
    const sent = await rawSocket(server.wsUrl, dave.token);
    const socket = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    const opened = Date.now();
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({ code: 4401, reason: expect.stringMatching(/^unauthorized: no connectionParams within 5 s/) });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(CONNECTION_PARAMS_DEADLINE_MS - 100);
    expect(Date.now() - opened).toBeLessThan(CONNECTION_PARAMS_DEADLINE_MS + 3_000); // checked every second
    expect(sent.socket.readyState).toBe(WebSocket.OPEN);
    sent.socket.close();
  }, 15_000);

  it("answers UNAUTHORIZED to calls on a socket right after its user signed out, before it closes", async () => {
    const carol = await signUp(server.url);
    const { socket, closed } = await rawSocket(server.wsUrl, carol.token);
    const answers = answersOf(socket);
    socket.send(JSON.stringify({ id: 2, method: "mutation", params: { path: "auth.signOut" } }));
    await expect.poll(() => answers.length).toBe(1);
    expect(answers[0]).toMatchObject({ id: 2, result: expect.anything() });
    socket.send(JSON.stringify({ id: 3, method: "mutation", params: { path: "presence.setStatus", input: { status: "dnd" } } }));
    await expect.poll(() => answers.length).toBe(2);
    expect(answers[1]).toMatchObject({ id: 3, error: { data: { code: "UNAUTHORIZED" } } });
    expect((await closed).code).toBe(4401);
  });
});
