/**
 * The list a feed keeps its friends in: an array scanned while short, indexed past INDEX_FROM.
 * Checked against a Map under random adds and removes that cross the threshold both ways, so a
 * friend found, missed or misordered after the switch would show here.
 */
import { describe, expect, it } from "vitest";
import { INDEX_FROM, KeyedList } from "../src/feed/keyed-list.js";

interface Item {
  id: string;
}
const idOf = (item: Item) => item.id;

describe("KeyedList", () => {
  it("finds, adds and removes like a Map, in the order items were added, short and long", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const list = new KeyedList<Item>(idOf);
    const model = new Map<string, Item>();
    // Taken over whole first (a feed's snapshot), long enough to start indexed.
    const initial = Array.from({ length: INDEX_FROM + 2 }, (_, i) => ({ id: `u${i * 3}` }));
    list.replaceAll([...initial]);
    for (const item of initial) model.set(item.id, item);
    let largest = 0;
    for (let step = 0; step < 5_000; step++) {
      // Grow past the index for the first half, shrink back for the second.
      const adding = random() < (step < 2_500 ? 0.7 : 0.3);
      const id = `u${Math.floor(random() * 3 * INDEX_FROM)}`;
      const existing = model.get(id);
      if (adding && !existing) {
        const item = { id };
        list.add(item);
        model.set(id, item);
      } else if (!adding && existing) {
        expect(list.remove(existing)).toBe(true);
        expect(list.remove(existing)).toBe(false);
        model.delete(id);
      }
      expect(list.get(id)).toBe(model.get(id));
      expect(list.size).toBe(model.size);
      largest = Math.max(largest, list.size);
    }
    expect(largest).toBeGreaterThan(INDEX_FROM);
    expect(list.values()).toEqual([...model.values()]);
    for (const [id, item] of model) expect(list.get(id)).toBe(item);
    expect(list.get("nobody")).toBeUndefined();
    list.clear();
    expect(list.size).toBe(0);
    expect(list.get([...model.keys()][0]!)).toBeUndefined();
  });
});
