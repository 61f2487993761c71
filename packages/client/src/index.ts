export { createHeraldClient } from "./herald-client.js";
export { signIn, signUp } from "./auth.js";
export type { SignInOptions, Session } from "./auth.js";
export type { HeraldClient, HeraldClientOptions, HeraldState, SetStatusOptions, Device, TokenSource, WebSocketConstructor } from "./api.js";
export type { ConnectionState, ConnectionStatus } from "./connection-state.js";
export { compareFriends, sortFriends } from "./sort-friends.js";
export type { SortableFriend } from "./sort-friends.js";
export { autoAwayReducer, INITIAL_AUTO_AWAY } from "./auto-away.js";
export type { AutoAwayState, AutoAwayEvent, AutoAwayCommand, AutoAwayResult } from "./auto-away.js";
export type {
  ChosenStatus,
  Friend,
  FriendRequests,
  HeraldTRPCClient,
  LastSeenLevel,
  LastSeenPrivacy,
  OwnPresence,
  Preview,
  PresenceEvent,
  UserSummary,
  VisiblePresence,
  VisibleStatus,
} from "./types.js";
