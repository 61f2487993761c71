/**
 * Keys asked for in the same turn of the event loop, looked up by one call. The server re-checks
 * every live socket's token at once, on the same clock: one statement for all their users' token
 * versions costs far less than one each (auth/sessions.ts).
 */
export class TurnBatch<K, V> {
  /** This turn's keys, and what their lookup will find; null until a key is asked for. */
  private pending: { keys: Set<K>; found: Promise<Map<K, V>> } | null = null;

  /** `lookUp` answers the keys it finds and leaves out the others; a failure fails every caller. */
  constructor(private readonly lookUp: (keys: K[]) => Promise<Map<K, V>>) {}

  /** What `lookUp` found of this key, if anything. */
  async get(key: K): Promise<V | undefined> {
    if (!this.pending) {
      const keys = new Set<K>();
      const found = new Promise((next) => setImmediate(next)).then(() => {
        this.pending = null; // keys asked for from now on go into the next turn's lookup
        return this.lookUp([...keys]);
      });
      this.pending = { keys, found };
    }
    this.pending.keys.add(key);
    return (await this.pending.found).get(key);
  }
}
