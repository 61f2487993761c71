/** The coloured dot for a status. Decorative: the status is always spelled out next to it. */
import type { VisibleStatus } from "@herald/client";

export function StatusDot({ status, size = "md" }: { status: VisibleStatus; size?: "sm" | "md" }) {
  return <span className={`status-dot status-dot--${status} status-dot--${size}`} aria-hidden="true" />;
}
