/**
 * Discord's "on mobile": a small phone by the status of a friend who is on their phone and on
 * nothing else (docs/protocol.md §9.2: `devices` lists the kinds of device a friend is on).
 */
import type { VisiblePresence } from "@herald/client";

export function MobileBadge({ devices }: { devices: VisiblePresence["devices"] }) {
  if (devices.length !== 1 || devices[0] !== "mobile") return null;
  return (
    <span className="mobile-badge" role="img" aria-label="on mobile" title="On mobile" data-testid="on-mobile">
      <svg viewBox="0 0 10 16" width="10" height="16" aria-hidden="true" focusable="false">
        <rect x="0.75" y="0.75" width="8.5" height="14.5" rx="1.75" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <circle cx="5" cy="12.5" r="0.9" fill="currentColor" />
      </svg>
    </span>
  );
}
