-- The users a server vouches for, one row each, written as they come and go: a list in one array
-- cost PGlite ~25-70 ms of the server's thread to rewrite at 20,000 users, at every sweep where
-- anyone came or went (packages/presence/src/service/crash-vouches.ts).
CREATE TABLE "live_vouch_users" (
	"server_id" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "live_vouch_users_server_id_user_id_pk" PRIMARY KEY("server_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "live_vouch_users" ADD CONSTRAINT "live_vouch_users_server_id_live_vouches_server_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."live_vouches"("server_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "live_vouches" DROP COLUMN "user_ids";