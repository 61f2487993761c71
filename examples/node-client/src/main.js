#!/usr/bin/env node
// @ts-check
/**
 * Your Herald friends in the terminal, live: signs in, then prints the friend list again every
 * time something changes (a friend comes online, changes status, a request arrives). Plain
 * JavaScript on plain Node 20: `node src/main.js --url http://127.0.0.1:3000 --username alice`.
 */
import { parseArgs } from "node:util";
import { createHeraldClient, signIn, signUp } from "@herald/client";
import { WebSocket } from "ws";
import { render } from "./render.js";

const USAGE = `usage: node src/main.js --url http://127.0.0.1:3000 --username NAME [--password PASSWORD] [--sign-up]
  the password may come from HERALD_PASSWORD instead; --sign-up creates the account first`;

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    username: { type: "string" },
    password: { type: "string" },
    "sign-up": { type: "boolean", default: false },
  },
});
const password = values.password ?? process.env.HERALD_PASSWORD;
if (!values.username || !password) {
  console.error(USAGE);
  process.exit(2);
}

const credentials = { url: values.url, username: values.username, password };
const { token, user } = await (values["sign-up"] ? signUp(credentials) : signIn(credentials)).catch((/** @type {Error} */ error) => {
  // Wrong password, name taken, or no server at --url: say which, without a stack trace.
  console.error(`could not sign in at ${values.url}: ${error.message}`);
  process.exit(1);
});
console.log(`signed in as ${user.username}`);

// Node 20 has no global WebSocket: hand the client the `ws` package's.
const herald = createHeraldClient({ url: values.url, token, device: "desktop", WebSocket });
herald.subscribe((state) => {
  console.log(render(state, Date.now()));
  if (state.connection.status === "unauthorized") {
    console.error("the server ended this session; sign in again");
    process.exit(1);
  }
});

const stop = () => void herald.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
