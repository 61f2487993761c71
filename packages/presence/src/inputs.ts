/** Input schemas shared by the routers (docs/protocol.md §1 and §3). */
import { CHOSEN_STATUSES, LAST_SEEN_LEVELS, LIMITS, USERNAME_PATTERN } from "@herald/protocol";
import { z } from "zod";
import { messageTextProblem, showsNothing } from "./message-text.js";

const { username, password, message, visibleTo, getMany } = LIMITS;

export const usernameInput = z
  .string()
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, `must be ${username.minLength}–${username.maxLength} characters of a-z, 0-9 and _`);

export const passwordInput = z
  .string()
  .min(password.minLength, `must be at least ${password.minLength} characters`)
  .max(password.maxLength, `must be at most ${password.maxLength} characters`);

/**
 * A user id. Which ids are well-formed depends on the deployment (UUIDs for Herald's accounts, the
 * host's ids with AUTH_MODE=jwt), which a schema cannot know: each procedure holds the ids it got
 * to the deployment's kind with `checkUserIds` (trpc.ts), which answers as a schema would.
 */
export const userIdInput = z.string();

/** The name a host gives one of its users: shown next to presence, so held to a message's rules. */
export const displayNameInput = z
  .string()
  .trim()
  .max(LIMITS.displayName.maxLength, `must be at most ${LIMITS.displayName.maxLength} characters`)
  .superRefine((text, context) => {
    if (showsNothing(text)) return void context.addIssue({ code: "custom", message: "must show at least one visible character" });
    const problem = messageTextProblem(text);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });

// Text that would forge layout in other people's clients is refused (see message-text.ts); text
// that shows nothing (spaces, U+200B, …) is no message, as the friend would see a blank one.
export const messageInput = z
  .string()
  .trim()
  .max(message.maxLength, `must be at most ${message.maxLength} characters`)
  .superRefine((text, context) => {
    const problem = messageTextProblem(text);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .transform((text) => (showsNothing(text) ? null : text))
  .nullable();

export const visibleToInput = z
  .array(userIdInput)
  .max(visibleTo.maxIds, `must list at most ${visibleTo.maxIds} friends`)
  .transform((ids) => [...new Set(ids)]);

export const statusInput = z.enum(CHOSEN_STATUSES);

export const lastSeenLevelInput = z.enum(LAST_SEEN_LEVELS);

/** Per friend id, the last-seen level that replaces the default for them. */
export const lastSeenExceptionsInput = z
  .record(userIdInput, lastSeenLevelInput)
  .refine((exceptions) => Object.keys(exceptions).length <= LIMITS.lastSeenExceptions.maxIds, {
    message: `must name at most ${LIMITS.lastSeenExceptions.maxIds} friends`,
  });

/**
 * When a status or message ends (docs/protocol.md §9.1): an ISO-8601 instant with an offset or
 * `Z`, in the future and at most a year ahead, normalised to UTC; null: no end.
 */
export const untilInput = z.iso
  .datetime({ offset: true, message: "must be an ISO-8601 instant with an offset or Z" })
  .transform((text, context) => {
    const at = Date.parse(text);
    const now = Date.now();
    if (at <= now) context.addIssue({ code: "custom", message: "must be in the future" });
    else if (at - now > LIMITS.until.maxAheadMs) context.addIssue({ code: "custom", message: "must be at most a year ahead" });
    return new Date(at).toISOString();
  })
  .nullable();

/** The users of one `presence.getMany`. */
export const userIdsInput = z
  .array(userIdInput)
  .min(getMany.minIds, `must list at least ${idCount(getMany.minIds)}`)
  .max(getMany.maxIds, `must list at most ${getMany.maxIds} ids`);

function idCount(count: number): string {
  return count === 1 ? "one id" : `${count} ids`;
}
