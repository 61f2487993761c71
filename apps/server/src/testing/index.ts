export { startTestServer, testServerConfig, databaseFor, TEST_AUTH_SECRET, TEST_PASSWORD_HASHING } from "./test-server.js";
export type { TestServer } from "./test-server.js";
export { signUp, befriend, connect, httpClient, uniqueUsername, codeOf, errorOf } from "./clients.js";
export type { TestUser, Device, HeraldClient } from "./clients.js";
export { EventFeed, presencesIn } from "./event-feed.js";
