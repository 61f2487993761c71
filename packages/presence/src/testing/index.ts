export { presenceStoreContract, presenceBusContract, StoreClock } from "./store-contract.js";
export { RedisServer, freePort } from "./redis-server.js";
export { eventOf } from "./caller-events.js";
