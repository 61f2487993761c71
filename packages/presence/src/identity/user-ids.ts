/**
 * Which ids name users here. Herald's own accounts (`AUTH_MODE=builtin`) have UUIDs; with the
 * host's identity (`AUTH_MODE=jwt`) a user's id is the host's `sub`, any id matching
 * USER_ID_PATTERN (docs/protocol.md §1). Input schemas accept the wider shape (inputs.ts); each
 * procedure then holds the ids it got to the deployment's kind (`checkUserIds` in trpc.ts), so a
 * malformed id answers BAD_REQUEST naming the field in either mode.
 */
import { USER_ID_PATTERN } from "@herald/protocol";
import { z } from "zod";

export type UserIdKind = "uuid" | "host";

const uuid = z.uuid();

/** What is wrong with `id` as a user id of this kind, or null when nothing is. */
export function userIdProblem(kind: UserIdKind, id: string): string | null {
  if (kind === "uuid") return uuid.safeParse(id).success ? null : "must be a user id (uuid)";
  return USER_ID_PATTERN.test(id) ? null : HOST_ID_RULE;
}

export const HOST_ID_RULE = "must be a user id: 1–128 visible ASCII characters, without spaces, { or }";
