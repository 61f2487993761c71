/** Input schemas shared by the routers (SPEC §1 and §3). */
import { z } from "zod";
import { messageTextProblem } from "./message-text.js";
import { CHOSEN_STATUSES } from "./types.js";

export const usernameInput = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_]{3,32}$/, "must be 3–32 characters of a-z, 0-9 and _");

export const passwordInput = z.string().min(8, "must be at least 8 characters").max(128, "must be at most 128 characters");

export const userIdInput = z.uuid("must be a user id (uuid)");

// Text that would forge layout in other people's clients is refused (see message-text.ts).
export const messageInput = z
  .string()
  .trim()
  .max(128, "must be at most 128 characters")
  .superRefine((text, context) => {
    const problem = messageTextProblem(text);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .transform((text) => (text === "" ? null : text))
  .nullable();

export const visibleToInput = z
  .array(userIdInput)
  .max(1000, "must list at most 1000 friends")
  .transform((ids) => [...new Set(ids)]);

export const statusInput = z.enum(CHOSEN_STATUSES);
