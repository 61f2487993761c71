/** A round initial with the status dot on its corner. */
import type { CSSProperties } from "react";
import type { VisibleStatus } from "@herald/client";
import { StatusDot } from "./StatusDot";

/** A stable, pleasant hue per name, so people are easy to tell apart at a glance. */
function hueOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

export function Avatar({ name, status }: { name: string; status: VisibleStatus }) {
  return (
    <span className="avatar" style={{ "--avatar-hue": hueOf(name) } as CSSProperties} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
      <StatusDot status={status} size="sm" />
    </span>
  );
}
