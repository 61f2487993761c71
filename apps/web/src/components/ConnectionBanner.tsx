/** Says so while the socket is down: presence shown meanwhile may be out of date. */
import type { ConnectionStatus } from "../hooks/useConnectionState";

export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  const reconnecting = status === "reconnecting";
  return (
    <div className="connection-banner" role="status" aria-live="polite" data-connection={status} hidden={!reconnecting}>
      {reconnecting ? (
        <>
          <span className="spinner" aria-hidden="true" />
          Reconnecting… Your friends' status may be out of date.
        </>
      ) : null}
    </div>
  );
}
