/** Says so while the socket is down: presence shown meanwhile may be out of date. */
import type { ConnectionState } from "@herald/client";

export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  // Refused for too many tabs, the socket may never have opened: say so even on the first try.
  const tooMany = connection.status === "too_many_connections";
  const shown = connection.status === "reconnecting" || tooMany;
  return (
    <div className="connection-banner" role="status" aria-live="polite" data-connection={connection.status} hidden={!shown}>
      {shown ? (
        <>
          <span className="spinner" aria-hidden="true" />
          {tooMany
            ? "Too many Herald tabs or devices are open. Close one and this one will reconnect."
            : "Reconnecting… Your friends' status may be out of date."}
        </>
      ) : null}
    </div>
  );
}
