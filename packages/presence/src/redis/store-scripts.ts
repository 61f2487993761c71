/**
 * The Lua scripts behind the Redis presence store. Each runs atomically on one user's keys
 * (KEYS[1] = connections zset, KEYS[2] = live hash, KEYS[3] = connection facts hash), so every
 * change of a user's live facts and the version bump that orders it happen together, whichever
 * server runs them. A connection's facts are `<device>:<0|1 idle>`; one without facts (registered
 * before they existed) is an active `web` connection.
 *
 * Times travel as integer milliseconds. Lua numbers are doubles, exact for such integers, but
 * Lua prints large ones in exponent form, so they are formatted with `%.0f` before storage.
 */
import type { RedisClient } from "./connect.js";

/** [online 0|1, connection count, version, durable revision, devices "a,b", idle 0|1] */
export type LiveReply = [number, number, number, number, string, number];
/** [version, lastConnectedAt, durable revision] */
export type SettleReply = [number, number, number];
/** [settled 0|1, online 0|1, connection count, version, lastConnectedAt, next due or -1, durable revision, devices, idle] */
export type ReapReply = [number, number, number, number, number, number, number, string, number];

const PRELUDE = `
local function ms(n) return string.format('%.0f', n) end
local function durable_revision()
  return tonumber(redis.call('HGET', KEYS[2], 'durableRevision') or '0')
end
local function facts_of(connection_id)
  local facts = redis.call('HGET', KEYS[3], connection_id) or 'web:0'
  local sep = string.find(facts, ':', 1, true)
  return string.sub(facts, 1, sep - 1), string.sub(facts, sep + 1) == '1'
end
-- The kinds of the live connections (sorted, each once) and whether all of them are idle.
local function devices_and_idle()
  local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
  local seen, kinds, all_idle = {}, {}, #ids > 0
  for _, id in ipairs(ids) do
    local kind, idle = facts_of(id)
    if not seen[kind] then
      seen[kind] = true
      kinds[#kinds + 1] = kind
    end
    all_idle = all_idle and idle
  end
  table.sort(kinds)
  return table.concat(kinds, ','), all_idle and 1 or 0
end
local function live_reply()
  local online = redis.call('HGET', KEYS[2], 'online') == '1' and 1 or 0
  local version = tonumber(redis.call('HGET', KEYS[2], 'version') or '0')
  local devices, idle = devices_and_idle()
  return { online, redis.call('ZCARD', KEYS[1]), version, durable_revision(), devices, idle }
end
local function raise_last_connected(at)
  local current = tonumber(redis.call('HGET', KEYS[2], 'lastConnectedAt') or '0')
  if at > current then
    redis.call('HSET', KEYS[2], 'lastConnectedAt', ms(at))
    return at
  end
  return current
end
`;

/** ARGV: connectionId, expiry, device, idle (0|1). */
const CONNECT = `${PRELUDE}
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3] .. ':' .. ARGV[4])
redis.call('HSET', KEYS[2], 'online', '1')
redis.call('HINCRBY', KEYS[2], 'version', 1)
return live_reply()
`;

/**
 * ARGV: connectionId, at. Last-seen moves to `at` on every ended connection (never backwards),
 * not only the last one: a sibling left behind by a crashed server may be reaped later with an
 * earlier expiry, and the user was still seen until `at`.
 */
const DISCONNECT = `${PRELUDE}
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'version', 1)
  raise_last_connected(tonumber(ARGV[2]))
end
return live_reply()
`;

/** ARGV: connectionId, idle (0|1). Null, and no new version, unless it changes a live connection's idle flag. */
const SET_IDLE = `${PRELUDE}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return false end
local kind, idle = facts_of(ARGV[1])
if idle == (ARGV[2] == '1') then return false end
redis.call('HSET', KEYS[3], ARGV[1], kind .. ':' .. ARGV[2])
redis.call('HINCRBY', KEYS[2], 'version', 1)
return live_reply()
`;

/** No ARGV. Null unless the user is online with no connection (in the grace). */
const SETTLE_OFFLINE = `${PRELUDE}
if redis.call('HGET', KEYS[2], 'online') ~= '1' or redis.call('ZCARD', KEYS[1]) > 0 then
  return false
end
redis.call('HSET', KEYS[2], 'online', '0')
local version = redis.call('HINCRBY', KEYS[2], 'version', 1)
return { version, tonumber(redis.call('HGET', KEYS[2], 'lastConnectedAt') or '0'), durable_revision() }
`;

/**
 * ARGV: now, offlineGraceMs. Drops expired connections; settles a user left with none, when the
 * last connection to end was an expired one (its server died: no grace, it was already TTL late),
 * or when the grace after a clean disconnect outlived offlineGraceMs (the server died mid-grace).
 * A user who closed their last tab after a crashed sibling expired still gets the full grace. Also
 * says when the user next needs a look, so the caller can reschedule them in the reap index.
 */
