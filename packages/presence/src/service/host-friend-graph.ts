/**
 * The host's friend graph (`system.friends.link` / `unlink`): many pairs in a few statements, then
 * the same live consequences as `friends.accept` and `friends.remove` — `friend_added` or
 * `friend_removed` on both users' channels, changed request lists announced, and on unfriending
 * each leaves the other's allow-list and memory (rule 11), after the feeds have been told.
 */
import type { FriendshipsRepo, Pair } from "../repo/friendships.js";
import type { PresenceService } from "./presence-service.js";
import { viewersByOwner } from "./viewers-by-owner.js";

export class HostFriendGraph {
  constructor(
    private readonly friendships: FriendshipsRepo,
    private readonly service: PresenceService,
  ) {}

  /** Befriends these ordered pairs; how many were not friends before. */
  async link(pairs: readonly Pair[]): Promise<number> {
    // Only the pairs that are not friends yet are candidates: a friend of before stays in the
    // other's fade, which is what keeps rule 5.
    const candidates = await this.friendships.notFriends(pairs);
    const { added, accepted } = await this.service.befriend(candidates, () => this.friendships.link(pairs));
    await Promise.all(accepted.map(([a, b]) => this.service.publishRequestsChanged(a, b)));
    return added.length;
  }

  /** Ends these ordered pairs' friendships (and requests); how many there were. */
  async unlink(pairs: readonly Pair[]): Promise<number> {
    const ended = await this.friendships.unlink(pairs);
    const unfriended = ended.filter((e) => e.was === "accepted").map((e) => e.pair);
    // Feeds first (rule 11: at once), then the allow-lists, one write per user however many pairs.
    await this.service.announceUnfriended(unfriended);
    await Promise.all([...viewersByOwner(unfriended)].map(([owner, viewers]) => this.service.forgetViewers(owner, viewers)));
    const withdrawn = ended.filter((e) => e.was === "pending");
    await Promise.all(withdrawn.map(({ pair: [a, b] }) => this.service.publishRequestsChanged(a, b)));
    return ended.length;
  }
}
