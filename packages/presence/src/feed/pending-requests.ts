/**
 * A feed's `requests` events (docs/protocol.md §3.3): on each notice that the viewer's pending
 * requests changed, read both lists and hand them on if they differ from the last ones sent.
 * Reads take turns, and a notice that arrives during one makes it read once more, so the last
 * read always comes after the last notice. Per feed, and only ever holding the last lists sent.
 */
import type { Logger } from "../logger.js";
import type { PendingRequests } from "./events.js";

export class PendingRequestsReader {
  /** The last lists handed on, as JSON (null: none yet). */
  private sent: string | null = null;
  private reading = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly viewerId: string,
    private readonly read: (userId: string) => Promise<PendingRequests>,
    private readonly send: (requests: PendingRequests) => void,
    private readonly log: Logger,
  ) {}

  /** The viewer's requests changed (a `requests_changed` notice). */
  changed(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.readUntilCurrent()
      .catch((error: unknown) => this.log.warn({ err: error, viewerId: this.viewerId }, "could not read pending requests"))
      .finally(() => {
        this.reading = false;
      });
  }

  stop(): void {
    this.stopped = true;
  }

  private async readUntilCurrent(): Promise<void> {
    do {
      this.again = false;
      const requests = await this.read(this.viewerId);
      if (this.stopped) return;
      const json = JSON.stringify(requests);
      if (json === this.sent) continue;
      this.sent = json;
      this.send(requests);
    } while (this.again && !this.stopped);
  }
}
