/**
 * Keys asked for in the same turn of the event loop, looked up by one call. The server re-checks
 * every live socket's token at once, on the same clock: one statement for all their users' token
 * versions costs far less than one each (auth/sessions.ts).
 */
export class TurnBatch<K, V> {
  private keys = new Set<K>();
  private waiting: Array<{ keys: readonly K[]; resolve: (found: Map<K, V>) => void; reject: (error: unknown) => void }> = [];

  /** `lookUp` answers the keys it finds and leaves out the others. */
  constructor(private readonly lookUp: (keys: K[]) => Promise<Map<K, V>>) {}

  /** What `lookUp` found of this key, if anything. */
  async get(key: K): Promise<V | undefined> {
    return (await this.getMany([key])).get(key);
  }

  /** What `lookUp` found of these keys. */
  getMany(keys: readonly K[]): Promise<Map<K, V>> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => void this.run());
      for (const key of keys) this.keys.add(key);
      this.waiting.push({ keys, resolve, reject });
    });
  }

  private async run(): Promise<void> {
    const keys = [...this.keys];
    const waiting = this.waiting;
    this.keys = new Set();
    this.waiting = [];
    try {
      const found = await this.lookUp(keys);
      for (const waiter of waiting) {
        const mine = new Map<K, V>();
        for (const key of waiter.keys) {
          const value = found.get(key);
          if (value !== undefined) mine.set(key, value);
        }
        waiter.resolve(mine);
      }
    } catch (error) {
      for (const waiter of waiting) waiter.reject(error);
    }
  }
}
