/**
 * Devices and auto-away under random per-device events (docs/protocol.md §7.2, §9.2), through the
 * router, the service and the in-memory store: connections of each kind open, go idle, come back
 * and close in any order, and the user picks statuses meanwhile. A friend's view must always be
 * a function of each live device's latest state and the chosen status alone (the user is away
 * only while every device is idle, and only if they chose online), and each real change of it
 * must reach the friend at most once: no flapping, no repeats.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { eventOf, presencesIn } from "../src/testing/index.js";
import { createCaller } from "../src/index.js";
import { appRouter } from "../src/root.js";
import type { ConnectionHandle } from "../src/service/connections.js";
import { createCallerFactory } from "../src/trpc.js";
import { DEVICE_KINDS, type DeviceKind, type VisiblePresence } from "../src/types.js";
import { useInProcessApp } from "./fixtures/in-process-app.js";

type Op =
  | { kind: "connect"; device: DeviceKind }
  | { kind: "idle"; index: number; idle: boolean }
  | { kind: "disconnect"; index: number }
  | { kind: "status"; status: "online" | "away" | "dnd" };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DEVICE_KINDS).map((device): Op => ({ kind: "connect", device })) },
  {
    weight: 6,
    arbitrary: fc.record({ index: fc.nat(4), idle: fc.boolean() }).map(({ index, idle }): Op => ({ kind: "idle", index, idle })),
  },
  { weight: 2, arbitrary: fc.nat(4).map((index): Op => ({ kind: "disconnect", index })) },
  { weight: 1, arbitrary: fc.constantFrom("online", "away", "dnd").map((status): Op => ({ kind: "status", status })) },
);

/** What the rules say a friend sees, from the devices' latest states alone. */
type Seen = { status: VisiblePresence["status"]; devices: DeviceKind[] };
const key = (seen: Seen) => `${seen.status} ${seen.devices.join(",")}`;

describe("devices and auto-away under random per-device events", () => {
  // A grace longer than any run: a user whose last device closed keeps fading, never goes offline here.
  const inProcess = useInProcessApp({ offlineGraceMs: 600_000 });
  let runs = 0;
  let friend: { id: string; username: string };

  beforeAll(async () => {
    friend = await newUser("fuzz_friend");
  });

  const newUser = (username: string) => inProcess.newUser(username);

  it("shows each friend a status that depends only on each device's latest state, each change at most once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 24 }), async (ops) => {
        runs += 1;
        const target = await newUser(`fuzz_t${runs}`);
        await createCaller(inProcess.app, target.id).friends.request({ username: friend.username });
        await createCaller(inProcess.app, friend.id).friends.accept({ userId: target.id });

        // A marker only the friend can see, last: events about one user arrive in order, so when
        // it arrives every earlier change has been delivered.
        const marker = `done ${runs}`;
        const events: VisiblePresence[] = [];
        const subscription = (await createCaller(inProcess.app, friend.id).presence.onChange()) as AsyncIterable<unknown>;
        const reading = (async () => {
          for await (const value of subscription) {
            const event = eventOf(value);
            events.push(...presencesIn(event).filter((presence) => presence.userId === target.id));
            if (events.at(-1)?.message === marker) break;
          }
        })();

        const devices: Array<{ handle: ConnectionHandle; device: DeviceKind; idle: boolean }> = [];
        let chosen: Op & { kind: "status" } = { kind: "status", status: "online" };
        let expected: Seen = { status: "offline", devices: [] };
        const changes = [key(expected)];
        const callerOn = (handle: ConnectionHandle) =>
          createCallerFactory(appRouter)({ app: inProcess.app, user: { id: target.id }, connection: handle, frames: null, clientIp: null });

        const apply = async (op: Op) => {
          const i = devices.length > 0 ? (op.kind !== "connect" && op.kind !== "status" ? op.index % devices.length : 0) : -1;
          if (op.kind === "connect") {
            devices.push({ handle: await inProcess.app.connections.open(target.id, () => {}, op.device), device: op.device, idle: false });
          } else if (op.kind === "idle" && i >= 0) {
            await callerOn(devices[i]!.handle).presence.setIdle({ idle: op.idle });
            devices[i]!.idle = op.idle;
          } else if (op.kind === "disconnect" && i >= 0) {
            const [ended] = devices.splice(i, 1);
            await ended!.handle.close();
          } else if (op.kind === "status") {
            await createCaller(inProcess.app, target.id).presence.setStatus({ status: op.status });
            chosen = op;
          }
          // With no device left the friend keeps what they saw (the fade of rule 3).
          if (devices.length > 0) {
            const everyIdle = devices.every((d) => d.idle);
            expected = {
              status: chosen.status === "online" && everyIdle ? "away" : chosen.status,
              devices: [...new Set(devices.map((d) => d.device))].sort(),
            };
          }
          if (key(expected) !== changes.at(-1)) changes.push(key(expected));
        };

        for (const op of ops) await apply(op);
        if (devices.length === 0) await apply({ kind: "connect", device: "web" });
        await createCaller(inProcess.app, target.id).presence.setStatus({ message: marker });
        await reading;

        for (let i = 1; i < events.length; i++) expect(events[i]).not.toEqual(events[i - 1]);
        const seen = events.map((e) => key({ status: e.status, devices: e.devices }));
        // The marker's own event shows nothing new beside the message.
        if (seen.length > 1 && seen.at(-1) === seen.at(-2)) seen.pop();
        expect(seen.at(-1)).toBe(changes.at(-1));
        // Every view the friend got is one the rules gave, in order, each change at most once.
        let at = 0;
        for (const view of seen) {
          while (at < changes.length && changes[at] !== view) at += 1;
          expect(at, `${view} in ${changes.join(" → ")} (seen ${seen.join(" → ")})`).toBeLessThan(changes.length);
          at += 1;
        }
        for (const { handle } of devices) await handle.close();
      }),
      { numRuns: 20 },
    );
  }, 120_000);
});
