export { presenceStoreContract, presenceBusContract, StoreClock } from "./store-contract.js";
export { RedisServer, freePort } from "./redis-server.js";
export { RedisCluster, type RedisClusterOptions } from "./redis-cluster.js";
export { eventOf } from "./caller-events.js";
export { failure } from "./caller-failure.js";
export { presencesIn } from "./presences-in.js";
