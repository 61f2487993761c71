// @ts-check
/** The friend list as text, one block per state; a terminal shows the newest block last. */

/** @typedef {import("@herald/client").HeraldState} HeraldState */

const DOTS = { online: "●", away: "◐", dnd: "⊘", offline: "○" };

/**
 * @param {HeraldState} state
 * @param {number} now
 * @returns {string}
 */
export function render(state, now) {
  const lines = [`— ${state.connection.status}${state.synced ? "" : " (loading)"} —`];
  if (state.own) lines.push(`you: ${state.own.status}${state.own.message ? ` "${state.own.message}"` : ""}`);
  if (state.friends.length === 0) lines.push("no friends yet");
  for (const friend of state.friends) {
    const { status, message, lastSeen } = friend.presence;
    const note = message ? ` "${message}"` : lastSeen ? ` (last seen ${ago(lastSeen, now)})` : "";
    lines.push(`${DOTS[status]} ${friend.username} ${status}${note}`);
  }
  const { incoming, outgoing } = state.requests;
  if (incoming.length > 0) lines.push(`wants to be friends: ${incoming.map((u) => u.username).join(", ")}`);
  if (outgoing.length > 0) lines.push(`you asked: ${outgoing.map((u) => u.username).join(", ")}`);
  return lines.join("\n");
}

/**
 * @param {string} iso
 * @param {number} now
 */
function ago(iso, now) {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return new Date(iso).toISOString().slice(0, 16).replace("T", " ");
}
