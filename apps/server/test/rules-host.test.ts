/**
 * docs/protocol.md §2 with a host app's identity: users are the host's (ids in its own format,
 * JWTs checked against a JWKS it serves) and so are friendships (FRIENDS=host, linked and
 * unlinked through system.friends.* with the service token). The same suite as rules.test.ts.
 */
import { describe } from "vitest";
import { DATABASE_KINDS, useServer } from "./fixtures.js";
import { ruleSuite } from "./rule-suite.js";

const GRACE_MS = 300;

describe.each(DATABASE_KINDS)("rules with the host's identity and friend graph on %s", (kind) => {
  ruleSuite(useServer(kind, { offlineGraceMs: GRACE_MS }, "host"), GRACE_MS);
});
