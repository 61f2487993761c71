-- Auto-away is live now (docs/protocol.md §7.2): friends see `away` while every connection of an
-- `online` user is idle, computed from the live store. An automatic away stored before this is
-- the user's chosen `online` again; a chosen away (auto_away false) stays away.
UPDATE "user_presence" SET "status" = 'online' WHERE "auto_away" = true AND "status" = 'away';--> statement-breakpoint
ALTER TABLE "user_presence" DROP COLUMN "auto_away";
