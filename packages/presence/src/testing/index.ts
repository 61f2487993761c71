export { presenceStoreContract, presenceBusContract, StoreClock } from "./store-contract.js";
export { RedisServer, freePort } from "./redis-server.js";
export { deleteKeysWithPrefix } from "./redis-keys.js";
export { RedisCluster, type RedisClusterOptions } from "./redis-cluster.js";
export { eventOf } from "./caller-events.js";
export { failure } from "./caller-failure.js";
export { presencesIn } from "./presences-in.js";
// The presence-row statements themselves, so that the bench (pglite-writes) measures what the server runs.
export { oneRowUpdate, batchUpdate, type RowWrite } from "../repo/row-writer.js";
