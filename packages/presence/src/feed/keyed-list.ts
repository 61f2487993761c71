/**
 * A list of items found by key, for the friends of one feed. Every idle subscriber holds one,
 * so it is an array: a `Map` of 20 friends costs ~0.9 KiB of hash table per subscriber, the array
 * ~0.1 KiB. Lookups scan while the list is short; past `INDEX_FROM` items (a user with many
 * friends, or a host linking thousands at once) a `Map` index is built and kept, so adding or
 * removing stays O(1) however long the list grows.
 */
export const INDEX_FROM = 32;

export class KeyedList<T> {
  private items: T[] = [];
  private index: Map<string, T> | null = null;

  /** `keyOf` should be a shared function, not a closure per list. */
  constructor(private readonly keyOf: (item: T) => string) {}

  get size(): number {
    return this.items.length;
  }

  get(key: string): T | undefined {
    if (this.index) return this.index.get(key);
    for (const item of this.items) if (this.keyOf(item) === key) return item;
    return undefined;
  }

  /** Adds `item`; the caller makes sure its key is not in the list yet. */
  add(item: T): void {
    this.items.push(item);
    if (this.index) this.index.set(this.keyOf(item), item);
    else this.indexIfLong();
  }

  /** Removes `item` (found by identity); false when it is not in the list. */
  remove(item: T): boolean {
    const at = this.items.indexOf(item);
    if (at < 0) return false;
    this.items.splice(at, 1); // keeps the order items were added in
    this.index?.delete(this.keyOf(item));
    return true;
  }

  /** Replaces the whole list with `items` (taken over, not copied: an exactly sized array stays so). */
  replaceAll(items: T[]): void {
    this.items = items;
    this.index = null;
    this.indexIfLong();
  }

  /** In the order they were added. */
  values(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.replaceAll([]);
  }

  private indexIfLong(): void {
    if (this.items.length > INDEX_FROM) this.index = new Map(this.items.map((each) => [this.keyOf(each), each]));
  }
}
