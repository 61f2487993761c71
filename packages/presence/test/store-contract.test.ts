import { MemoryPresenceBus } from "../src/bus/memory-bus.js";
import { MemoryPresenceStore } from "../src/store/memory-store.js";
import { presenceBusContract, presenceStoreContract } from "../src/testing/index.js";

presenceStoreContract("in-memory", async (options) => new MemoryPresenceStore(options));
presenceBusContract("in-memory", async () => new MemoryPresenceBus());
