/** Input schemas shared by the routers (SPEC §1 and §3). */
import { z } from "zod";
import { CHOSEN_STATUSES } from "./types.js";

export const usernameInput = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_]{3,32}$/, "must be 3–32 characters of a-z, 0-9 and _");

export const passwordInput = z.string().min(8, "must be at least 8 characters").max(128, "must be at most 128 characters");

export const userIdInput = z.uuid("must be a user id (uuid)");

// Control characters would let a message forge layout in other people's clients.
const CONTROL_CHARACTERS = /\p{Cc}/u;

export const messageInput = z
  .string()
  .trim()
  .max(128, "must be at most 128 characters")
  .refine((text) => !CONTROL_CHARACTERS.test(text), "must not contain control characters")
  .transform((text) => (text === "" ? null : text))
  .nullable();

export const visibleToInput = z
  .array(userIdInput)
  .max(1000, "must list at most 1000 friends")
  .transform((ids) => [...new Set(ids)]);

export const statusInput = z.enum(CHOSEN_STATUSES);
