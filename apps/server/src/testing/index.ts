export { startTestServer, testServerConfig, databaseFor, TEST_AUTH_SECRET, TEST_PASSWORD_HASHING } from "./test-server.js";
export type { TestServer } from "./test-server.js";
export { signUp, befriend, connect, httpClient, uniqueUsername, codeOf, errorOf } from "./clients.js";
export type { TestUser, Device, HeraldClient } from "./clients.js";
export { EventFeed, presencesIn } from "./event-feed.js";
export { HostIssuer, TEST_ISSUER, TEST_AUDIENCE } from "./host-issuer.js";
export type { TokenOptions } from "./host-issuer.js";
export { heraldPeople, hostPeople, TEST_SERVICE_TOKEN } from "./people.js";
export type { People } from "./people.js";
