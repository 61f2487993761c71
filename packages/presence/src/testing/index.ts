export { presenceStoreContract, presenceBusContract } from "./store-contract.js";
export { RedisServer, freePort } from "./redis-server.js";
