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
    // As `friends.accept` does: out of each other's fades before the write too, so that no read
    // between the write and the announcement shows a new friend a fade. Only pairs that are not
    // friends yet: a friend of before stays in the fade, which is what keeps rule 5.
    await this.service.takeNewFriendsOutOfFades(await this.friendships.notFriends(pairs));
    const { added, accepted } = await this.friendships.link(pairs);
    await this.service.publishFriendships(added, "friend_added");
    await Promise.all(accepted.map(([a, b]) => this.service.publishRequestsChanged(a, b)));
    return added.length;
  }

  /** Ends these ordered pairs' friendships (and requests); how many there were. */
  async unlink(pairs: readonly Pair[]): Promise<number> {
    const ended = await this.friendships.unlink(pairs);
    const unfriended = ended.filter((e) => e.was === "accepted").map((e) => e.pair);
    // Feeds first (rule 11: at once), then the allow-lists, one write per user however many pairs.
    await this.service.publishFriendships(unfriended, "friend_removed");
    await Promise.all([...viewersByOwner(unfriended)].map(([owner, viewers]) => this.service.forgetViewers(owner, viewers)));
    const withdrawn = ended.filter((e) => e.was === "pending");
    await Promise.all(withdrawn.map(({ pair: [a, b] }) => this.service.publishRequestsChanged(a, b)));
    return ended.length;
  }
}
