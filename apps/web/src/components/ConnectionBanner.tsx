/** Says so while the socket is down: presence shown meanwhile may be out of date. */
import type { ConnectionState } from "../hooks/useConnectionState";

export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  // Refused for too many tabs, the socket never opened: say so even on the first try.
  const shown = connection.status === "reconnecting" || connection.tooManyConnections;
  return (
    <div className="connection-banner" role="status" aria-live="polite" data-connection={connection.status} hidden={!shown}>
      {shown ? (
        <>
          <span className="spinner" aria-hidden="true" />
          {connection.tooManyConnections
            ? "Too many Herald tabs or devices are open. Close one and this one will reconnect."
            : "Reconnecting… Your friends' status may be out of date."}
        </>
      ) : null}
    </div>
  );
}