const REAP = `${PRELUDE}
local now = tonumber(ARGV[1])
local offline_grace_ms = tonumber(ARGV[2])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES')
local last_expired = 0
for i = 2, #expired, 2 do
  last_expired = math.max(last_expired, tonumber(expired[i]))
end
for i = 1, #expired, 2 do
  redis.call('HDEL', KEYS[3], expired[i])
end
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
  redis.call('HINCRBY', KEYS[2], 'version', #expired / 2)
end
local ended_before = tonumber(redis.call('HGET', KEYS[2], 'lastConnectedAt') or '0')
local last_connected = raise_last_connected(last_expired)
local crashed_last = last_expired > 0 and last_expired >= ended_before
local settled = 0
local next_due = -1
local count = redis.call('ZCARD', KEYS[1])
if count > 0 then
  next_due = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
elseif redis.call('HGET', KEYS[2], 'online') == '1' then
  if crashed_last or last_connected + offline_grace_ms < now then
    redis.call('HSET', KEYS[2], 'online', '0')
    redis.call('HINCRBY', KEYS[2], 'version', 1)
    settled = 1
  else
    next_due = last_connected + offline_grace_ms + 1
  end
end
local live = live_reply()
return { settled, live[1], live[2], live[3], last_connected, next_due, live[4], live[5], live[6] }
`;

/** ARGV: the durable revision just committed. A new version, and the revision, never lowered. */
const ORDER_DURABLE_CHANGE = `${PRELUDE}
redis.call('HINCRBY', KEYS[2], 'version', 1)
if tonumber(ARGV[1]) > durable_revision() then
  redis.call('HSET', KEYS[2], 'durableRevision', ARGV[1])
end
return live_reply()
`;

/** No ARGV. Read-only: one consistent view of both keys. */
const GET_LIVE = `${PRELUDE}
return live_reply()
`;

/**
 * On one bucket of the reap index alone (KEYS[1]). ARGV: userId, the score the reaper read, the next due
 * moment (-1: drop the entry). A compare-and-set: when any writer changed the entry since the
 * reaper read it, that writer's newer word stands.
 */
const RESCHEDULE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
if tonumber(ARGV[3]) < 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
`;

/** The scripts as commands on a client, typed. Keys first, then arguments, as ioredis expects. */
export interface PresenceCommands {
  heraldConnect(
    conns: string,
    live: string,
    facts: string,
    connectionId: string,
    expiry: number,
    device: string,
    idle: 0 | 1,
  ): Promise<LiveReply>;
  heraldSetIdle(conns: string, live: string, facts: string, connectionId: string, idle: 0 | 1): Promise<LiveReply | null>;
  heraldDisconnect(conns: string, live: string, facts: string, connectionId: string, at: number): Promise<LiveReply>;
  heraldSettleOffline(conns: string, live: string, facts: string): Promise<SettleReply | null>;
  heraldReap(conns: string, live: string, facts: string, now: number, offlineGraceMs: number): Promise<ReapReply>;
  heraldOrderDurableChange(conns: string, live: string, facts: string, durableRevision: number): Promise<LiveReply>;
  heraldGetLive(conns: string, live: string, facts: string): Promise<LiveReply>;
  heraldReschedule(expiries: string, userId: string, seen: number, nextDue: number): Promise<number>;
}

/** Registers the scripts on `redis` (EVALSHA, falling back to EVAL once per connection). */
export function definePresenceCommands(redis: RedisClient): RedisClient & PresenceCommands {
  redis.defineCommand("heraldConnect", { numberOfKeys: 3, lua: CONNECT });
  redis.defineCommand("heraldSetIdle", { numberOfKeys: 3, lua: SET_IDLE });
  redis.defineCommand("heraldDisconnect", { numberOfKeys: 3, lua: DISCONNECT });
  redis.defineCommand("heraldSettleOffline", { numberOfKeys: 3, lua: SETTLE_OFFLINE });
  redis.defineCommand("heraldReap", { numberOfKeys: 3, lua: REAP });
  redis.defineCommand("heraldOrderDurableChange", { numberOfKeys: 3, lua: ORDER_DURABLE_CHANGE });
  redis.defineCommand("heraldGetLive", { numberOfKeys: 3, lua: GET_LIVE, readOnly: true });
  redis.defineCommand("heraldReschedule", { numberOfKeys: 1, lua: RESCHEDULE });
  // Through `unknown`: the commands exist at run time only, and asserting the intersection straight
  // from the client makes lint relate ioredis' client classes member by member (~0.6 s).
  return redis as unknown as RedisClient & PresenceCommands;
}
