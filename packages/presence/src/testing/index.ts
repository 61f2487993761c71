export { presenceStoreContract, presenceBusContract } from "./store-contract.js";
