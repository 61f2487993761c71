/**
 * What the server and its clients must agree on, defined once: the statuses, the WebSocket close
 * codes, and the input limits (docs/protocol.md §1 and §3). The server validates with these, the database
 * stores the statuses, and the web app sizes its forms and reads close codes with them.
 * Plain values only: the web app bundles this module.
 */

/** What a user may choose (`presence.setStatus`); stored as PostgreSQL's `chosen_status` enum. */
export const CHOSEN_STATUSES = ["online", "away", "dnd", "invisible"] as const;
export type ChosenStatus = (typeof CHOSEN_STATUSES)[number];

/** What a friend may see: invisible is never shown, offline is. */
export const VISIBLE_STATUSES = ["online", "away", "dnd", "offline"] as const;
export type VisibleStatus = (typeof VISIBLE_STATUSES)[number];

/** The kinds of device a connection says it comes from (`connectionParams.device`; default `web`). */
export const DEVICE_KINDS = ["web", "desktop", "mobile"] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * Who sees a user's exact last-seen time (docs/protocol.md §9.3): `friends` (the default),
 * `approximate` (a bucket, `LAST_SEEN_BUCKETS`, instead of the instant) or `nobody`.
 */
export const LAST_SEEN_LEVELS = ["friends", "approximate", "nobody"] as const;
export type LastSeenLevel = (typeof LAST_SEEN_LEVELS)[number];

/** What a viewer at `approximate` sees instead of the instant: ≤ 3 days, ≤ 7 days, ≤ 30 days, older. */
export const LAST_SEEN_BUCKETS = ["recently", "within a week", "within a month", "long ago"] as const;
export type LastSeenBucket = (typeof LAST_SEEN_BUCKETS)[number];

/**
 * The presence TTL of a server left at its default, in the unit `presence.heartbeat` announces
 * (`ttlSeconds`): clients assume it until a server has told them its own.
 */
export const DEFAULT_PRESENCE_TTL_SECONDS = 60;

/** The server closes a socket whose token is missing, expired, revoked or forged with this code. */
export const CLOSE_UNAUTHORIZED = 4401;
/** ...and refuses a socket past the per-user connection limit with this one. */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
/** ...and a socket whose `connectionParams` are invalid (a `device` not in DEVICE_KINDS) with this one. */
export const CLOSE_BAD_CONNECTION_PARAMS = 4400;

/** Sizes of what clients may send; the server refuses more, forms stop typing at them. */
export const LIMITS = {
  /** Lower-case letters, digits and _ (USERNAME_PATTERN); usernames are trimmed and lower-cased first. */
  username: { minLength: 3, maxLength: 32 },
  password: { minLength: 8, maxLength: 128 },
  /** Characters of a status message, after trimming. */
  message: { maxLength: 128 },
  /** Friends on one allow-list (`presence.setVisibility`). */
  visibleTo: { maxIds: 1000 },
  /** Friends with a last-seen exception (`presence.setLastSeenPrivacy`). */
  lastSeenExceptions: { maxIds: 1000 },
  /** Users asked about in one `presence.getMany`. */
  getMany: { minIds: 1, maxIds: 500 },
  /**
   * A user id: Herald's own accounts have UUIDs; with the host's identity (`AUTH_MODE=jwt`) an id
   * is the host's `sub`: visible ASCII but `{` and `}` (see USER_ID_PATTERN).
   */
  userId: { maxLength: 128 },
  /** The name a host gives one of its users (`AUTH_NAME_CLAIM`, `system.users.upsert`). */
  displayName: { maxLength: 64 },
  /** Users, pairs or ids in one `system.*` call. */
  system: { maxItems: 1000 },
  /** How far ahead a status or message may end (`until`, docs/protocol.md §9.1): a year. */
  until: { maxAheadMs: 365 * 24 * 60 * 60 * 1000 },
} as const;

/**
 * The ids a host may give its users: 1–128 visible ASCII characters, except `{` and `}` (Redis
 * Cluster reads braces in a key as its hash tag, and every per-user key carries the id in one).
 * So `auth0|5f7c…`, `google-oauth2|1234`, `user_2abc`, `42` and `ada@example.com` all are ids.
 */
export const USER_ID_PATTERN = new RegExp(`^[\\x21-\\x7a\\x7c\\x7e]{1,${LIMITS.userId.maxLength}}$`);

export const USERNAME_PATTERN = new RegExp(`^[a-z0-9_]{${LIMITS.username.minLength},${LIMITS.username.maxLength}}$`);
