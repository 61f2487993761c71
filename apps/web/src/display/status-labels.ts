/** Words for each status, shared by the picker, the friend rows and the header. */
import type { ChosenStatus, VisibleStatus } from "@herald/client";

export const VISIBLE_STATUS_LABEL: Record<VisibleStatus, string> = {
  online: "Online",
  away: "Away",
  dnd: "Do not disturb",
  offline: "Offline",
};

export const CHOSEN_STATUS_OPTIONS: ReadonlyArray<{ value: ChosenStatus; label: string; hint: string }> = [
  { value: "online", label: "Online", hint: "Friends see you're around" },
  { value: "away", label: "Away", hint: "Around, but not at the keyboard" },
  { value: "dnd", label: "Do not disturb", hint: "Around, but busy" },
  { value: "invisible", label: "Invisible", hint: "Appear offline, except to friends you pick" },
];

export const CHOSEN_STATUS_LABEL = Object.fromEntries(CHOSEN_STATUS_OPTIONS.map((option) => [option.value, option.label])) as Record<
  ChosenStatus,
  string
>;

/** The dot your own devices show: invisible looks offline to most friends. */
export function dotStatusOfChosen(status: ChosenStatus): VisibleStatus {
  return status === "invisible" ? "offline" : status;
}
