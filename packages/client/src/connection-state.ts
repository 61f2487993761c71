/**
 * The connection's life as a small union of states (DESIGN.md house style 5), in the words a UI
 * needs: is the socket up, coming up, coming back, or refused for a reason the user must act on.
 */

export type ConnectionState =
  /** Opening the first socket (or retrying it: the server may not be up yet). */
  | { status: "connecting"; attempt: number }
  /** The socket is open and authenticated; the presence shown is live. */
  | { status: "connected" }
  /** The socket dropped; retrying with backoff. Presence shown meanwhile may be out of date. */
  | { status: "reconnecting"; attempt: number; closeCode: number | null }
  /**
   * The server refused the connection (close code 4429): the user already holds the maximum
   * number of connections. Retried with backoff, slowly; closing another tab or device frees a slot.
   */
  | { status: "too_many_connections"; attempt: number }
  /**
   * The server refused the token (close code 4401 or `UNAUTHORIZED`): it was missing, invalid or
   * expired, or the user signed out. Final: sign in again and create a new client.
   */
  | { status: "unauthorized"; reason: string }
  /** `close()` was called. Final. */
  | { status: "closed" };

export type ConnectionStatus = ConnectionState["status"];
