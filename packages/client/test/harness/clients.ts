/** Opening Herald clients in tests, closing them after each test, and awaiting what they show. */
import { afterEach } from "vitest";
import { createHeraldClient, type HeraldClient, type HeraldClientOptions, type HeraldState } from "../../src/index.js";
import type { UserInfo } from "./control.js";

const open = new Set<HeraldClient>();

afterEach(async () => {
  await Promise.all([...open].map((client) => client.close()));
  open.clear();
});

/** A client signed in as `user`, closed after the test. */
export function clientFor(url: string, user: UserInfo, options: Partial<HeraldClientOptions> = {}): HeraldClient {
  const client = createHeraldClient({ url, token: user.token, ...options });
  open.add(client);
  return client;
}

/** Resolves with the first state (the current one included) that `predicate` accepts; fails after `timeoutMs`. */
export function stateWhere(
  client: HeraldClient,
  what: string,
  predicate: (state: HeraldState) => boolean,
  timeoutMs = 20_000,
): Promise<HeraldState> {
  return new Promise((resolve, reject) => {
    let stop = () => {};
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for ${what}; state: ${JSON.stringify(client.getState())}`));
    }, timeoutMs);
    const check = (state: HeraldState) => {
      if (!predicate(state)) {
        // A client that has ended will not change again: say so now rather than at the timeout.
        if (state.connection.status !== "unauthorized" && state.connection.status !== "closed") return false;
        clearTimeout(timer);
        stop();
        reject(new Error(`the client ended (${JSON.stringify(state.connection)}) before ${what}`));
        return true;
      }
      clearTimeout(timer);
      stop();
      resolve(state);
      return true;
    };
    if (!check(client.getState())) stop = client.subscribe(check);
  });
}

/** Every state the client goes through from now on, to check afterwards what it went through. */
export function recordStates(client: HeraldClient): HeraldState[] {
  const states: HeraldState[] = [];
  client.subscribe((state) => states.push(state));
  return states;
}

/** The friend of that name in the state, or undefined. */
export function friendNamed(state: HeraldState, username: string) {
  return state.friends.find((friend) => friend.username === username);
}
